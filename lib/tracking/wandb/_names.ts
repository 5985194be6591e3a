/**
 * Name checks (private).
 * @module
 */
import { WandbError } from "./errors.ts";
import { fileNameProblem } from "../_file_name.ts";

/** Checks a run id or project name. */
export function checkName(what: string, value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_.\-]{1,128}$/.test(value)) {
    throw new WandbError(
      "config",
      `Invalid W&B ${what} ${JSON.stringify(value)}: use 1..128 letters, digits, '-', '_' or '.'`,
    );
  }
  return value;
}

/** Checks a file path inside an artifact or a run with the store's rule (relative, no `..`, ...). */
export function checkFilePath(what: string, value: unknown): string {
  const problem = fileNameProblem(value);
  if (problem !== null) {
    throw new WandbError("config", `Invalid ${what}: ${problem}; use a relative '/'-separated path`);
  }
  return value as string;
}
