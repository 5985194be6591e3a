// Artifact, run and file names; config, summary, metric and table values: refused before anything is
// written, with a message naming the field (with strict), or one warning (without).
import { symlinkSync } from "node:fs";
import {
  finishRun,
  getRun,
  initRun,
  logArtifact,
  logMetrics,
  logTable,
  setSummary,
} from "../../lib/tracking/mod.ts";
import { checkFilePath } from "../../lib/tracking/wandb/_names.ts";
import { type Case, type Outcome, rejects, short, withTemp } from "./_matrix.ts";
import { warnings } from "../_warnings.ts";

/** A strict run in a temp store with a file a.txt next to it. */
function withRun(fn: (run: Awaited<ReturnType<typeof initRun>>, dir: string) => Promise<Outcome>) {
  return () =>
    withTemp(async (dir) => {
      await Deno.writeTextFile(`${dir}/a.txt`, "x");
      const run = await initRun({ dir: `${dir}/store`, strict: true, captureConsole: false });
      try {
        return await fn(run, dir);
      } finally {
        await finishRun(run);
      }
    });
}

const badName = (name: string, label: string, re: RegExp): Case => ({
  group: "names",
  name: `artifact name ${label}`,
  expected: "refused, naming the rule",
  run: withRun((run, dir) =>
    rejects(() => logArtifact(run, { name, type: "dataset", files: [`${dir}/a.txt`] }), re)
  ),
});

const badFile = (file: string, label: string): Case => ({
  group: "names",
  name: `file name inside an artifact ${label}`,
  expected: "refused: must stay inside the artifact",
  run: withRun((run, dir) =>
    rejects(
      () =>
        logArtifact(run, { name: "data", type: "dataset", files: [{ path: `${dir}/a.txt`, name: file }] }),
      /file name/,
    )
  ),
});

const badCell = (cell: unknown, label: string, re: RegExp): Case => ({
  group: "values",
  name: `table cell ${label}`,
  expected: "refused naming row and column (no silent null)",
  run: withRun((run) =>
    rejects(() => logTable(run, "t", { columns: ["text", "score"], rows: [["a", 1], ["b", cell]] }), re)
  ),
});

let deep: Record<string, unknown> = { v: 1 };
for (let i = 0; i < 5000; i++) deep = { a: deep };
const circular: Record<string, unknown> = {};
circular.self = circular;

