/**
 * Experiment tracking: runs, metrics, summaries, tables and versioned artifacts, written to a local store
 * (SQLite in WAL mode plus a content-addressed folder of files) that is the source of truth, with a
 * console fallback. Artifact manifests, digests, versions (v0..vN), `latest`, aliases and lineage follow
 * Weights & Biases. Knows nothing of sentiment.
 *
 * W&B is a replica of the store: with `tracker: "wandb"` a background uploader sends each run's records
 * (run, history, summary, run files, tables, artifacts, lineage, exit code) and `syncRuns` (`deno task
 * sync`) sends whatever did not get through; progress is kept in the store, so nothing is sent twice.
 *
 * Tracking never breaks the program it observes: a failure becomes one clear warning, unless the run was
 * started with `strict: true`.
 *
 * Runs behave as W&B's do: a run not finished is ended by how the program ends (finished, failed with
 * the error kept, the code of `Deno.exit(n)`, killed by a signal); `initRun` takes `id` + `resume`,
 * `mode`, `entity` and the WANDB_* environment; `logMetrics` follows `run.log`'s step rules and
 * `defineMetric` is `run.define_metric`; `listRuns` filters with an expression (`summary.acc > 0.9`) and
 * `compareRuns` puts runs side by side.
 *
 * @example
 * ```ts
 * import { finishRun, getHistory, initRun, logArtifact, logMetrics, logTable } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/labels.txt`, "negative\nneutral\npositive\n");
 * const run = await initRun({ project: "demo", config: { lr: 0.01 }, dir: `${dir}/store` });
 * for (let step = 0; step < 3; step++) logMetrics(run, { loss: 1 / (step + 1) });
 * await logTable(run, "predictions", { columns: ["text", "label"], rows: [["nice", "positive"]] });
 * const v = await logArtifact(run, { name: "labels", type: "dataset", files: [`${dir}/labels.txt`] });
 * console.log(v?.ref, v?.digest);
 * await finishRun(run);
 * console.log(getHistory(run.id, { dir: `${dir}/store` }).length); // 3
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
export * from "./types.ts";
export { TrackingError } from "./_errors.ts";
export * from "./init_run.ts";
export * from "./name_problem.ts";
export * from "./safe_artifact_name.ts";
export * from "./log_metrics.ts";
export * from "./define_metric.ts";
export * from "./set_summary.ts";
export * from "./log_table.ts";
export * from "./open_table.ts";
export * from "./log_artifact.ts";
export * from "./use_artifact.ts";
export * from "./log_model_artifact.ts";
export * from "./log_dataset_artifact.ts";
export * from "./log_video_artifact.ts";
export * from "./get_model_artifact.ts";
export * from "./download_artifact.ts";
export * from "./set_artifact_alias.ts";
export * from "./finish_run.ts";
export * from "./open_store.ts";
export * from "./list_runs.ts";
export * from "./compare_runs.ts";
export * from "./query_runs.ts";
export * from "./get_run.ts";
export * from "./get_history.ts";
export * from "./get_metric_definitions.ts";
export * from "./get_output.ts";
export * from "./get_table_rows.ts";
export * from "./list_artifacts.ts";
export * from "./list_artifact_versions.ts";
export * from "./get_artifact_version.ts";
export * from "./read_artifact_file.ts";
export * from "./get_lineage.ts";
export * from "./diff_artifact_versions.ts";
export * from "./sync_runs.ts";
export * from "./get_sync_status.ts";
