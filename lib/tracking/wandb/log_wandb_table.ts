/**
 * Log a table the way W&B shows tables: a `run_table` artifact, a `media/table` run file, a history value.
 * @module
 */
import type { WandbClient } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { SavedArtifact, WandbRun, WandbTable } from "./types.ts";
import { saveWandbArtifact, type SaveWandbArtifactOptions } from "./save_wandb_artifact.ts";
import { uploadWandbRunFiles } from "./upload_wandb_run_files.ts";
import { b64ToHex } from "./_md5.ts";
import { writeTableFile } from "./_table_file.ts";

/** Options for {@linkcode logWandbTable}. */
export interface LogWandbTableOptions extends SaveWandbArtifactOptions {
  /** History step the table is logged at (part of the run file's name). */
  step: number;
}

/** The history/summary value of a logged table (W&B's `table-file`). */
export interface TableFileValue {
  /** Always `table-file`. */
  _type: "table-file";
  /** Run file path, `media/table/<key>_<step>_<sha20>.table.json`. */
  path: string;
  /** hex SHA-256 of the file. */
  sha256: string;
  /** Bytes. */
  size: number;
  /** Number of columns. */
  ncols: number;
  /** Number of rows. */
  nrows: number;
  /** Always `IMMUTABLE`. */
  log_mode: "IMMUTABLE";
  /** `wandb-artifact://<hex id>/<key>.table.json`. */
  artifact_path: string;
  /**
   * The same reference, which the SDK's `Media.to_json` also writes (wandb/wandb
   * wandb/sdk/data_types/base_types/media.py, wb_value.py `_get_artifact_entry_latest_ref_url`).
   */
  _latest_artifact_path: string;
}

/** What {@linkcode logWandbTable} did. */
export interface LoggedWandbTable {
  /** The value to put under the table's key in a history row (and the summary). */
  value: TableFileValue;
  /** The `run-<id>-<key>` artifact version. */
  artifact: SavedArtifact;
}

/**
 * Logs a table as W&B shows tables: a version of the artifact `run-<run id>-<key>` (type `run_table`)
 * holding `<key>.table.json`, the run file `media/table/<key>_<step>_<sha256[:20]>.table.json`, and a
 * `table-file` value that the caller writes under `key` in a history row (with {@linkcode sendWandbFileStream}).
 *
 * @param client The client.
 * @param run The run.
 * @param key History key, e.g. `predictions`.
 * @param table Columns and rows (JSON-serialisable cells; each row as long as `columns`); the rows may be any
 *   iterable (e.g. a generator reading a store), they are read once and never held all at once.
 * @param options The step, plus artifact save options.
 * @returns The history value and the artifact version.
 * @throws {WandbError} `config` for a bad key, duplicate columns or a row of the wrong length; the
 *   errors of {@linkcode saveWandbArtifact} and {@linkcode uploadWandbRunFiles}.
 * @example
 * ```ts
 * import { connectWandb, logWandbTable, sendWandbFileStream, upsertWandbRun } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo" });
 * const { value } = await logWandbTable(client, run, "preds", { columns: ["text", "label"], rows: [["good", "positive"]] }, { step: 0 });
 * await sendWandbFileStream(client, run, { history: { offset: 0, rows: [{ preds: value, _step: 0 }] } });
 * ```
 */
export async function logWandbTable(
  client: WandbClient,
  run: WandbRun,
  key: string,
  table: WandbTable,
  options: LogWandbTableOptions,
): Promise<LoggedWandbTable> {
  if (typeof key !== "string" || !/^[A-Za-z0-9_.\-]{1,100}$/.test(key)) {
    throw new WandbError(
      "config",
      `Invalid table key ${JSON.stringify(key)}: use 1..100 letters, digits, '-', '_' or '.'`,
    );
  }
  if (!Number.isInteger(options.step) || options.step < 0) {
    throw new WandbError("config", `Invalid step ${options.step} for table '${key}': use an integer >= 0`);
  }
  const { columns, rows } = table;
  if (!Array.isArray(columns) || !columns.length || new Set(columns).size !== columns.length) {
    throw new WandbError(
      "config",
      `Table '${key}' needs distinct column names, got ${JSON.stringify(columns)}`,
    );
  }
  // The file is written to a temp file in one pass (rows checked, hashes and size taken as they go) and
  // uploaded from there: a table of a million rows is never one string or one array of rows in memory.
  const tmp = await Deno.makeTempFile({ prefix: "sentilab-table-", suffix: ".table.json" });
  try {
    const file = await writeTableFile(tmp, key, columns, rows);
    const entry = `${key}.table.json`;
    const artifact = await saveWandbArtifact(client, run, {
      name: `run-${run.id}-${key}`,
      type: "run_table",
      files: [{ name: entry, path: tmp, digest: file.md5, size: file.size }],
    }, options);
    const path = `media/table/${key}_${options.step}_${file.sha256.slice(0, 20)}.table.json`;
    await uploadWandbRunFiles(client, run, [{ name: path, path: tmp }], {
      retry: options.retry,
      signal: options.signal,
    });
    // The entry's ref_url() (wandb/wandb wandb/sdk/artifacts/artifact_manifest_entry.py), as the SDK writes
    // both paths once the version is saved when it does not use client ids.
    const ref = `wandb-artifact://${b64ToHex(artifact.id)}/${entry}`;
    return {
      value: {
        _type: "table-file",
        path,
        sha256: file.sha256,
        size: file.size,
        ncols: columns.length,
        nrows: file.nrows,
        log_mode: "IMMUTABLE",
        artifact_path: ref,
        _latest_artifact_path: ref,
      },
      artifact,
    };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
