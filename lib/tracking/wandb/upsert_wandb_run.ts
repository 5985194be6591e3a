/**
 * Create or update a run (W&B's `UpsertBucket`).
 * @module
 */
import type { WandbClient, WandbRequestOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import type { WandbRun } from "./types.ts";
import { checkName } from "./_names.ts";

/** A run to create or update: plain data, as the local store holds it. */
export interface WandbRunInfo {
  /** Run id: letters, digits, `-`, `_`, `.` (1..128). */
  id: string;
  /** Entity (from {@linkcode connectWandb}). */
  entity: string;
  /** Project (created on first use). */
  project: string;
  /** Display name. */
  name?: string;
  /** Group of runs. */
  group?: string;
  /** Kind of job, e.g. `evaluate`. */
  jobType?: string;
  /** Tags. */
  tags?: string[];
  /** Notes. */
  notes?: string;
  /** Config (JSON-serialisable); sent in Python's `{key: {value, desc}}` form. */
  config?: Record<string, unknown>;
  /** Host name. */
  host?: string;
  /** Program (script) that ran. */
  program?: string;
  /** Git commit of the code that ran (the SDK's `commit`, from its git settings). */
  commit?: string;
}

/** Options for {@linkcode upsertWandbRun}. */
export type UpsertWandbRunOptions = WandbRequestOptions;

const UPSERT_BUCKET = `mutation UpsertBucket(
  $id: String, $name: String, $project: String, $entity: String, $groupName: String,
  $description: String, $displayName: String, $notes: String, $commit: String, $config: JSONString,
  $host: String, $debug: Boolean, $program: String, $repo: String, $jobType: String, $state: String,
  $sweep: String, $tags: [String!], $summaryMetrics: JSONString
) {
  upsertBucket(input: {
    id: $id, name: $name, groupName: $groupName, modelName: $project, entityName: $entity,
    description: $description, displayName: $displayName, notes: $notes, config: $config, commit: $commit,
    host: $host, debug: $debug, jobProgram: $program, jobRepo: $repo, jobType: $jobType, state: $state,
    sweep: $sweep, tags: $tags, summaryMetrics: $summaryMetrics
  }) {
    bucket { id name displayName description config sweepName historyLineCount
      project { id name entity { id name } } }
    inserted
  }
}`;

/** The W&B app URL of a run, guessed from the API base URL. */
function appUrl(baseUrl: string, entity: string, project: string, id: string): string {
  const app = baseUrl.replace("://api.wandb.ai", "://wandb.ai");
  return `${app}/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/runs/${encodeURIComponent(id)}`;
}

/**
 * Creates the run on W&B, or updates it (idempotent: the run is keyed by entity, project and id).
 * Group, job type, tags, notes and config are sent (npm:@wandb/sdk drops the first four).
 *
 * @param client The client.
 * @param info The run.
 * @param options Retry overrides and an abort signal.
 * @returns The run on W&B.
 * @throws {WandbError} `config` for an invalid id or project; the client's errors otherwise.
 * @example
 * ```ts
 * import { connectWandb, upsertWandbRun } from "./mod.ts";
 * const { client, entity } = await connectWandb();
 * const run = await upsertWandbRun(client, { id: "abc123", entity, project: "demo", tags: ["baseline"], config: { lr: 0.1 } });
 * console.log(run.url);
 * ```
 */
export async function upsertWandbRun(
  client: WandbClient,
  info: WandbRunInfo,
  options: UpsertWandbRunOptions = {},
): Promise<WandbRun> {
  checkName("run id", info.id);
  checkName("project", info.project);
  if (!info.entity) throw new WandbError("config", "Cannot upsert a W&B run without an entity");
  const variables: Record<string, unknown> = { name: info.id, project: info.project, entity: info.entity };
  if (info.name !== undefined) variables.displayName = info.name;
  if (info.group !== undefined) variables.groupName = info.group;
  if (info.jobType !== undefined) variables.jobType = info.jobType;
  if (info.tags !== undefined) variables.tags = info.tags.map(String);
  if (info.notes !== undefined) variables.notes = info.notes;
  if (info.host !== undefined) variables.host = info.host;
  if (info.program !== undefined) variables.program = info.program;
  if (info.commit !== undefined) variables.commit = info.commit;
  if (info.config !== undefined) {
    const wrapped: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(info.config)) wrapped[k] = { value: v, desc: null };
    variables.config = JSON.stringify(wrapped);
  }
  const data = await client.graphql<{
    upsertBucket: { bucket: { id: string; name: string; displayName: string | null } | null } | null;
  }>("UpsertBucket", UPSERT_BUCKET, variables, options);
  const bucket = data.upsertBucket?.bucket;
  if (!bucket?.id) {
    throw new WandbError("protocol", `W&B's UpsertBucket for run '${info.id}' returned no bucket`, {
      op: "UpsertBucket",
    });
  }
  return {
    entity: info.entity,
    project: info.project,
    id: info.id,
    name: bucket.displayName ?? info.name ?? info.id,
    storageId: bucket.id,
    url: appUrl(client.baseUrl, info.entity, info.project, info.id),
  };
}
