/**
 * `deno task bench:ui`: page times of the viewer (`deno task ui`) over HTTP on loopback, against named
 * baselines measured in the same run.
 *
 *   - The runs list of a store with 10,000 runs: first page, last page, sorted by a summary metric,
 *     filtered by text (target < 300 ms a page). Baseline: the bare SQLite query of the same page
 *     (`SELECT * ... ORDER BY ... LIMIT 50 OFFSET n` on the same database).
 *   - A 1,000,000-row prediction table: first page, a page in the middle, the last page (target < 200 ms).
 *     Baseline: getTableRows of the same 50 rows (the read API alone, no HTML).
 *   - For information: the first "errors only" page of that table (a full scan, then cached) and the next;
 *     a run page with 200,000 history rows, first view (reads them all; baseline getHistory) and again.
 *
 * The 10,000 runs are copies of one real run (made by initRun/logMetrics/finishRun) with their own id,
 * name, project, tags and summary, inserted with SQL to keep the set-up short. Times are medians of 7.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { finishRun, getHistory, getTableRows, initRun, logMetrics, logTable } from "../lib/tracking/mod.ts";
import { Store } from "../lib/tracking/_store.ts";
import { serveUi } from "../lib/ui/mod.ts";

const RUNS = 10_000;
const TABLE_ROWS = 1_000_000;
const REPEAT = 7;
const HISTORY_ROWS = 200_000;

async function median(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(REPEAT / 2)];
}

async function page(url: string): Promise<void> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
}

const root = await Deno.makeTempDir({ prefix: "sentilab_bench_ui_" });
const rows: string[][] = [];
const ms = (v: number) => `${v.toFixed(1)} ms`;
try {
  const dir = join(root, "store");
  console.error(`building ${RUNS} runs and a ${TABLE_ROWS}-row table in ${dir} ...`);
  const run = await initRun({
    dir,
    project: "bench",
    tracker: "local",
    captureConsole: false,
    config: { lr: 0.1 },
  });
  for (let s = 0; s < 100; s++) logMetrics(run, { loss: 1 / (s + 1), acc: s / 100 });
  const labels = ["negative", "neutral", "positive"];
  const table: unknown[][] = new Array(TABLE_ROWS);
  for (let i = 0; i < TABLE_ROWS; i++) {
    const gold = labels[i % 3];
    table[i] = [
      `review ${i} with some words in it`,
      gold,
      i % 7 === 0 ? labels[(i + 1) % 3] : gold,
      (i % 997) / 997,
      0.2,
      0.3,
      0.5,
    ];
  }
  await logTable(run, "predictions", {
    columns: ["text", "gold", "predicted", "confidence", "score_negative", "score_neutral", "score_positive"],
    rows: table,
  });
  table.length = 0;
  await finishRun(run);
  const long = await initRun({
    dir,
    project: "bench",
    name: "long",
    tracker: "local",
    captureConsole: false,
  });
  for (let s = 0; s < HISTORY_ROWS; s++) {
    logMetrics(long, { loss: 1 / (s + 1) + (s % 13) / 1000, acc: s / HISTORY_ROWS });
  }
  await finishRun(long);
  Store.connect(dir).close();
  const db = new DatabaseSync(join(dir, "store.db"));
  db.exec("BEGIN");
  const copy = db.prepare(
    `INSERT INTO runs(id, project, name, grp, job_type, tags, notes, config, summary, status, started_at, ended_at,
       exit_code, git_commit, git_dirty, deno_version, lock_digest, host, pid, start_token, argv, env)
     SELECT ?, ?, ?, ?, job_type, ?, notes, config, ?, status, ?, ended_at, exit_code, git_commit, git_dirty,
       deno_version, lock_digest, host, pid, start_token, argv, env FROM runs WHERE id = ?`,
  );
  for (let i = 0; i < RUNS - 1; i++) {
    copy.run(
      `b${String(i).padStart(7, "0")}`,
      `project-${i % 20}`,
      `run ${i}`,
      `group-${i % 50}`,
      JSON.stringify([`t${i % 10}`]),
      JSON.stringify({ acc: (i * 7919 % 10_000) / 10_000, loss: 1 / (i + 1) }),
      new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      run.id,
    );
  }
  db.exec("COMMIT");

  const ui = serveUi({ dir, port: 0 });
  try {
    const base = ui.url;
    const last = Math.ceil(RUNS / 50);
    const sql = (order: string, offset: number, where = "") => () =>
      db.prepare(`SELECT * FROM runs ${where} ORDER BY ${order} LIMIT 50 OFFSET ?`).all(offset);
    const listCases: [string, string, () => unknown][] = [
      ["runs list 10k, first page", "", sql("started_at DESC", 0)],
      ["runs list 10k, last page", `?page=${last}`, sql("started_at DESC", (last - 1) * 50)],
      [
        "runs list 10k, sorted by summary.acc",
        "?sort=summary.acc&desc=1",
        sql("json_extract(summary, '$.acc') DESC", 0),
      ],
      [
        "runs list 10k, text filter 'run 99'",
        "?q=run%2099",
        sql("started_at DESC", 0, "WHERE name LIKE '%run 99%'"),
      ],
    ];
    for (const [name, q, baseline] of listCases) {
      const t = await median(() => page(base + q));
      const b = await median(baseline);
      rows.push([name, ms(t), `${ms(b)} (bare SQL page)`, "< 300 ms", t < 300 ? "yes" : "NO"]);
    }
    const tableUrl = `${base}run/${run.id}/table/predictions`;
    const pages = TABLE_ROWS / 50;
    for (
      const [name, p] of [["1M-row table, first page", 1], ["1M-row table, page 10,000", 10_000], [
        "1M-row table, last page",
        pages,
      ]] as const
    ) {
      const t = await median(() => page(`${tableUrl}?page=${p}`));
      const b = await median(() =>
        getTableRows(run.id, "predictions", { dir, readOnly: true, offset: (p - 1) * 50, limit: 50 })
      );
      rows.push([name, ms(t), `${ms(b)} (getTableRows)`, "< 200 ms", t < 200 ? "yes" : "NO"]);
    }
    // A run page with a long history: the first view reads it all, later views only new rows.
    let t1 = performance.now();
    await page(`${base}run/${long.id}`);
    const firstView = performance.now() - t1;
    const again = await median(() => page(`${base}run/${long.id}`));
    t1 = performance.now();
    getHistory(long.id, { dir, readOnly: true });
    const readAll = performance.now() - t1;
    rows.push([
      `run page, ${HISTORY_ROWS} history rows: first view`,
      ms(firstView),
      `${ms(readAll)} (getHistory)`,
      "(information)",
      "-",
    ]);
    rows.push([`run page, ${HISTORY_ROWS} history rows: again`, ms(again), "-", "(information)", "-"]);
    const t0 = performance.now();
    await page(`${tableUrl}?errors=1`);
    const scan = performance.now() - t0;
    const next = await median(() => page(`${tableUrl}?errors=1&page=2`));
    rows.push(["1M-row table, errors only: first page (full scan)", ms(scan), "-", "(information)", "-"]);
    rows.push([
      "1M-row table, errors only: next page (cached)",
      ms(next),
      "-",
      "< 200 ms",
      next < 200 ? "yes" : "NO",
    ]);
  } finally {
    await ui.shutdown();
    db.close();
  }
} finally {
  await Deno.remove(root, { recursive: true });
}

const header = ["measure", "viewer", "baseline", "target", "met"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
console.log(
  `viewer benchmark (Deno ${Deno.version.deno}, ${Deno.build.os}-${Deno.build.arch}; medians of ${REPEAT})`,
);
console.log(line(header));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows) console.log(line(r));
