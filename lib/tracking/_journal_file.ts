// The journal file format: one line per logMetrics call, "<step>,<time ms>,<values JSON>\n".
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A history row waiting to go into SQLite: step, time (ms), values JSON. */
export type PendingRow = [number, number, string];

/** Path of a run's journal in the store `dir`. */
export function journalPath(dir: string, runId: string): string {
  return join(dir, "journal", `${runId}.log`);
}

/** Parses journal lines after the first `skip` (a trailing partial line is ignored). */
export function readJournal(path: string, skip: number): PendingRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or a partial line whose write never returned
  const rows: PendingRow[] = [];
  for (let i = skip; i < lines.length; i++) {
    const line = lines[i];
    const a = line.indexOf(","), b = line.indexOf(",", a + 1);
    if (a < 0 || b < 0) continue;
    rows.push([Number(line.slice(0, a)), Number(line.slice(a + 1, b)), line.slice(b + 1)]);
  }
  return rows;
}
