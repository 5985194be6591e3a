/**
 * `deno task check:reliability`: runs the reliability matrix (tests/reliability/_cases_*.ts) and prints one
 * table: case, expected, observed, pass. Exits 1 when a case breaks its promise.
 * @module
 */
import { CLI_CASES } from "./_cases_cli.ts";
import { VALUE_CASES } from "./_cases_values.ts";
import { STORE_CASES } from "./_cases_store.ts";
import { REMOTE_CASES } from "./_cases_remote.ts";
import { type Case, formatTable, runMatrix } from "./_matrix.ts";

/** Every case of the matrix. */
export const ALL_CASES: Case[] = [...CLI_CASES, ...VALUE_CASES, ...STORE_CASES, ...REMOTE_CASES];

if (import.meta.main) {
  const rows = await runMatrix(ALL_CASES);
  console.log(formatTable(rows));
  Deno.exit(rows.every((r) => r.pass) ? 0 : 1);
}
