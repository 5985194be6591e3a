// The journal file format. Each logMetrics call appends one record:
//
//   "\n" <crc32 hex, 8 digits> "," <seq> "," <step> "," <time ms> "," <values JSON>
//
// The CRC covers everything after its comma. A record starts with a newline instead of ending with one, so
// a torn record (a short write on a full disk, a kill mid-write) never swallows the next one: replay drops a
// record whose CRC does not match and keeps every intact record before and after it. `seq` numbers records
// from 1 per run; runs.journal_lines holds the highest seq already in SQLite. Journals written before
// records had a CRC hold "<step>,<time ms>,<values JSON>\n" lines; line i (from 1) is read as seq i.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";

/** A history row waiting to go into SQLite: step, time (ms), values JSON, record seq. */
export type PendingRow = [number, number, string, number];

/** Path of a run's journal in the store `dir`. */
export function journalPath(dir: string, runId: string): string {
  return join(dir, "journal", `${runId}.log`);
}

function crcHex(body: string): string {
  return (crc32(body) >>> 0).toString(16).padStart(8, "0");
}

/** One journal record (with its leading newline). */
export function encodeRecord(seq: number, step: number, ts: number, json: string): string {
  const body = `${seq},${step},${ts},${json}`;
  return `\n${crcHex(body)},${body}`;
}

const RECORD = /^([0-9a-f]{8}),((\d+),(-?\d+),(\d+),)/;
const LEGACY = /^(-?\d+),(\d+),[[{]/;

function validJson(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

/**
 * Intact journal records with a seq above `afterSeq`, in order, those of one step merged into one row. Torn or damaged records (bad CRC, a
 * legacy line that is not complete JSON) are skipped; nothing that is not valid JSON is returned.
 */
export function readJournal(path: string, afterSeq: number): PendingRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const rows: PendingRow[] = [];
  // Consecutive records of one step make one row (W&B's step rules, log_metrics.ts), as they did in the
  // process that wrote them; the row carries the seq of its last record.
  const push = (row: PendingRow) => {
    const last = rows.at(-1);
    if (last && last[0] === row[0]) {
      last[2] = JSON.stringify({ ...JSON.parse(last[2]), ...JSON.parse(row[2]) });
      last[3] = row[3];
    } else rows.push(row);
  };
  const lines = text.split("\n");
  let legacy = 0;
  for (const line of lines) {
    if (line === "") continue;
    const m = RECORD.exec(line);
    if (m) {
      const seq = Number(m[3]);
      if (seq <= afterSeq || crcHex(line.slice(9)) !== m[1]) continue;
      const json = line.slice(m[0].length);
      if (validJson(json)) push([Number(m[4]), Number(m[5]), json, seq]);
      continue;
    }
    const l = LEGACY.exec(line);
    if (!l) continue;
    const seq = ++legacy;
    const json = line.slice(line.indexOf(",", l[1].length + 1) + 1);
    if (seq > afterSeq && validJson(json)) push([Number(l[1]), Number(l[2]), json, seq]);
  }
  return rows;
}
