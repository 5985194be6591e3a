// The viewer over HTTP on loopback: pages answer, security checks (token, Host, CSP, store-only files),
// the busy-port message, the static export. The browser-level checks are in ui_browser_test.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { exportRunPage, serveUi, UiError } from "../lib/ui/mod.ts";
import { defineMetric, finishRun, initRun, logMetrics, logTable } from "../lib/tracking/mod.ts";
import { makeUiFixture, XSS } from "./_ui_fixture.ts";
import { DENO_DIR, ROOT } from "./_task_env.ts";

/** Every file of a store with its size and modification time (SQLite's shared-memory index left out). */
function storeFiles(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Deno.readDirSync(join(dir, prefix))) {
    const rel = join(prefix, e.name);
    if (e.isDirectory) Object.assign(out, storeFiles(dir, rel));
    else if (!rel.endsWith("-shm")) {
      const st = Deno.statSync(join(dir, rel));
      out[rel] = `${st.size} ${st.mtime?.getTime()}`;
    }
  }
  return out;
}

/** A raw HTTP/1.1 GET with a chosen Host header (fetch does not let a caller set Host). */
async function getWithHost(port: number, path: string, host: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    );
    const buf = new Uint8Array(256);
    const n = await conn.read(buf);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(buf.subarray(0, n ?? 0)));
    return status ? Number(status[1]) : -1;
  } finally {
    conn.close();
  }
}

