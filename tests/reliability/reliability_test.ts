// The reliability matrix as a test: every case keeps its promise (see _matrix.ts); the table is printed.
import { ALL_CASES } from "./main.ts";
import { formatTable, runMatrix } from "./_matrix.ts";

Deno.test("reliability matrix: faults and bad input keep sentilab's promises", async () => {
  const rows = await runMatrix(ALL_CASES);
  console.log(formatTable(rows));
  const failed = rows.filter((r) => !r.pass);
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} case(s) broke a promise: ${failed.map((r) => `${r.group}: ${r.name}`).join("; ")}`,
    );
  }
  if (rows.length < 60) throw new Error(`the matrix has ${rows.length} cases, fewer than 60`);
});
