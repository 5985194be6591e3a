// W&B's JSON for file_stream lines and the summary file: NaN and ±Infinity as bare tokens (the SDK's
// extended JSON, wandb/wandb core/internal/runsummary/runsummary.go `Serialize`, simplejsonext).
import { WandbError } from "./errors.ts";

/**
 * One JSON line, with NaN and ±Infinity written as the bare tokens `NaN`, `Infinity`, `-Infinity` (as
 * W&B's own SDKs send them) instead of JSON.stringify's silent `null`.
 */
export function wandbJsonLine(what: string, value: unknown): string {
  const nonce = crypto.randomUUID();
  let special = false;
  const line = JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "number" && !Number.isFinite(v)) {
      special = true;
      return `${nonce}${Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"}`;
    }
    return v;
  });
  if (line === undefined) throw new WandbError("config", `Cannot send ${what}: it is not JSON-serialisable`);
  return special ? line.replace(new RegExp(`"${nonce}(NaN|Infinity|-Infinity)"`, "g"), "$1") : line;
}