/** Serves the store in `dir` on a free loopback port while `fn` runs, then stops it and removes `root`. */
async function withViewer(root: string, dir: string, fn: (url: string) => Promise<void>): Promise<void> {
  const server = serveUi({ dir, port: 0 });
  try {
    await fn(server.url);
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("viewer: pages answer, values are escaped, only store files are served, Host and token are checked", async () => {
  const root = await Deno.makeTempDir();
  const ui = await (async () => {
    const f = await makeUiFixture(root, 300);
    return { f, server: serveUi({ dir: f.dir, port: 0 }) };
  })();
  const { f, server } = ui;
  const before = storeFiles(f.dir);
  try {
    const base = server.url;
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.token, null, "no token on loopback unless asked for");
    const pages = [
      "",
      `run/${f.alpha}`,
      `run/${f.alpha}/charts`,
      `run/${f.alpha}/table/predictions?errors=1&sort=confidence&desc=1`,
      `compare?run=${f.alpha}&run=${f.beta}`,
      "artifacts",
      "artifact/reviews",
      "artifact/reviews/v/0",
      "artifact/reviews/diff?from=0&to=1",
      `artifact/reviews/v/0/file?path=${encodeURIComponent(`${XSS[1]}.txt`)}`,
      `run/${f.video}`,
    ];
    for (const p of pages) {
      const res = await fetch(base + p);
      const body = await res.text();
      assert.equal(res.status, 200, `${p}: ${body.slice(0, 300)}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'/, `${p} has a CSP`);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      // No payload survives unescaped; the only script is the viewer's own.
      assert.doesNotMatch(
        body,
        /<script>window|<(img|svg)[^>]*on(error|load)=|href="javascript/i,
        `${p}: a live payload`,
      );
      assert.deepEqual(
        [...body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]),
        p.endsWith("/charts") ? [] : ['<script src="/app.js" defer>'],
      );
      assert.doesNotMatch(
        body,
        /(?:src|href|action)="(?:[a-z]+:|\/\/)/i,
        `${p} loads and links nothing remote`,
      );
    }
    const byTime = await (await fetch(`${base}compare?run=${f.alpha}&run=${f.beta}&x=time`)).text();
    assert.ok(byTime.includes(">time (s)</text>"), "compare against time");
    const filtered = await (await fetch(`${base}?filter=${encodeURIComponent("summary.macro_f1 > 0.7")}`))
      .text();
    assert.deepEqual([...filtered.matchAll(/data-run="(\w+)"/g)].map((m) => m[1]), [f.beta]);
    const invalid = await fetch(`${base}?filter=${encodeURIComponent("summary.macro_f1 >")}`);
    const invalidText = await invalid.text();
    assert.equal(invalid.status, 200);
    assert.match(invalidText, /id="problem">Invalid filter at character/);
    const run = await (await fetch(`${base}run/${f.alpha}`)).text();
    assert.ok(
      run.includes("&lt;img src=x onerror=&quot;window.__xss = 2&quot;&gt;"),
      "notes are shown as text",
    );
    // Files: only what a manifest names, with headers that keep active content inert.
    const svg = await fetch(`${base}artifact/reviews/v/0/raw?path=chart.svg`);
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get("content-security-policy") ?? "", /sandbox/);
    await svg.body?.cancel();
    for (const bad of ["../../store.db", "/etc/passwd", "..%2F..%2Fstore.db", "train.jsonl/../../store.db"]) {
      const res = await fetch(`${base}artifact/reviews/v/0/raw?path=${bad}`);
      await res.body?.cancel();
      assert.equal(res.status, 404, bad);
    }
    for (
      const p of [
        "../store.db",
        "files",
        "run/nope",
        "artifact/nope",
        `run/${f.alpha}/table/nope`,
        "artifact/reviews/v/9",
      ]
    ) {
      const res = await fetch(base + p);
      await res.body?.cancel();
      assert.equal(res.status, 404, p);
    }
    assert.equal(await getWithHost(server.port, "/", "evil.example:80"), 403);
    assert.equal(await getWithHost(server.port, "/", `evil.example:${server.port}`), 403);
    assert.equal(await getWithHost(server.port, "/", `localhost:${server.port}`), 200);
    const post = await fetch(base, { method: "POST" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
    assert.deepEqual(storeFiles(f.dir), before, "serving pages wrote nothing into the store");
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("viewer: a token is checked on every request; the URL with ?token= sets a cookie", async () => {
  const root = await Deno.makeTempDir();
  const f = await makeUiFixture(root, 10);
  const server = serveUi({ dir: f.dir, port: 0, token: "s3cret-token-1" });
  try {
    assert.match(server.url, /\?token=s3cret-token-1$/);
    const bare = `http://127.0.0.1:${server.port}/`;
    for (const p of ["", `run/${f.alpha}`, "app.js", "artifact/reviews/v/0/raw?path=train.jsonl"]) {
      const res = await fetch(bare + p);
      await res.body?.cancel();
      assert.equal(res.status, 401, p);
    }
    const wrong = await fetch(bare + "?token=s3cret-token-2");
    await wrong.body?.cancel();
    assert.equal(wrong.status, 401);
    const first = await fetch(server.url, { redirect: "manual" });
    await first.body?.cancel();
    assert.equal(first.status, 303);
    const cookie = first.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/);
    const again = await fetch(bare, { headers: { cookie: cookie.split(";")[0] } });
    await again.body?.cancel();
    assert.equal(again.status, 200);
    const bearer = await fetch(bare, { headers: { authorization: "Bearer s3cret-token-1" } });
    await bearer.body?.cancel();
    assert.equal(bearer.status, 200);
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("viewer: a taken port is a clear error naming a free one; a missing store is an error", async () => {
  const root = await Deno.makeTempDir();
  const f = await makeUiFixture(root, 10);
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    assert.throws(() => serveUi({ dir: f.dir, port }), (e: unknown) => {
      assert.ok(e instanceof UiError);
      assert.match(e.message, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(e.message, /Try --port \d+, which is free/);
      return true;
    });
    assert.throws(() => serveUi({ dir: join(root, "none"), port: 0 }), /No tracking store/);
  } finally {
    busy.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("export: a run page as static HTML with its SVG charts; a foreign index.html is left alone", async () => {
  const root = await Deno.makeTempDir();
  try {
    const f = await makeUiFixture(root, 10);
    const out = join(root, "page");
    const page = await exportRunPage(f.alpha, out, { dir: f.dir });
    const html = await Deno.readTextFile(page.index);
    assert.ok(html.includes("<svg"), "charts inline");
    assert.doesNotMatch(html, /<script|<link /, "no script, no external stylesheet");
    assert.deepEqual(page.charts.map((c) => c.split("/").at(-1)), ["01-loss.svg", "02-acc.svg"]);
    assert.match(await Deno.readTextFile(page.charts[0]), /^<svg[^>]*>.*class="series" data-name="loss"/s);
    await exportRunPage(f.beta, out, { dir: f.dir }); // its own export: replaced
    const foreign = join(root, "mine");
    await Deno.mkdir(foreign);
    await Deno.writeTextFile(join(foreign, "index.html"), "my page");
    await assert.rejects(() => exportRunPage(f.alpha, foreign, { dir: f.dir }), /not written by sentilab/);
    assert.equal(await Deno.readTextFile(join(foreign, "index.html")), "my page");
    await assert.rejects(() => exportRunPage("nope", out, { dir: f.dir }), /No run 'nope'/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Whether this machine lets us make a network namespace with only loopback. */
function canUnshareNet(): boolean {
  try {
    return new Deno.Command("unshare", {
      args: ["-n", "ip", "link", "set", "lo", "up"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}
const netns = canUnshareNet();
if (!netns) {
  console.warn(
    "ui_server_test: 'unshare -n' is not permitted here, so the non-loopback bind test is skipped (it needs a " +
      "loopback-only network namespace to bind 0.0.0.0 safely; CI runs as root)",
  );
}

Deno.test({
  name:
    "viewer bound to 0.0.0.0 (in a loopback-only network namespace): a token is generated, 401 without it",
  ignore: !netns,
  fn: async () => {
    const root = await Deno.makeTempDir();
    try {
      const f = await makeUiFixture(root, 10);
      const out = await new Deno.Command("unshare", {
        args: [
          "-n",
          "sh",
          "-c",
          'ip link set lo up && exec "$0" run -A --node-modules-dir=manual tests/_ui_netns_child.ts "$1"',
          Deno.execPath(),
          f.dir,
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1", DENO_DIR },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, `${text}\n${new TextDecoder().decode(out.stderr)}`);
      const r = JSON.parse(text.trim().split("\n").at(-1)!);
      assert.match(r.token, /^[0-9a-f]{32}$/, "a generated token");
      assert.match(r.url, new RegExp(`\\?token=${r.token}$`), "printed in the URL");
      assert.equal(r.noToken, 401);
      assert.equal(r.wrongToken, 401);
      assert.equal(r.rawFileNoToken, 401);
      assert.equal(r.printedUrl, 303, "the printed URL sets the cookie");
      assert.equal(r.bearer, 200);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("run page: a metric with a defined step metric is drawn against it; ?x= overrides", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const run = await initRun({ dir, tracker: "local", captureConsole: false });
  defineMetric(run, "val/*", { stepMetric: "epoch" });
  for (let s = 0; s < 30; s++) {
    logMetrics(run, {
      "train/loss": 1 / (s + 1),
      ...(s % 10 === 9 ? { epoch: (s + 1) / 10, "val/loss": 0.5 / s } : {}),
    });
  }
  await finishRun(run);
  await withViewer(root, dir, async (url) => {
    const xTitle = async (query: string, metric: string) => {
      const page = await (await fetch(`${url}run/${run.id}${query}`)).text();
      const fig = page.slice(page.indexOf(`<figure data-metric="${metric}">`));
      const svg = fig.slice(0, fig.indexOf("</figure>"));
      // The x axis title is the text centred under the plot, the last text before the series.
      const texts = [...svg.matchAll(/<text[^>]*text-anchor="middle" fill="#555">([^<]*)<\/text>/g)].map((
        m,
      ) => m[1]);
      return {
        texts,
        points: [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => (m[1].match(/[ML]/g) ?? []).length),
      };
    };
    const val = await xTitle("", "val/loss");
    assert.ok(val.texts.includes("epoch"), `val/loss against epoch: ${val.texts}`);
    assert.deepEqual(val.points, [3]);
    const train = await xTitle("", "train/loss");
    assert.ok(train.texts.includes("step"), `train/loss against step: ${train.texts}`);
    const forced = await xTitle("?x=step", "val/loss");
    assert.ok(forced.texts.includes("step") && !forced.texts.includes("epoch"), `${forced.texts}`);
  });
});

Deno.test("table page: a confusion_matrix counts table is drawn; its cells link to the prediction rows", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const run = await initRun({ dir, tracker: "local", captureConsole: false });
  await logTable(run, "predictions", {
    columns: ["text", "gold", "predicted", "confidence"],
    rows: [["a", "negative", "positive", 0.6], ["b", "positive", "positive", 0.9]],
  });
  await logTable(run, "confusion_matrix", {
    columns: ["gold", "predicted_negative", "predicted_positive"],
    rows: [["negative", 3, 1], ["positive", 0, 4]],
  });
  await finishRun(run);
  await withViewer(root, dir, async (url) => {
    const page = await (await fetch(`${url}run/${run.id}/table/confusion_matrix`)).text();
    const fig = page.slice(page.indexOf('<figure id="matrix">'), page.indexOf("</figure>"));
    const link = `/run/${run.id}/table/predictions?gold=negative&amp;pred=positive`;
    assert.ok(
      fig.includes(`<a href="${link}"><g class="cell" data-row="0" data-col="1" data-value="1">`),
      fig,
    );
    const rows = await (await fetch(`${url}${link.slice(1).replaceAll("&amp;", "&")}`)).text();
    assert.match(rows, /<span id="matches">1<\/span>/);
  });
});

Deno.test("table page: a table logged at several steps shows each version; links and filters keep the version", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const run = await initRun({ dir, tracker: "local", captureConsole: false });
  // three epochs of predictions: the rows differ, so each page shows which one it read
  for (const [step, n] of [[0, 2], [5, 3], [10, 4]]) {
    logMetrics(run, { epoch: step }, { step });
    await logTable(run, "predictions", {
      columns: ["text", "gold", "predicted", "confidence"],
      rows: Array.from(
        { length: n },
        (_, i) => [`s${step} r${i}`, "negative", i % 2 ? "positive" : "negative", 0.5],
      ),
    });
  }
  await finishRun(run);
  await withViewer(root, dir, async (url) => {
    const runPage = await (await fetch(`${url}run/${run.id}`)).text();
    const tables = runPage.slice(
      runPage.indexOf('<ul id="tables">'),
      runPage.indexOf("</ul>", runPage.indexOf('<ul id="tables">')),
    );
    assert.equal(tables.match(/<li>/g)?.length, 1, tables); // one entry for the key
    assert.match(tables, /4 rows × 4 columns, step 10, logged 3 times/);
    assert.ok(tables.includes(`href="/run/${run.id}/table/predictions?version=0">v0 (step 0)</a>`), tables);
    assert.ok(tables.includes(`href="/run/${run.id}/table/predictions?version=1">v1 (step 5)</a>`), tables);

    const latest = await (await fetch(`${url}run/${run.id}/table/predictions`)).text();
    assert.match(latest, /<span id="matches">4<\/span>/);
    assert.ok(latest.includes("s10 r3") && !latest.includes("s0 r0"));
    assert.match(latest, /<b>v2 \(step 10, 4 rows\)<\/b>/);

    const first = await (await fetch(`${url}run/${run.id}/table/predictions?version=0`)).text();
    assert.match(first, /<span id="matches">2<\/span>/);
    assert.ok(first.includes("s0 r1") && !first.includes("s10 r0"), first);
    assert.match(first, /logged at step 0/);
    assert.ok(first.includes('<input type="hidden" name="version" value="0">'), "the search form keeps v0");
    assert.ok(
      first.includes(`/run/${run.id}/table/predictions?version=0&amp;sort=text`),
      "sort links keep v0",
    );
    assert.ok(first.includes(`href="/run/${run.id}/table/predictions">v2 (step 10, 4 rows)</a>`));
    // errors only, on version 1: its one error row, not the latest's two
    const errors = await (await fetch(`${url}run/${run.id}/table/predictions?version=1&errors=1`)).text();
    assert.match(errors, /<span id="matches">1<\/span>/);
    assert.ok(errors.includes("s5 r1"), errors);

    for (const bad of ["3", "-1", "x"]) {
      const r = await fetch(`${url}run/${run.id}/table/predictions?version=${bad}`);
      assert.equal(r.status, 404, bad);
      assert.ok((await r.text()).includes(`no table &#39;predictions&#39; version ${bad} in run`), bad);
    }
  });
});

Deno.test("an evaluation's metrics (logged once) are listed, not drawn as one-dot charts; compare says so", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const ids: string[] = [];
  for (const acc of [0.78, 0.81]) {
    const run = await initRun({ dir, tracker: "local", captureConsole: false });
    logMetrics(run, { accuracy: acc, macro_precision: acc + 0.01, average_confidence: 0.64 });
    logMetrics(run, { loss: 0.5 });
    logMetrics(run, { loss: 0.4 });
    await finishRun(run);
    ids.push(run.id);
  }
  await withViewer(root, dir, async (url) => {
    const page = await (await fetch(`${url}run/${ids[0]}`)).text();
    const charts = [...page.matchAll(/<figure data-metric="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(charts, ["loss"], "only the metric logged twice gets a chart");
    const once = page.slice(
      page.indexOf('id="logged-once"'),
      page.indexOf("</ul>", page.indexOf("logged-once")),
    );
    for (const k of ["accuracy", "macro_precision", "average_confidence"]) {
      assert.match(once, new RegExp(`<li data-metric="${k}"`), k);
    }
    assert.match(once, /0\.78/);
    // The runs list shows, without chosen columns, the summary keys every run has in the order they were logged.
    const list = await (await fetch(url)).text();
    const head = list.slice(list.indexOf("<thead>"), list.indexOf("</thead>"));
    const cols = [...head.matchAll(/data-sort="summary\.([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(cols, ["accuracy", "macro_precision", "average_confidence", "loss"]);
    const compare = await (await fetch(`${url}compare?run=${ids[0]}&run=${ids[1]}`)).text();
    assert.deepEqual([...compare.matchAll(/<figure data-metric="([^"]+)">/g)].map((m) => m[1]), ["loss"]);
    // Summaries side by side in the order they were logged, not marked as differences (they all differ).
    const summary = compare.slice(compare.indexOf('id="summary"'));
    const keys = [...summary.matchAll(/<tr[^>]*data-key="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(keys.slice(0, 3), ["accuracy", "macro_precision", "average_confidence"]);
    assert.ok(
      !/<tr class="diff"/.test(summary.slice(0, summary.indexOf("</table>"))),
      "summary rows unmarked",
    );
  });
});

Deno.test("table page: the confusion matrix puts sentiment labels in their order (negative, neutral, positive)", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const run = await initRun({ dir, tracker: "local", captureConsole: false });
  await logTable(run, "predictions", {
    columns: ["text", "gold", "predicted", "confidence"],
    rows: [["a", "positive", "neutral", 0.6], ["b", "negative", "negative", 0.9], [
      "c",
      "positive",
      "positive",
      1,
    ]],
  });
  await finishRun(run);
  await withViewer(root, dir, async (url) => {
    const page = await (await fetch(`${url}run/${run.id}/table/predictions`)).text();
    const fig = page.slice(page.indexOf('<figure id="matrix">'), page.indexOf("</figure>"));
    // The row labels (right-aligned left of the matrix), top to bottom.
    const rows = [...fig.matchAll(/<text[^>]*text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(rows, ["negative", "neutral", "positive"]);
  });
});

Deno.test("compare: a run keeps its colour on every chart, also where another run lacks the metric", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const ids: string[] = [];
  for (const keys of [["loss"], ["loss", "acc"]]) {
    const run = await initRun({ dir, tracker: "local", captureConsole: false, name: `run-${keys.length}` });
    for (let s = 0; s < 5; s++) logMetrics(run, Object.fromEntries(keys.map((k) => [k, s / 10])));
    await finishRun(run);
    ids.push(run.id);
  }
  await withViewer(root, dir, async (url) => {
    const page = await (await fetch(`${url}compare?run=${ids[0]}&run=${ids[1]}`)).text();
    const colourOf = (metric: string, id: string) => {
      const fig = page.slice(page.indexOf(`<figure data-metric="${metric}">`));
      const svg = fig.slice(0, fig.indexOf("</figure>"));
      const g = svg.slice(svg.indexOf(`<g class="series" data-name="run-2 (${id})">`));
      return /<path d="[^"]*" fill="none" stroke="([^"]+)"/.exec(g)?.[1];
    };
    assert.ok(colourOf("loss", ids[1]));
    assert.equal(colourOf("acc", ids[1]), colourOf("loss", ids[1]));
  });
});

Deno.test("Host check: on port 80 a browser sends the bare name (no :80), which is allowed; others still are not", async () => {
  const { allowedHosts } = await import("../lib/ui/_security.ts");
  const on80 = allowedHosts("127.0.0.1", 80);
  for (const h of ["localhost", "127.0.0.1", "localhost:80", "[::1]"]) assert.ok(on80.has(h), h);
  assert.ok(!on80.has("evil.example") && !on80.has("evil.example:80"));
  const on8321 = allowedHosts("127.0.0.1", 8321);
  assert.ok(on8321.has("localhost:8321") && !on8321.has("localhost"), "the port is required elsewhere");
});

Deno.test("runs list: an empty store and a filter matching nothing say so", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  await finishRun(await initRun({ dir, tracker: "local", captureConsole: false }));
  await withViewer(root, dir, async (url) => {
    const none = await (await fetch(`${url}?q=no-such-run`)).text();
    assert.match(none, /id="no-runs">No runs match these filters/);
    const all = await (await fetch(url)).text();
    assert.ok(!all.includes('id="no-runs"'), "a store with a run lists it");
  });
});

Deno.test("video run: the sentiment timeline holds each cue's score from its start to its end", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "store");
  const run = await initRun({ dir, tracker: "local", captureConsole: false, jobType: "video" });
  await logTable(run, "video_timeline", {
    columns: ["index", "start", "end", "text", "label", "valence"],
    rows: [[0, 0, 3, "a", "positive", 1], [1, 3, 6, "b", "negative", -1], [2, 9, 12, "c", "positive", 0.5]],
  });
  await finishRun(run);
  await withViewer(root, dir, async (url) => {
    const page = await (await fetch(`${url}run/${run.id}`)).text();
    const fig = page.slice(page.indexOf('<figure id="video-timeline">'));
    const d = /<g class="series" data-name="valence"><path d="([^"]*)"/.exec(fig)?.[1] ?? "";
    const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    assert.equal(xs.length, 6, d);
    // The last point is at 12 s (the end of the last cue), right of the last cue's start (9 s).
    assert.ok(xs[5] > xs[4], d);
  });
});
