// The viewer in a real browser: Debian's Chromium, headless, driven by puppeteer-core (no browser
// download). Runs list, filter, sort by a metric, a run's charts, paging a large prediction table,
// errors only, the confusion matrix, compare, artifacts and lineage, a live run's chart growing; XSS
// payloads never run; 401/403/404. Screenshots of every page type go to a temp folder (printed).
import assert from "node:assert/strict";
import type { Browser, Page } from "puppeteer-core";
import { launchChromium } from "./_chromium.ts";
import { finishRun, initRun, logMetrics } from "../lib/tracking/mod.ts";
import { serveUi, type UiServer } from "../lib/ui/mod.ts";
import { makeUiFixture, type UiFixture, XSS } from "./_ui_fixture.ts";

/** Only for the DNS-rebinding check: a foreign name that resolves to loopback. */
const REBIND = "--host-resolver-rules=MAP rebind.test 127.0.0.1";
const WAIT = { timeout: 15_000 };

function launch(): Promise<Browser> {
  return launchChromium([REBIND]);
}

/** Fails when any script planted in the store ran on the page. */
async function assertNoXss(page: Page, where: string): Promise<void> {
  const flag = await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss ?? null);
  assert.equal(flag, null, `a planted payload ran on ${where} (window.__xss = ${flag})`);
}

/** Points of the line of series `name` in the chart of `metric` (segments of its SVG path). */
function points(page: Page, metric: string, name: string): Promise<number> {
  return page.$eval(
    `figure[data-metric="${metric}"]`,
    (fig, n) => {
      const g = [...fig.querySelectorAll("g.series")].find((s) => s.getAttribute("data-name") === n);
      const d = g?.querySelector("path")?.getAttribute("d") ?? "";
      return (d.match(/[ML]/g) ?? []).length;
    },
    name,
  );
}

