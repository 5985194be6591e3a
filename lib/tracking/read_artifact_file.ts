import { readFileSync } from "node:fs";
import { withFiles } from "./_artifact.ts";
import { parseRef } from "./_ref.ts";
import { type ReadOptions, readStore } from "./_read.ts";

/** Options for {@linkcode readArtifactFile}. */
export interface ReadArtifactFileOptions extends ReadOptions {
  /** Read at most this many bytes from the start of the file (default: all). */
  maxBytes?: number;
}

/**
 * The content of one file of a stored artifact version, by its path in the manifest. Only names in the
 * version's manifest are looked up, so nothing outside the store can be read this way. Records no use
 * (see `useArtifact` for that).
 *
 * @param ref The version (`name:vN`, `name:alias`, `name`).
 * @param file The file's path in the manifest.
 * @param options Store directory (and `readOnly`), and a cap on the bytes read.
 * @returns The bytes, or null when the version or the file is not in the store.
 * @throws {TrackingError} when there is no store or the reference is malformed.
 *
 * @example
 * ```ts
 * import { finishRun, initRun, logArtifact, readArtifactFile } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "hello");
 * const run = await initRun({ dir: `${dir}/store`, tracker: "local" });
 * await logArtifact(run, { name: "notes", type: "dataset", files: [`${dir}/a.txt`] });
 * await finishRun(run);
 * const bytes = readArtifactFile("notes:v0", "a.txt", { dir: `${dir}/store` });
 * console.log(new TextDecoder().decode(bytes!)); // hello
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function readArtifactFile(
  ref: string,
  file: string,
  options: ReadArtifactFileOptions = {},
): Uint8Array | null {
  const p = parseRef(ref);
  const store = readStore(options);
  const v = store.artifacts.getVersion(p.name, p.selector);
  if (!v || !Object.hasOwn(v.manifest.contents, file)) return null;
  const path = withFiles(store, v).path(file);
  if (options.maxBytes === undefined) return readFileSync(path);
  const f = Deno.openSync(path, { read: true });
  try {
    const buf = new Uint8Array(Math.max(0, Math.min(options.maxBytes, v.manifest.contents[file].size)));
    let n = 0;
    while (n < buf.length) {
      const got = f.readSync(buf.subarray(n));
      if (got === null) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    f.close();
  }
}
