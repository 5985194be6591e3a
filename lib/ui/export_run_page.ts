import { join } from "node:path";
import { writeAtomic } from "../_fs/write_atomic.ts";
import { getRun, openStore } from "../tracking/mod.ts";
import { chartsOf, runPage } from "./_run_page.ts";
import { UiError } from "./serve_ui.ts";

/** Options for {@linkcode exportRunPage}. */
export interface ExportRunPageOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
}

/** What {@linkcode exportRunPage} wrote. */
export interface ExportedRunPage {
  /** The page: `<out>/index.html`. */
  index: string;
  /** The charts, one SVG per metric: `<out>/charts/<n>-<metric>.svg`. */
  charts: string[];
}

/** The marker of pages written by sentilab: only such an index.html is ever replaced. */
const GENERATOR = '<meta name="generator" content="sentilab">';

/**
 * Writes a run's page as static HTML (the viewer's run page, with its charts inline and as SVG files):
 * no server, no script, nothing remote. Reads the store read-only. An existing `index.html` in `out` is
 * replaced only when sentilab wrote it; every file is written atomically.
 *
 * @param runId The run.
 * @param out The folder to write into (created when missing).
 * @param options Store directory.
 * @returns The paths written.
 * @throws {UiError} when the run is not in the store or `out/index.html` is a file sentilab did not write.
 *
 * @example
 * ```ts
 * import { exportRunPage } from "./mod.ts";
 * import { finishRun, initRun, logMetrics } from "../tracking/mod.ts";
 * const dir = await Deno.makeTempDir();
 * const run = await initRun({ dir: `${dir}/store`, tracker: "local" });
 * logMetrics(run, { loss: 0.4 });
 * await finishRun(run);
 * const page = await exportRunPage(run.id, `${dir}/page`, { dir: `${dir}/store` });
 * console.log(page.charts.length); // 1
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportRunPage(
  runId: string,
  out: string,
  options: ExportRunPageOptions = {},
): Promise<ExportedRunPage> {
  const read = { dir: openStore({ dir: options.dir, readOnly: true }).dir, readOnly: true };
  if (!getRun(runId, read)) {
    throw new UiError(`No run '${runId}' in the store '${read.dir}': see deno task runs`);
  }
  const index = join(out, "index.html");
  try {
    const existing = await Deno.readTextFile(index);
    if (!existing.includes(GENERATOR)) {
      throw new UiError(
        `${index} exists and was not written by sentilab; choose another folder or move it away`,
      );
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const ctx = { read, url: new URL(`http://export/run/${runId}`), static: true };
  const html = runPage(ctx, runId);
  const charts: string[] = [];
  for (const [i, c] of chartsOf(ctx, runId, undefined).entries()) {
    const name = `${String(i + 1).padStart(2, "0")}-${
      c.key.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80)
    }.svg`;
    charts.push(await writeAtomic(join(out, "charts", name), c.svg, { mkdir: true }));
  }
  await writeAtomic(index, html, { mkdir: true });
  return { index, charts };
}