Deno.test({
  name: "viewer in Chromium: runs, run, tables, compare, artifacts, live charts; payloads stay text",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const root = await Deno.makeTempDir({ prefix: "sentilab-ui-" });
    const shots = await Deno.makeTempDir({ prefix: "sentilab-ui-screenshots-" });
    let browser: Browser | null = null;
    let ui: UiServer | null = null;
    try {
      const f: UiFixture = await makeUiFixture(root, 12_000);
      ui = serveUi({ dir: f.dir, port: 0 });
      const base = ui.url.replace(/\/$/, "");
      browser = await launch();
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 1000 });
      const foreign: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(base) && !r.url().startsWith("data:")) foreign.push(r.url());
      });
      const shot = (name: string) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });

      await t.step("runs list: filter, sort by a metric", async () => {
        await page.goto(`${base}/`);
        assert.equal(await page.$$eval("#runs tbody tr", (r) => r.length), 4);
        await shot("runs");
        await page.select("select[name=project]", "sentiment");
        await Promise.all([page.waitForNavigation(WAIT), page.click("#apply")]);
        assert.equal(await page.$eval("#total", (e) => e.textContent), "2");
        await Promise.all([page.waitForNavigation(WAIT), page.click('a[data-sort="summary.macro_f1"]')]);
        const order = await page.$$eval(
          "#runs tbody tr",
          (rows) => rows.map((r) => r.getAttribute("data-run")),
        );
        assert.deepEqual(order, [f.beta, f.alpha], "highest macro_f1 first");
        const shownName = await page.$eval(`tr[data-run="${f.beta}"] .run-link`, (a) => a.textContent);
        assert.ok(shownName?.includes("<svg onload="), `the run name shows as text: ${shownName}`);
        await assertNoXss(page, "runs list");
      });

      await t.step("run page: charts with the right series, escaped notes and config", async () => {
        await Promise.all([page.waitForNavigation(WAIT), page.click(`tr[data-run="${f.alpha}"] .run-link`)]);
        assert.equal(await page.$eval("#status", (e) => e.textContent), "finished");
        const metrics = await page.$$eval(
          "#charts figure",
          (fs) => fs.map((x) => x.getAttribute("data-metric")),
        );
        assert.deepEqual(metrics, ["loss", "acc"]);
        assert.equal(await points(page, "loss", "loss"), 300);
        assert.ok((await page.$eval("#notes", (e) => e.textContent))?.includes(XSS[1]));
        const config = await page.$eval("#config", (e) => e.textContent ?? "");
        assert.ok(config.includes(XSS[0]), "config payload shown as text");
        await shot("run");
        await assertNoXss(page, "run page");
      });

      await t.step(
        "prediction table: paging, errors only, sort by confidence, confusion matrix cell",
        async () => {
          await page.goto(`${base}/run/${f.alpha}/table/predictions`);
          assert.equal(await page.$eval("#matches", (e) => e.textContent), String(f.predictionRows));
          const firstText = await page.$eval("#rows tbody tr td:nth-child(2)", (e) => e.textContent);
          assert.equal(firstText, `${XSS[0]} row 0`, "a planted text shows as text");
          await shot("table");
          await Promise.all([page.waitForNavigation(WAIT), page.click("#next")]);
          assert.equal(await page.$eval("#rows tbody tr", (r) => r.getAttribute("data-row")), "50");
          await Promise.all([page.waitForNavigation(WAIT), page.click("#last")]);
          const lastRows = await page.$$eval(
            "#rows tbody tr",
            (rs) => rs.map((r) => Number(r.getAttribute("data-row"))),
          );
          assert.equal(lastRows.at(-1), f.predictionRows - 1);
          await page.goto(`${base}/run/${f.alpha}/table/predictions`);
          await page.click("#errors");
          await Promise.all([page.waitForNavigation(WAIT), page.click("#apply")]);
          assert.equal(
            await page.$eval("#matches", (e) => e.textContent),
            String(f.errorRows),
          );
          const pairs = await page.$$eval(
            "#rows tbody tr",
            (rs) => rs.map((r) => [r.children[2].textContent, r.children[3].textContent]),
          );
          assert.ok(pairs.length === 50 && pairs.every(([g, p]) => g !== p), "only errors");
          await Promise.all([page.waitForNavigation(WAIT), page.click("#conf-desc")]);
          const conf = await page.$$eval(
            "#rows tbody tr",
            (rs) => rs.map((r) => Number(r.children[4].textContent)),
          );
          assert.deepEqual(conf, [...conf].sort((a, b) => b - a), "highest confidence first");
          assert.ok(conf[0] >= 0.99);
          // The cell gold=negative, predicted=neutral of the matrix.
          await Promise.all([
            page.waitForNavigation(WAIT),
            page.click('#matrix a g.cell[data-row="0"][data-col="1"]'),
          ]);
          const cell = await page.$$eval(
            "#rows tbody tr",
            (rs) => rs.map((r) => [r.children[2].textContent, r.children[3].textContent]),
          );
          assert.ok(
            cell.length > 0 && cell.every(([g, p]) => g === "negative" && p === "neutral"),
            JSON.stringify(cell.slice(0, 3)),
          );
          await shot("table-cell");
          await assertNoXss(page, "table page");
        },
      );

      await t.step("compare two runs from the runs list", async () => {
        await page.goto(`${base}/?project=sentiment`);
        await page.click(`input[name=run][value="${f.alpha}"]`);
        await page.click(`input[name=run][value="${f.beta}"]`);
        await Promise.all([page.waitForNavigation(WAIT), page.click("#compare")]);
        const names = await page.$$eval(
          'figure[data-metric="loss"] g.series',
          (gs) => gs.map((g) => g.getAttribute("data-name")),
        );
        assert.equal(names.length, 2);
        assert.ok(
          names.some((n) => n?.includes(f.alpha)) && names.some((n) => n?.includes(f.beta)),
          names.join(),
        );
        assert.equal(await page.$eval('#config tr[data-key="lr"]', (r) => r.className), "diff");
        assert.equal(await page.$eval('#config tr[data-key="model"]', (r) => r.className), "");
        await shot("compare");
        await assertNoXss(page, "compare page");
      });

      await t.step("artifacts: versions, a version with lineage, previews, diff", async () => {
        await page.goto(`${base}/artifacts`);
        await shot("artifacts");
        await Promise.all([page.waitForNavigation(WAIT), page.click('a[href="/artifact/reviews"]')]);
        assert.equal(await page.$$eval("#versions tbody tr", (r) => r.length), 2);
        await shot("artifact");
        await Promise.all([page.waitForNavigation(WAIT), page.click("#diff")]);
        assert.equal(
          await page.$eval("#diff-summary", (e) => e.textContent),
          "0 added, 4 removed, 1 changed, 0 unchanged",
        );
        await shot("artifact-diff");
        await page.goto(`${base}/artifact/reviews/v/0`);
        const lineage = await page.$eval("#lineage svg", (s) => s.textContent ?? "");
        assert.ok(lineage.includes("consumer") && lineage.includes("alpha"), lineage);
        const files = await page.$$eval("#files a.file", (as) => as.map((a) => a.textContent));
        assert.ok(files.includes(`${XSS[1]}.txt`), "the file name shows as text");
        await shot("artifact-version");
        await Promise.all([
          page.waitForNavigation(WAIT),
          page.click(`#files a.file[href*="evil"], #files a.file[href*="onerror"]`),
        ]);
        assert.ok((await page.$eval("#preview", (e) => e.textContent))?.includes(XSS[0]));
        await assertNoXss(page, "text preview");
        await page.goto(`${base}/artifact/reviews/v/0/file?path=chart.svg`);
        await page.waitForFunction(
          'document.querySelector("#preview-image")?.complete',
          WAIT,
        );
        assert.ok(
          await page.$eval(
            "#preview-image",
            (i) => (i as unknown as { naturalWidth: number; complete: boolean }).naturalWidth > 0,
          ),
          "the SVG shows as a picture",
        );
        await assertNoXss(page, "SVG preview");
        // The SVG itself, opened directly: sandboxed, its script never runs.
        await page.goto(`${base}/artifact/reviews/v/0/raw?path=chart.svg`);
        await assertNoXss(page, "raw SVG");
        await page.goto(`${base}/artifact/reviews/v/0/file?path=info.json`);
        assert.match(await page.$eval("#preview", (e) => e.textContent ?? ""), /"a": 1/);
        await shot("artifact-file");
      });

      await t.step("video run: timeline chart and thumbnails", async () => {
        await page.goto(`${base}/run/${f.video}`);
        const series = await page.$$eval(
          "#video-timeline g.series",
          (gs) => gs.map((g) => g.getAttribute("data-name")),
        );
        assert.deepEqual(series, ["valence", "negative", "neutral", "positive"]);
        await page.waitForFunction(
          '[...document.querySelectorAll("#thumbnails img")].every((i) => i.complete)',
          WAIT,
        );
        assert.ok(
          await page.$$eval(
            "#thumbnails img",
            (is) =>
              is.length > 0 &&
              is.every((i) => (i as unknown as { naturalWidth: number; complete: boolean }).naturalWidth > 0),
          ),
        );
        await shot("video-run");
      });

      await t.step("a live run's chart grows without a reload", async () => {
        const run = await initRun({
          dir: f.dir,
          tracker: "local",
          project: "live",
          name: "live",
          captureConsole: false,
        });
        try {
          for (let s = 0; s < 5; s++) logMetrics(run, { loss: 1 / (s + 1) });
          await new Promise((r) => setTimeout(r, 400)); // the journal reaches SQLite every 250 ms
          await page.goto(`${base}/run/${run.id}`);
          assert.equal(await page.$eval("#charts", (e) => e.getAttribute("data-live")), "1");
          const before = await points(page, "loss", "loss");
          assert.equal(before, 5);
          for (let s = 5; s < 40; s++) logMetrics(run, { loss: 1 / (s + 1) });
          await page.waitForFunction(
            `((document.querySelector('figure[data-metric="loss"] path')?.getAttribute("d") ?? "")` +
              `.match(/[ML]/g) ?? []).length === 40`,
            WAIT,
          );
          assert.ok(
            Number(await page.$eval("#charts", (e) => e.getAttribute("data-updates"))) >= 1,
            "updated in place",
          );
          await shot("live-run");
        } finally {
          await finishRun(run);
        }
        await page.waitForFunction(
          'document.querySelector("#charts")?.getAttribute("data-live") === "0" && ' +
            'document.querySelector("#status")?.textContent === "finished"',
          WAIT,
        );
      });

      await t.step(
        "security: 404 outside the store, 403 on a foreign Host, 401 without the token",
        async () => {
          for (
            const p of [
              "/artifact/reviews/v/0/raw?path=../../store.db",
              "/artifact/reviews/v/0/file?path=/etc/passwd",
              "/../store.db",
            ]
          ) {
            const res = await page.goto(base + p);
            assert.equal(res?.status(), 404, p);
          }
          // DNS rebinding: a name resolving to 127.0.0.1 (here by a resolver rule) reaches the viewer, but the
          // browser sends that name as Host, which the viewer does not answer to.
          const rebound = await page.goto(`http://rebind.test:${ui!.port}/`);
          assert.equal(rebound?.status(), 403);
          assert.equal(
            (await page.goto(`http://localhost:${ui!.port}/`))?.status(),
            200,
            "loopback names are fine",
          );
          const tokenUi = serveUi({ dir: f.dir, port: 0, token: "browser-test-token" });
          try {
            const bare = `http://127.0.0.1:${tokenUi.port}/`;
            assert.equal((await page.goto(bare))?.status(), 401);
            await page.goto(tokenUi.url); // the printed URL: sets the cookie and redirects
            assert.equal(page.url(), bare);
            assert.equal(await page.$eval("#total", (e) => e.textContent), "5");
            assert.equal(
              (await page.goto(`${bare}run/${f.alpha}`))?.status(),
              200,
              "the cookie carries the token",
            );
          } finally {
            await tokenUi.shutdown();
          }
        },
      );

      console.log(`screenshots: ${shots}`);
    } finally {
      await browser?.close();
      await ui?.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});
