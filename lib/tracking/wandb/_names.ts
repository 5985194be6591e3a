/**
 * Name checks (private).
 * @module
 */
import { WandbError } from "./errors.ts";

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

/** Checks a file path inside an artifact or a run: relative, `/`-separated, no `..`. */
export function checkFilePath(what: string, value: unknown): string {
  if (
    typeof value !== "string" || value === "" || value.startsWith("/") || value.includes("\\") ||
    value.split("/").some((p) => p === "" || p === "." || p === "..")
  ) {
    throw new WandbError(
      "config",
      `Invalid ${what} ${JSON.stringify(value)}: use a relative '/'-separated path without '.' or '..'`,
    );
  }
  return value;
}
