// CLI flags and files: every bad input exits 1 with a message naming it; nothing a user owns is touched.
import { type Case, task, taskFails, withTemp } from "./_matrix.ts";

const G = "cli";
const CSV = "text,label\ngreat film,positive\nawful film,negative\nit opens at nine,neutral\n";

/** A case with a data folder holding d.csv (3 labelled rows). */
function withData(fn: (dir: string) => Promise<import("./_matrix.ts").Outcome>) {
  return () =>
    withTemp(async (dir) => {
      await Deno.writeTextFile(`${dir}/d.csv`, CSV);
      return await fn(dir);
    });
}

const evalFails = (name: string, args: (dir: string) => string[], re: RegExp, expected: string): Case => ({
  group: G,
  name,
  expected,
  run: withData((dir) =>
    taskFails(
      "evaluate",
      ["--model", "lexicon", "--data", `${dir}/d.csv`, ...args(dir)],
      dir,
      re,
      async () => {
        // nothing tracked: no store was created
        return await Deno.stat(`${dir}/store/store.db`).then(() => false, () => true);
      },
    )
  ),
});

export const CLI_CASES: Case[] = [
  {
    group: G,
    name: "evaluate on good data",
    expected: "exit 0, a finished run",
    run: withData(async (dir) => {
      const r = await task("evaluate", ["--model", "lexicon", "--data", `${dir}/d.csv`, "--json"], dir);
      return { observed: `exit ${r.code}`, pass: r.code === 0 };
    }),
  },
  evalFails(
    "evaluate --data x.txt (missing)",
    (d) => ["--data", `${d}/x.txt`],
    /x\.txt: the file does not exist/,
    "exit 1: the file does not exist",
  ),
  evalFails(
    "evaluate --limit 0x10",
    () => ["--limit", "0x10"],
    /--limit must be a positive integer, got "0x10"/,
    "exit 1: --limit must be a positive integer",
  ),
  evalFails(
    "evaluate --limit ' 5'",
    () => ["--limit= 5"],
    /--limit must be a positive integer, got " 5"/,
    "exit 1: --limit must be a positive integer",
  ),
  evalFails(
    "evaluate --limit 0",
    () => ["--limit", "0"],
    /--limit must be a positive integer/,
    "exit 1: --limit must be a positive integer",
  ),
  evalFails(
    "evaluate --limit=-3",
    () => ["--limit=-3"],
    /--limit must be a positive integer/,
    "exit 1: --limit must be a positive integer",
  ),
  evalFails(
    "evaluate --batch-size 1.5",
    () => ["--batch-size", "1.5"],
    /--batch-size must be a positive integer/,
    "exit 1: --batch-size must be a positive integer",
  ),
  evalFails(
    "evaluate --bogus",
    () => ["--bogus"],
    /unknown option --bogus/,
    "exit 1: unknown option --bogus",
  ),
  evalFails("evaluate --data a folder", (d) => ["--data", d], /is a directory/, "exit 1: is a directory"),
  evalFails(
    "evaluate --data header-only csv",
    (d) => {
      Deno.writeTextFileSync(`${d}/e.csv`, "text,label\n");
      return ["--data", `${d}/e.csv`];
    },
    /no samples found/,
    "exit 1: no samples found",
  ),
  evalFails(
    "evaluate --data jsonl with a bad line 2",
    (d) => {
      Deno.writeTextFileSync(`${d}/b.jsonl`, '{"text":"a","label":"positive"}\n{"text": oops}\n');
      return ["--data", `${d}/b.jsonl`];
    },
    /b\.jsonl:2: invalid JSON/,
    "exit 1: names b.jsonl:2",
  ),
  evalFails(
    "evaluate --data invalid UTF-8",
    (d) => {
      Deno.writeFileSync(
        `${d}/u.csv`,
        new Uint8Array([...new TextEncoder().encode("text,label\n"), 0xff, 0xfe, 10]),
      );
      return ["--data", `${d}/u.csv`];
    },
    /u\.csv:2: invalid UTF-8/,
    "exit 1: names u.csv:2, invalid UTF-8",
  ),
  evalFails(
    "evaluate --model no-such-model",
    () => ["--model", "no-such-model"],
    /no-such-model/,
    "exit 1: names the model",
  ),
  evalFails(
    "evaluate --tracker bogus",
    () => ["--tracker", "bogus"],
    /--tracker must be one of/,
    "exit 1: --tracker must be one of ...",
  ),
  {
    group: G,
    name: "train --out a folder with the user's files",
    expected: "exit 1 naming it and --force; files kept",
    run: withData(async (dir) => {
      await Deno.mkdir(`${dir}/u/sub`, { recursive: true });
      await Deno.writeTextFile(`${dir}/u/thesis.txt`, "draft\n");
      const out = await taskFails(
        "train",
        ["--train", `${dir}/d.csv`, "--val", `${dir}/d.csv`, "--out", `${dir}/u`, "--tracker", "disabled"],
        dir,
        /--out .*\/u is not a sentilab model folder.*--force/,
        async () => (await Deno.readTextFile(`${dir}/u/thesis.txt`)) === "draft\n",
      );
      return out;
    }),
  },
  {
    group: G,
    name: "train --out a regular file",
    expected: "exit 1 naming it and --force; file kept",
    run: withData(async (dir) => {
      await Deno.writeTextFile(`${dir}/notes.txt`, "mine\n");
      return await taskFails(
        "train",
        [
          "--train",
          `${dir}/d.csv`,
          "--val",
          `${dir}/d.csv`,
          "--out",
          `${dir}/notes.txt`,
          "--tracker",
          "disabled",
        ],
        dir,
        /notes\.txt is a file.*--force/,
        async () => (await Deno.readTextFile(`${dir}/notes.txt`)) === "mine\n",
      );
    }),
  },
  {
    group: G,
    name: "train --seed 0x10",
    expected: "exit 1: --seed must be an integer",
    run: withData((dir) =>
      taskFails(
        "train",
        ["--train", `${dir}/d.csv`, "--val", `${dir}/d.csv`, "--out", `${dir}/m`, "--seed", "0x10"],
        dir,
        /--seed must be an integer, got "0x10"/,
      )
    ),
  },
  {
    group: G,
    name: "train --max-epochs 0",
    expected: "exit 1: --max-epochs must be a positive integer",
    run: withData((dir) =>
      taskFails(
        "train",
        ["--train", `${dir}/d.csv`, "--val", `${dir}/d.csv`, "--out", `${dir}/m`, "--max-epochs", "0"],
        dir,
        /--max-epochs must be a positive integer/,
      )
    ),
  },
  {
    group: G,
    name: "runs --limit 0x10",
    expected: "exit 1: --limit must be a non-negative integer",
    run: withData((dir) =>
      taskFails("runs", ["--limit", "0x10"], dir, /--limit must be a non-negative integer, got "0x10"/)
    ),
  },
];
