/**
 * A small W&B client on fetch: timeouts, bounded retries with backoff and jitter, GraphQL errors made
 * clear, and the API key kept out of every message. Runs, history, summary, run files, artifacts (save
 * with deduplication, use, look up, download with digest checks) and tables in W&B's shape.
 *
 * Every function takes plain data so that a replayer of the local store can call it.
 *
 * @example
 * ```ts
 * import { connectWandb, sendFileStream, upsertRun } from "./mod.ts";
 * const { client, entity } = await connectWandb({ timeoutMs: 3000 });
 * const run = await upsertRun(client, { id: "abc123", entity, project: "demo", config: { lr: 0.1 } });
 * await sendFileStream(client, run, { history: { offset: 0, rows: [{ loss: 0.4, _step: 0 }] }, summary: { loss: 0.4 } });
 * await sendFileStream(client, run, { exitCode: 0 });
 * ```
 * @module
 */
export * from "./errors.ts";
export * from "./settings.ts";
export * from "./client.ts";
export * from "./connect_wandb.ts";
export * from "./types.ts";
export * from "./upsert_run.ts";
export * from "./send_file_stream.ts";
export * from "./upload_run_files.ts";
export * from "./run_metadata_files.ts";
export * from "./artifact_digest.ts";
export * from "./save_artifact.ts";
export * from "./use_artifact.ts";
export * from "./get_artifact.ts";
export * from "./download_artifact.ts";
export * from "./log_table.ts";
