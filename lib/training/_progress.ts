/**
 * Progress bars of training on stderr (npm:cli-progress), only for training: serving never loads it.
 * @module
 */
// @ts-types="./_cli_progress.d.ts"
import cliProgress from "npm:cli-progress@3.12.0";
import type { SingleBar } from "./_cli_progress.d.ts";
import process from "node:process";

/** A bar labelled `label` when `enabled` (stderr is a terminal or the caller asked), else null. */
export function makeBar(enabled: boolean, label: string): SingleBar | null {
  if (!enabled) return null;
  return new cliProgress.SingleBar({
    format: `${label.padEnd(24)} [{bar}] {percentage}% {value}/{total} {duration}s`,
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: false,
  }, cliProgress.Presets.shades_classic);
}
