/**
 * The one task skeleton (tasks/_cli.ts) as a user meets it: every task's `--help` is generated from its flag
 * table and lists every flag described; the README's task table lists exactly those flags; bad flags give a
 * clean message (no Node advice with a broken quote) and exit 1; the tracked tasks share the same tracking
 * flags with the same defaults.
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runTask } from "./_task_env.ts";

const TASKS = [...Deno.readDirSync(`${ROOT}/tasks`)]
  .map((e) => e.name).filter((n) => n.endsWith(".ts") && !n.startsWith("_")).map((n) => n.slice(0, -3))
  .sort();
/** The tasks that start a run (merge records the merged evaluation as one). */
const TRACKED = ["evaluate", "merge", "train", "video"];

async function help(task: string): Promise<string> {
  const home = await Deno.makeTempDir();
  try {
    const r = await runTask(`tasks/${task}.ts`, ["--help"], { HOME: home, SENTILAB_DIR: `${home}/store` });
    assert.equal(r.code, 0, `${task} --help: ${r.stderr}`);
    assert.equal(own(r.stderr), "", `${task} --help writes nothing on stderr`);
    return r.stdout;
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** stderr without Deno's own lines: filling node_modules, or waiting for another process's lock on it. */
function own(stderr: string): string {
  return stderr.split("\n").filter((l) => !/^(Initialize|Download) |^Blocking waiting for file lock/.test(l))
    .join("\n").trim();
}

/** The flags a help text describes: `--name` at the start of an option line, with its description. */
function helpFlags(text: string): Map<string, string> {
  const flags = new Map<string, string>();
  const lines = text.split("\n");
  lines.forEach((l, i) => {
    const m = l.match(/^ {2}(?:-\w, )?--([\w-]+)(?: \S+)?(?: {2,}(\S.*))?$/);
    if (m) flags.set(m[1], (m[2] ?? lines[i + 1] ?? "").trim());
  });
  flags.delete("help");
  return flags;
}

/** The flags the README's task table lists for `deno task NAME`. */
function readmeFlags(readme: string, task: string): Set<string> {
  const rows = readme.split("\n").filter((l) =>
    l.startsWith(`| \`deno task ${task} `) || l === `| \`deno task ${task}\``
  );
  assert.equal(rows.length, 1, `README's task table has one row for deno task ${task}`);
  return new Set([...rows[0].matchAll(/--([a-z][\w-]*)/g)].map((m) => m[1]).filter((f) => f !== "help"));
}

Deno.test("every task's --help describes every flag, and the README task table lists exactly those", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  assert.ok(TASKS.length >= 7, TASKS.join(","));
  const helps = await Promise.all(TASKS.map(help));
  TASKS.forEach((task, i) => {
    assert.match(helps[i], new RegExp(`^usage: deno task ${task} `), `${task}: usage first`);
    assert.match(helps[i], /\nexit status: 0 when done, 1 on an error/);
    const flags = helpFlags(helps[i]);
    assert.ok(flags.size > 0, task);
    for (const [flag, text] of flags) assert.ok(text.length > 10, `${task} --${flag} is described`);
    // one way of writing a default, the one generated from the table: "(default: X)"
    assert.doesNotMatch(
      helps[i].replace(/\s+/g, " "),
      /\(default [^:]/,
      `${task}: defaults as "(default: X)"`,
    );
    // the usage lines name a flag's value as the option list does (not --dir D there and --dir DIR here)
    const args = new Map(
      [...helps[i].matchAll(/^ {2}(?:-\w, )?--([\w-]+) ([A-Z][^\s]*)/gm)].map((m) => [m[1], m[2]]),
    );
    const usage = helps[i].slice(0, helps[i].indexOf("\noptions:"));
    for (const [, flag, arg] of usage.matchAll(/--([\w-]+) ([A-Z][\w|,.]*)/g)) {
      if (args.has(flag)) assert.equal(arg, args.get(flag), `${task}: usage says --${flag} ${arg}`);
    }
    assert.ok(
      // (V8 flags allowed: evaluate and predict cap each thread's heap, see README "Scaling")
      (Object.values(denoJson.tasks) as string[]).some((t) =>
        new RegExp(`^deno run -A (--v8-flags=\\S+ )?tasks/${task}\\.ts$`).test(t)
      ),
      `deno.json runs ${task}`,
    );
    assert.deepEqual(
      [...readmeFlags(readme, task)].sort(),
      [...flags.keys()].sort(),
      `README's row for deno task ${task} lists the flags of its --help`,
    );
  });
  // The tracked tasks share one tracking section, word for word, with --tracker defaulting to auto.
  const section = (t: string) =>
    t.slice(t.indexOf("tracking options"), t.indexOf("\nexit status")).replace(/\s+/g, " ");
  assert.deepEqual(
    TASKS.filter((_, i) => helps[i].includes("\ntracking options")),
    TRACKED,
    "exactly the tracked tasks have the tracking options",
  );
  const tracked = TRACKED.map((t) => section(helps[TASKS.indexOf(t)]));
  for (const s of tracked) {
    assert.equal(s, tracked[0]);
    for (const f of ["wandb", "tracker", "project", "name", "group", "tags", "notes"]) {
      assert.match(s, new RegExp(` --${f} `));
    }
    assert.match(s, /\(default: auto\)/);
  }
});

Deno.test("bad flags: one clean message naming the flag, exit 1, for every task", async () => {
  const home = await Deno.makeTempDir();
  try {
    const env = { HOME: home, SENTILAB_DIR: `${home}/store` };
    const results = await Promise.all(TASKS.map((t) => runTask(`tasks/${t}.ts`, ["--bogus"], env)));
    TASKS.forEach((task, i) => {
      const r = results[i];
      assert.equal(r.code, 1, task);
      assert.equal(r.stdout, "", task);
      assert.equal(
        own(r.stderr),
        `error: unknown option --bogus; \`deno task ${task} --help\` lists the options`,
      );
    });
    const typo = await runTask("tasks/predict.ts", ["--modle", "lexicon", "hi"], env);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /^error: unknown option --modle \(did you mean --model\?\)/);
    const cases: [string, string[], RegExp][] = [
      ["runs", ["--limit"], /^error: --limit needs a value: --limit N\n$/],
      ["runs", ["--json=yes"], /^error: --json is a switch and takes no value \(got "yes"\)\n$/],
      ["runs", ["--limit", "-2"], /^error: --limit must be a non-negative integer, got "-2"\n$/],
      ["runs", ["a", "b"], /^error: give one run ID, or 'compare' and two or more run IDs; got a b/],
      ["video", [], /^error: deno task video takes exactly 1 video FILE, got 0/],
      [
        "train",
        ["--out", "x", "--wandb", "--tracker", "local"],
        /^error: --wandb conflicts with --tracker local/,
      ],
      [
        "video",
        ["x.mp4", "--tracker", "cloud"],
        /^error: --tracker must be one of auto, local, console, wandb/,
      ],
      ["video", ["x.mp4", "--group", "a/b"], /^error: --group "a\/b": use 1 to 128 characters/],
    ];
    for (const [task, args, re] of cases) {
      const r = await runTask(`tasks/${task}.ts`, args, env);
      assert.equal(r.code, 1, `${task} ${args.join(" ")}`);
      assert.match(r.stderr, re, `${task} ${args.join(" ")}`);
      assert.doesNotMatch(r.stderr, /'-- "/);
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
