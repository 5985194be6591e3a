// initRun's defaults from the environment, read as the W&B SDK reads them (names in wandb/env.py):
// an option given to initRun wins over its variable.
//
//   WANDB_RUN_ID -> id        WANDB_RESUME -> resume      WANDB_NAME -> name         WANDB_NOTES -> notes
//   WANDB_TAGS -> tags (comma-separated)   WANDB_RUN_GROUP -> group   WANDB_JOB_TYPE -> jobType
//   WANDB_PROJECT -> project  WANDB_ENTITY -> entity      WANDB_MODE -> mode         WANDB_CONSOLE=off -> captureConsole: false
//   WANDB_DIR -> the store in WANDB_DIR/.sentilab (Store's storeDirFor)   WANDB_SILENT=true -> no warnings
import type { InitRunOptions } from "./types.ts";

/** Every option initRun knows; another key is an unknown option (one warning names it). */
export const KNOWN_OPTIONS: readonly (keyof InitRunOptions)[] = [
  "id",
  "resume",
  "entity",
  "mode",
  "project",
  "name",
  "group",
  "jobType",
  "tags",
  "notes",
  "config",
  "tracker",
  "dir",
  "strict",
  "wandb",
  "captureConsole",
];

/** A variable's value, or undefined when unset, empty or unreadable. */
export function envValue(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** W&B's truthy spellings of a boolean variable (wandb/env.py _env_as_bool: strtobool). */
export function envFlag(name: string): boolean {
  const v = envValue(name)?.toLowerCase();
  return v === "y" || v === "yes" || v === "t" || v === "true" || v === "on" || v === "1";
}

/** `options` with each unset option taken from its variable. */
export function withEnvironment(options: InitRunOptions): InitRunOptions {
  const o: InitRunOptions = { ...options };
  const fill = <K extends keyof InitRunOptions>(key: K, value: InitRunOptions[K] | undefined) => {
    if (o[key] === undefined && value !== undefined) o[key] = value;
  };
  fill("id", envValue("WANDB_RUN_ID"));
  fill("resume", envValue("WANDB_RESUME") as InitRunOptions["resume"]);
  fill("name", envValue("WANDB_NAME"));
  fill("notes", envValue("WANDB_NOTES"));
  const tags = envValue("WANDB_TAGS")?.split(",").map((t) => t.trim()).filter(Boolean);
  fill("tags", tags?.length ? tags : undefined);
  fill("group", envValue("WANDB_RUN_GROUP"));
  fill("jobType", envValue("WANDB_JOB_TYPE"));
  fill("project", envValue("WANDB_PROJECT"));
  fill("entity", envValue("WANDB_ENTITY"));
  const mode = envValue("WANDB_MODE")?.toLowerCase();
  // W&B also spells offline "dryrun".
  fill("mode", (mode === "dryrun" ? "offline" : mode) as InitRunOptions["mode"]);
  if (envValue("WANDB_CONSOLE")?.toLowerCase() === "off") fill("captureConsole", false);
  return o;
}
