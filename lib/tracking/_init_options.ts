// initRun's options checked: each invalid option is dropped on its own with its reason, or (strict) the
// first one throws.
import { TrackingError } from "./_errors.ts";
import { describe, nameProblem, toJson } from "./_validate.ts";
import { KNOWN_OPTIONS } from "./_init_env.ts";
import { type InitRunOptions, type ResumeMode, type RunMode, TRACKER_KINDS } from "./types.ts";

const RESUME_MODES: readonly ResumeMode[] = ["allow", "must", "never"];
const RUN_MODES: readonly RunMode[] = ["online", "offline", "disabled"];

/** Why `id` cannot be a run id (W&B's rule, wandb/sdk/wandb_settings.py validate_run_id), or null. */
function runIdProblem(id: unknown): string | null {
  if (typeof id !== "string" || id.length === 0) return "a run id is a non-empty string";
  if (id.trim() !== id) return "a run id cannot start or end with whitespace";
  if (/[:;,#?/'\\]/.test(id)) return "a run id cannot contain any of : ; , # ? / ' \\";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id) || id === "." || id === "..") {
    return "a run id cannot be . or .. or hold control characters";
  }
  if (id.length > 128) return "a run id is at most 128 characters";
  return null;
}

/** Options after validation, the config's JSON, and what was dropped (non-strict mode only). */
export interface CheckedOptions {
  opts: InitRunOptions;
  configJson: string;
  /** One entry per dropped option: "what ('value'): why". */
  dropped: string[];
}

/**
 * Validates the options. With `strict`, the first problem throws; otherwise each invalid option (or config
 * entry) is dropped on its own, so the run keeps every valid one, and the problems are returned.
 */
export function checkOptions(
  options: InitRunOptions,
  strict: boolean,
  variables: Partial<Record<keyof InitRunOptions, string>> = {},
): CheckedOptions {
  const ctx = "Cannot start run";
  // An option read from the environment is named by its variable, which is what the user set.
  const option = (key: keyof InitRunOptions) =>
    variables[key] ? `${variables[key]} (initRun's '${key}')` : `option '${key}'`;
  const dropped: string[] = [];
  const opts: InitRunOptions = { ...options };
  const problem = (message: string, drop: () => void, instead = "") => {
    if (strict) throw new TrackingError(`${ctx}: ${message}`);
    dropped.push(message + instead);
    drop();
  };
  for (const key of Object.keys(options)) {
    if (!(KNOWN_OPTIONS as readonly string[]).includes(key)) {
      problem(
        `unknown option '${key}' (initRun knows ${KNOWN_OPTIONS.join(", ")})`,
        () => delete (opts as Record<string, unknown>)[key],
        " (ignored)",
      );
    }
  }
  if (options.id !== undefined) {
    const bad = runIdProblem(options.id);
    if (bad) {
      problem(
        `${option("id")} (${describe(options.id)}): ${bad}`,
        () => delete opts.id,
        " (a new id is used)",
      );
    }
  }
  if (options.resume !== undefined && !RESUME_MODES.includes(options.resume)) {
    problem(
      `${option("resume")} ('${options.resume}') is not one of ${RESUME_MODES.join(", ")}`,
      () => delete opts.resume,
    );
  }
  if (options.mode !== undefined && !RUN_MODES.includes(options.mode)) {
    problem(
      `${option("mode")} ('${options.mode}') is not one of ${RUN_MODES.join(", ")}`,
      () => delete opts.mode,
    );
  }
  if (options.entity !== undefined && nameProblem(options.entity, "name")) {
    problem(
      `${option("entity")} (${describe(options.entity)}): ${
        nameProblem(options.entity, "name")!.replace("names", "values")
      }`,
      () => delete opts.entity,
    );
  }
  if (options.tracker !== undefined && !TRACKER_KINDS.includes(options.tracker)) {
    problem(
      `tracker '${options.tracker}' is not one of ${TRACKER_KINDS.join(", ")}`,
      () => delete opts.tracker,
      ` (using "auto")`,
    );
  }
  if (options.dir !== undefined && typeof options.dir !== "string") {
    problem(`${option("dir")} must be a path string, got ${describe(options.dir)}`, () => delete opts.dir);
  }
  for (const field of ["project", "name", "group", "jobType"] as const) {
    const v = options[field];
    if (v === undefined) continue;
    const bad = nameProblem(v, "name");
    if (bad) {
      const instead = field === "project" || field === "name" ? " (the default is used)" : "";
      problem(
        `${option(field)} ('${v}'): ${bad.replace("names", "values")}`,
        () => delete opts[field],
        instead,
      );
    }
  }
  if (options.tags !== undefined) {
    if (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== "string" || t.length === 0)) {
      problem(`${option("tags")} must be an array of non-empty strings`, () => delete opts.tags);
    }
  }
  if (options.captureConsole !== undefined && typeof options.captureConsole !== "boolean") {
    problem(
      `${option("captureConsole")} must be true or false, got ${describe(options.captureConsole)}`,
      () => delete opts.captureConsole,
      " (capturing, the default)",
    );
  }
  if (options.notes !== undefined && typeof options.notes !== "string") {
    problem(`${option("notes")} must be a string`, () => delete opts.notes);
  }
  const config = options.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    problem(`${option("config")} must be an object of key -> value`, () => delete opts.config);
    return { opts, configJson: "{}", dropped };
  }
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    try {
      toJson(v, `config.${k}`, ctx);
      kept[k] = v;
    } catch (e) {
      if (strict) throw e;
      dropped.push((e as Error).message.slice(ctx.length + 2));
    }
  }
  return { opts, configJson: JSON.stringify(kept), dropped };
}
