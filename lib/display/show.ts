import { jupyter } from "./_jupyter.ts";

/** Options for {@linkcode show}. */
export interface ShowOptions {
  /**
   * Kind of content: `"svg"`, `"html"` or `"markdown"` (default: `"svg"` when the content starts with
   * `<svg` or `<?xml`, else `"html"`).
   */
  kind?: "svg" | "html" | "markdown";
  /** Plain-text alternative for front ends that cannot render the content (default: a short summary). */
  text?: string;
}

/**
 * Shows HTML, SVG or Markdown: inside the Deno Jupyter kernel, as rich output of the current cell
 * (through `Deno.jupyter.display`, so any number of `show` calls per cell work and the cell's last value
 * stays free); anywhere else, returns the content so a script can print it or write it to a file.
 *
 * @param content An HTML fragment, an SVG document or Markdown (e.g. from `metricsTable`,
 *   `confusionMatrixSvg`).
 * @param options Kind of content and plain-text alternative.
 * @returns `undefined` inside a kernel (the content was displayed), else `content` unchanged.
 * @throws {TypeError} When `content` is not a string.
 *
 * @example
 * ```ts
 * import { metricsTable, show } from "./mod.ts";
 * const html = await show(metricsTable({ accuracy: 0.9 }));
 * // In a notebook the table is displayed; in a script `html` is the table's HTML.
 * if (html) console.log(html.length > 0);
 * ```
 */
export async function show(content: string, options: ShowOptions = {}): Promise<string | undefined> {
  if (typeof content !== "string") {
    throw new TypeError(`show expects an HTML, SVG or Markdown string, got ${typeof content}`);
  }
  const j = jupyter();
  if (!j) return content;
  const head = content.trimStart().slice(0, 64).toLowerCase();
  const kind = options.kind ?? (head.startsWith("<svg") || head.startsWith("<?xml") ? "svg" : "html");
  const mime = kind === "svg" ? "image/svg+xml" : kind === "markdown" ? "text/markdown" : "text/html";
  const text = options.text ?? (kind === "markdown" ? content : `[${kind}: ${content.length} characters]`);
  await j.display({ [mime]: content, "text/plain": text }, { raw: true });
  return undefined;
}
