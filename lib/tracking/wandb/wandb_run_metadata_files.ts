/**
 * The run files W&B's Python SDK writes at start: `config.yaml` and `wandb-metadata.json`.
 * @module
 */
import { dump } from "npm:js-yaml@5.5.0";
import type { WandbRunFile } from "./upload_wandb_run_files.ts";

/** Options for {@linkcode wandbRunMetadataFiles}. */
export interface WandbRunMetadataFilesOptions {
  /** Run config (written to `config.yaml` in `{key: {desc, value}}` form). */
  config?: Record<string, unknown>;
  /** Program that ran. */
  program?: string;
  /** Its arguments. */
  args?: string[];
  /** When the run started (ISO). */
  startedAt?: string;
  /** Host name. */
  host?: string;
}

/**
 * Builds `config.yaml` and `wandb-metadata.json` for {@linkcode uploadWandbRunFiles}, in the shape the Python
 * SDK writes (no secrets: the API key is never part of them).
 *
 * @param options Config and run facts.
 * @returns The two run files.
 * @example
 * ```ts
 * import { wandbRunMetadataFiles } from "./wandb_run_metadata_files.ts";
 * const files = wandbRunMetadataFiles({ config: { lr: 0.1 }, program: "tasks/evaluate.ts" });
 * console.log(files.map((f) => f.name)); // ["config.yaml", "wandb-metadata.json"]
 * ```
 */
export function wandbRunMetadataFiles(options: WandbRunMetadataFilesOptions = {}): WandbRunFile[] {
  const config: Record<string, unknown> = { wandb_version: 1 };
  for (const [k, v] of Object.entries(options.config ?? {})) config[k] = { desc: null, value: v };
  const metadata = {
    os: `${Deno.build.os}-${Deno.build.arch}`,
    runtime: `deno ${Deno.version.deno}`,
    program: options.program ?? null,
    args: options.args ?? [],
    startedAt: options.startedAt ?? new Date().toISOString(),
    host: options.host ?? null,
  };
  return [
    { name: "config.yaml", data: dump(config, { skipInvalid: true }) },
    { name: "wandb-metadata.json", data: JSON.stringify(metadata, null, 2) },
  ];
}
