/**
 * A small W&B client on fetch: timeouts, bounded retries with backoff and jitter, GraphQL errors made
 * clear, and the API key kept out of every message. Runs, history, summary, run files, artifacts (save
 * with deduplication, use, look up, download with digest checks) and tables in W&B's shape.
 *
 * Every function takes plain data so that a replayer of the local store can call it.
 *
 * @example
 * ```ts
 * import { connectWandb, sendWandbFileStream, upsertWandbRun } from "./mod.ts";
 * const { client, entity } = await connectWandb({ timeoutMs: 3000 });
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo", config: { lr: 0.1 } });
 * await sendWandbFileStream(client, run, { history: { offset: 0, rows: [{ loss: 0.4, _step: 0 }] }, summary: { loss: 0.4 } });
 * await sendWandbFileStream(client, run, { exitCode: 0 });
 * ```
 * @module
 */
export * from "./errors.ts";
export * from "./settings.ts";
export * from "./client.ts";
export * from "./connect_wandb.ts";
export * from "./types.ts";
export * from "./upsert_wandb_run.ts";
export * from "./get_wandb_resume_status.ts";
export * from "./send_wandb_file_stream.ts";
export * from "./upload_wandb_run_files.ts";
export * from "./wandb_run_metadata_files.ts";
export * from "./wandb_artifact_digest.ts";
export * from "./add_wandb_artifact_aliases.ts";
export * from "./delete_wandb_artifact_aliases.ts";
export * from "./save_wandb_artifact.ts";
export * from "./use_wandb_artifact.ts";
export * from "./get_wandb_artifact.ts";
export * from "./download_wandb_artifact.ts";
export * from "./log_wandb_table.ts";