export const VALUE_CASES: Case[] = [
  badName(".", "'.'", /cannot be '\.'/),
  badName("model\u202Etxt.onnx", "with U+202E (right-to-left override)", /bidirectional control/),
  badName("a\u2066b", "with U+2066 (isolate)", /bidirectional control/),
  badName("a/b", "'a/b'", /cannot contain '\/'/),
  badName("..", "'..'", /cannot contain '\.\.'/),
  badName("a\nb", "with a newline", /control characters/),
  badName("x".repeat(129), "of 129 characters", /longer than 128/),
  {
    group: "names",
    name: "alias 'v3'",
    expected: "refused: looks like a version index",
    run: withRun((run, dir) =>
      rejects(
        () =>
          logArtifact(run, { name: "data", type: "dataset", files: [`${dir}/a.txt`] }, { aliases: ["v3"] }),
        /version index/,
      )
    ),
  },
  badFile("../x.txt", "'../x.txt'"),
  badFile("a\\..\\..\\b.txt", "'a\\..\\..\\b.txt'"),
  badFile("x\u0007y.txt", "with a control character"),
  badFile("/etc/x", "'/etc/x'"),
  {
    group: "names",
    name: "symlink in a folder pointing outside it",
    expected: "refused before anything is copied",
    run: withRun(async (run, dir) => {
      await Deno.mkdir(`${dir}/f`);
      await Deno.writeTextFile(`${dir}/secret.txt`, "s");
      symlinkSync(`${dir}/secret.txt`, `${dir}/f/link.txt`);
      return await rejects(
        () => logArtifact(run, { name: "data", type: "dataset", files: [`${dir}/f`] }),
        /pointing outside/,
      );
    }),
  },
  {
    group: "names",
    name: "table key 'a:b'",
    expected: "refused",
    run: withRun((run) =>
      rejects(() => logTable(run, "a:b", { columns: ["x"], rows: [[1]] }), /cannot contain ':'/)
    ),
  },
  {
    group: "names",
    name: "run name with U+202E",
    expected: "refused with strict",
    run: () =>
      withTemp((dir) =>
        rejects(() => initRun({ dir, name: "run\u202E", strict: true }), /bidirectional control/)
      ),
  },
  {
    group: "names",
    name: "W&B client: manifest name '../x'",
    expected: "refused by the same rule",
    run: () => rejects(() => checkFilePath("file name", "../x"), /Invalid file name/),
  },
  {
    group: "values",
    name: "config NaN with strict",
    expected: "error naming config.lr",
    run: () =>
      withTemp((dir) =>
        rejects(() => initRun({ dir, config: { lr: NaN }, strict: true }), /config\.lr is NaN/)
      ),
  },
  {
    group: "values",
    name: "config NaN without strict",
    expected: "one warning; config.lr dropped, others kept",
    run: () =>
      withTemp(async (dir) => {
        let kept: unknown;
        const w = await warnings(async () => {
          const run = await initRun({ dir, config: { lr: NaN, seed: 1 }, captureConsole: false });
          kept = run.config;
          await finishRun(run);
        });
        return {
          observed: `config ${JSON.stringify(kept)}; ${short(w.join(" "), 60)}`,
          pass: JSON.stringify(kept) === '{"seed":1}' && w.length === 1 && /config\.lr is NaN/.test(w[0]),
        };
      }),
  },
  {
    group: "values",
    name: "config nested 5,000 levels without strict",
    expected: "one readable warning (no RangeError)",
    run: () =>
      withTemp(async (dir) => {
        const w = await warnings(async () => {
          await finishRun(await initRun({ dir, config: { deep }, captureConsole: false }));
        });
        return {
          observed: short(w.join(" ")),
          pass: w.length === 1 && /config\.deep is nested more than 100 levels/.test(w[0]),
        };
      }),
  },
  {
    group: "values",
    name: "config nested 5,000 levels with strict",
    expected: "TrackingError naming config.deep",
    run: () =>
      withTemp((dir) =>
        rejects(
          () => initRun({ dir, config: { deep }, strict: true }),
          /TrackingError: .*config\.deep is nested/,
        )
      ),
  },
  {
    group: "values",
    name: "config with a cycle",
    expected: "refused, not a crash",
    run: () =>
      withTemp((dir) =>
        rejects(
          () => initRun({ dir, config: { circular }, strict: true }),
          /TrackingError: .*config\.circular/,
        )
      ),
  },
  badCell(NaN, "NaN", /row 1, column 'score' is NaN/),
  badCell(Infinity, "Infinity", /row 1, column 'score' is Infinity/),
  badCell(-Infinity, "-Infinity", /row 1, column 'score' is -Infinity/),
  badCell(undefined, "undefined", /row 1, column 'score' is undefined/),
  badCell({ p: [1, NaN] }, "{ p: [1, NaN] }", /column 'score'\.p\[1\] is NaN/),
  badCell("x".repeat(1024 * 1024 + 1), "over 1 MB", /row 1, column 'score' is 1\.00 MB, over the 1 MB limit/),
  {
    group: "values",
    name: "table row of the wrong length",
    expected: "refused naming the row",
    run: withRun((run) =>
      rejects(
        () => logTable(run, "t", { columns: ["a", "b"], rows: [[1, 2], [3]] }),
        /row 1 has 1 values, expected 2/,
      )
    ),
  },
  {
    group: "values",
    name: "table with NaN without strict",
    expected: "one warning; no table with a silent null",
    run: () =>
      withTemp(async (dir) => {
        let tables = -1;
        const w = await warnings(async () => {
          const run = await initRun({ dir, captureConsole: false });
          await logTable(run, "t", { columns: ["score"], rows: [[NaN]] });
          await finishRun(run);
          tables = getRun(run.id, { dir })!.tables.length;
        });
        return {
          observed: `${tables} tables; ${short(w.join(" "), 60)}`,
          pass: tables === 0 && /is NaN/.test(w.join(" ")),
        };
      }),
  },
  {
    group: "values",
    name: "metric NaN",
    expected: "refused: finite numbers only",
    run: withRun((run) => rejects(() => logMetrics(run, { loss: NaN }), /finite numbers/)),
  },
  {
    group: "values",
    name: "summary Infinity",
    expected: "refused naming summary.best",
    run: withRun((run) => rejects(() => setSummary(run, { best: Infinity }), /best is Infinity/)),
  },
];
