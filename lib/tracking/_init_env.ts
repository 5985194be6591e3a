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

/** Options with the environment filled in, and which variable each filled option came from. */
export interface WithEnvironment {
  options: InitRunOptions;
  /** Option -> the variable it was read from (so that a problem names the variable the user set). */
  variables: Partial<Record<keyof InitRunOptions, string>>;
}

/** `options` with each unset option taken from its variable. */
export function withEnvironment(options: InitRunOptions): WithEnvironment {
  const o: InitRunOptions = { ...options };
  const variables: WithEnvironment["variables"] = {};
  const fill = <K extends keyof InitRunOptions>(
    key: K,
    value: InitRunOptions[K] | undefined,
    name: string,
  ) => {
    if (o[key] === undefined && value !== undefined) {
      o[key] = value;
      variables[key] = name;
    }
  };
  const from = <K extends keyof InitRunOptions>(key: K, name: string) =>
    fill(key, envValue(name) as InitRunOptions[K] | undefined, name);
  from("id", "WANDB_RUN_ID");
  from("resume", "WANDB_RESUME");
  from("name", "WANDB_NAME");
  from("notes", "WANDB_NOTES");
  const tags = envValue("WANDB_TAGS")?.split(",").map((t) => t.trim()).filter(Boolean);
  fill("tags", tags?.length ? tags : undefined, "WANDB_TAGS");
  from("group", "WANDB_RUN_GROUP");
  from("jobType", "WANDB_JOB_TYPE");
  from("project", "WANDB_PROJECT");
  from("entity", "WANDB_ENTITY");
  const mode = envValue("WANDB_MODE")?.toLowerCase();
  // W&B also spells offline "dryrun".
  fill("mode", (mode === "dryrun" ? "offline" : mode) as InitRunOptions["mode"], "WANDB_MODE");
  if (envValue("WANDB_CONSOLE")?.toLowerCase() === "off") fill("captureConsole", false, "WANDB_CONSOLE");
  return { options: o, variables };
}
