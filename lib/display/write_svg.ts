import { writeAtomic } from "../_fs/write_atomic.ts";

/** Options for {@linkcode writeSvg}. */
export interface WriteSvgOptions {
  /** Create missing parent folders (default true). */
  mkdir?: boolean;
}

/**
 * Writes an SVG document (e.g. from `confusionMatrixSvg`) to a file, atomically: the file is written
 * next to its destination and renamed into place, so a reader never sees half a chart. An XML
 * declaration is added so that the file opens as SVG in any viewer.
 *
 * @param path Destination file, e.g. `reports/confusion.svg`.
 * @param svg A complete SVG document (`<svg ...>...</svg>`).
 * @param options Whether to create missing folders.
 * @returns The path written.
 * @throws {TypeError} When `svg` is not a complete `<svg>` document (the start of the text is quoted).
 * @throws {Deno.errors.NotFound} When the folder does not exist and `mkdir` is false.
 *
 * @example
 * ```ts
 * import { confusionMatrixSvg, writeSvg } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSvg(`${dir}/cm.svg`, confusionMatrixSvg([[1, 0], [0, 1]], ["neg", "pos"]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSvg(path: string, svg: string, options: WriteSvgOptions = {}): Promise<string> {
  if (typeof svg !== "string") throw new TypeError(`writeSvg expects an SVG string, got ${typeof svg}`);
  const body = svg.trim().replace(/^<\?xml[^>]*\?>\s*/, "");
  if (!body.startsWith("<svg") || !body.endsWith("</svg>")) {
    throw new TypeError(
      `Cannot write '${path}': not a complete SVG document (starts with ${
        JSON.stringify(body.slice(0, 30))
      }); ` +
        `pass the output of a *Svg function`,
    );
  }
  await writeAtomic(path, `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`, {
    mkdir: options.mkdir ?? true,
  });
  return path;
}
