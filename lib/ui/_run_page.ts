// Private: one run: status, timing, config, summary, environment, charts (live while running), tables,
// artifacts, video timeline, console output, W&B sync state.
import { lineChartSvg } from "../display/mod.ts";
import {
  type ArtifactVersion,
  getHistory,
  getMetricDefinitions,
  getOutput,
  getRun,
  getSyncStatus,
  getTableRows,
  type HistoryRow,
  type RunDetails,
  type SyncStatus,
} from "../tracking/mod.ts";
import { bytes, duration, flatten, href, html, type Markup, raw, seg, valueText } from "./_html.ts";
import { page } from "./_layout.ts";
import { loggedOnce, metricKeys, runCharts } from "./_charts.ts";
import { historyOf } from "./_history_cache.ts";
import { NotFound, type PageContext, param } from "./_context.ts";

/** The run page. */
export function runPage(ctx: PageContext, id: string): string {
  const run = getRun(id, ctx.read);
  if (!run) throw new NotFound(`no run '${id}'`);
  const rows = historyOf(ctx.read, id, run.historyCount);
  const x = xAxis(ctx, rows);
  const keys = metricKeys(rows);
  const lastOutput = ctx.static ? 2000 : Number(param(ctx, "output") === "all" ? -1 : 500);
  const output = getOutput(id, { ...ctx.read, ...(lastOutput > 0 ? { last: lastOutput } : {}) });
  let sync: SyncStatus | null = null;
  try {
    sync = getSyncStatus(id, ctx.read);
  } catch { /* shown as unknown */ }
  const link = (path: string) => ctx.static ? null : path;
  const body = html`
    <h1><span id="run-name">${run.name}</span> <span class="muted">${run.id}</span>
    <span class="badge status-${run.status}" id="status">${run.status}</span></h1>
    <div class="side">
      <table class="grid kv" id="overview">
        <tbody>
          <tr>
            <td>Project</td>
            <td>${run.project}</td>
          </tr>
          <tr>
            <td>Group</td>
            <td>${run.group ?? "-"}</td>
          </tr>
          <tr>
            <td>Job type</td>
            <td>${run.jobType ?? "-"}</td>
          </tr>
          <tr>
            <td>Tags</td>
            <td>${run.tags.map((t) => html`<span class="tag">${t}</span>`)}</td>
          </tr>
          <tr>
            <td>Notes</td>
            <td class="cell-text" id="notes">${run.notes ?? ""}</td>
          </tr>
          <tr>
            <td>Started</td>
            <td>${run.startedAt}</td>
          </tr>
          <tr>
            <td>Ended</td>
            <td>${run.endedAt ?? "-"}</td>
          </tr>
          <tr>
            <td>Duration</td>
            <td>${duration(run.startedAt, run.endedAt)}</td>
          </tr>
          <tr>
            <td>Exit code</td>
            <td>${run.exitCode ?? "-"}</td>
          </tr>
          <tr>
            <td>History</td>
            <td>${run.historyCount} rows, last step ${run.lastStep ?? "-"}</td>
          </tr>
          <tr>
            <td>W&amp;B sync</td>
            <td id="sync">${syncText(sync)}</td>
          </tr>
        </tbody>
      </table>
      <table class="grid kv" id="environment">
        <thead>
          <tr>
            <th colspan="2">Environment</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Git commit</td>
            <td>${run.gitCommit ?? "-"}${run.gitDirty ? " (uncommitted changes)" : ""}</td>
          </tr>
          <tr>
            <td>Deno</td>
            <td>${run.denoVersion}</td>
          </tr>
          <tr>
            <td>Lockfile digest</td>
            <td>${run.lockDigest ?? "-"}</td>
          </tr>
          <tr>
            <td>Host</td>
            <td>${run.host} (pid ${run.pid})</td>
          </tr>
          <tr>
            <td>Command</td>
            <td class="cell-text">${run.argv.join(" ")}</td>
          </tr>
        </tbody>
      </table>
    </div>
    <h2>Summary</h2>${kvTable("summary", run.summary)}
    <h2>Config</h2>${kvTable("config", run.config)}
    <h2>Charts</h2>${ctx.static || chartsOf(ctx, run.id, x, rows).length === 0 ? "" : html`
      <form method="get"
        class="filters"><label>x axis<select name="x">${[
          ["", "defined step metric, else step"],
          ...["step", "time", ...keys].map((k) => [k, k]),
        ].map(([k, label]) =>
          html`
            <option value="${k}" ${k === (x ?? "")
              ? html`
                selected
              `
              : ""}>${label}</option>
          `
        )}</select></label><button type="submit">Show</button></form>
    `}
    ${chartsBlock(ctx, run, x, rows)}
    ${videoBlock(ctx, run)}
    <h2>Tables</h2>${run.tables.length === 0
      ? html`<p class="muted">No tables.</p>`
      : html`<ul id="tables">${
        latestTables(run).map((t) =>
          html`<li>${
            link(`/run/${seg(run.id)}/table/${seg(t.key)}`)
              ? html`<a href="/run/${seg(run.id)}/table/${seg(t.key)}">${t.key}</a>`
              : t.key
          } <span class="muted">${t.rowCount} rows × ${t.columns.length} columns, step ${t.step}${
            t.version > 0 ? `, logged ${t.version + 1} times` : ""
          }</span>${earlierTables(run, t, link)}</li>`
        )
      }</ul>`}
    <h2>Artifacts</h2>
    <div class="side">
      <div><h3>Produced</h3>${artifactList(ctx, run.produced, "produced")}</div>
      <div><h3>Used</h3>${artifactList(ctx, run.used, "used")}</div>
    </div>
    <h2>Console output</h2>${output.length === 0
      ? html`<p class="muted">No console output recorded.</p>`
      : html`<pre class="output" id="output">${
        output.map((o) => (o.stream === "stderr" ? "[stderr] " : "") + o.text).join("\n")
      }</pre>${
        !ctx.static && lastOutput > 0 && output.length >= lastOutput
          ? html`<p><a href="${href(`/run/${seg(run.id)}`, { output: "all" })}">show all output</a></p>`
          : ""
      }`}
  `;
  return page(`${run.name} · sentilab`, body, { static: ctx.static });
}

/** The charts block alone (what a live page reloads). */
export function chartsFragment(ctx: PageContext, id: string): string {
  const run = getRun(id, ctx.read);
  if (!run) throw new NotFound(`no run '${id}'`);
  const rows = historyOf(ctx.read, id, run.historyCount);
  return chartsBlock(ctx, run, xAxis(ctx, rows), rows).value;
}

/**
 * The charts of a run, one per metric. `x` is the chosen x axis; without one (undefined) each metric is
 * drawn against the step metric its definition names (defineMetric, as W&B plots it) when logged, else
 * the step.
 */
export function chartsOf(
  ctx: PageContext,
  runId: string,
  x: string | undefined,
  rows: readonly HistoryRow[] = getHistory(runId, ctx.read),
): { key: string; svg: string }[] {
  const defs = x === undefined ? getMetricDefinitions(runId, ctx.read) : null;
  // Drawn again only when rows were added, the x axis or the definitions changed.
  const memo = JSON.stringify([ctx.read.dir ?? "", runId, x ?? null, rows.length, defs?.definitions ?? null]);
  const hit = drawn.get(memo);
  if (hit) return hit;
  const logged = new Set(metricKeys(rows));
  const charts = runCharts(rows, (key) => {
    if (x !== undefined) return x;
    const step = defs?.of(key)?.stepMetric;
    return step && logged.has(step) ? step : "step";
  });
  drawn.set(memo, charts);
  while (drawn.size > 8) drawn.delete(drawn.keys().next().value!);
  return charts;
}

/** The charts drawn last (a few runs' worth), by run, x axis and history length. */
const drawn = new Map<string, { key: string; svg: string }[]>();

function chartsBlock(
  ctx: PageContext,
  run: RunDetails,
  x: string | undefined,
  rows: readonly HistoryRow[],
): Markup {
  const charts = chartsOf(ctx, run.id, x, rows);
  const once = loggedOnce(rows);
  const live = run.status === "running";
  const src = href(`/run/${seg(run.id)}/charts`, { x });
  return html`
    <div id="charts" class="charts" ${ctx.static ? "" : html`
      data-live-src="${src}" data-live="${live ? "1" : "0"}"
    `} data-count="${charts.length}"
      data-status="${run.status}">${charts.length === 0 && once.length === 0
        ? html`<p class="muted">No metrics logged${live ? " yet" : ""}.</p>`
        : charts.map((c) => html`<figure data-metric="${c.key}">${raw(c.svg)}</figure>`)}${once.length
        ? html`
          <div
            class="once"><span class="muted">Logged once:</span><ul class="chips" id="logged-once">${once.map(
              (m) =>
                html`<li data-metric="${m.key}" title="step ${m.step}"><span class="k">${m.key}</span> ${
                  valueText(m.value)
                }</li>`,
            )}</ul></div>
        `
        : ""}</div>
  `;
}

/** The x axis asked for, or undefined: each metric against its defined step metric, else the step. */
function xAxis(ctx: PageContext, rows: Parameters<typeof metricKeys>[0]): string | undefined {
  const x = param(ctx, "x");
  return x === "step" || x === "time" || (x !== undefined && metricKeys(rows).includes(x)) ? x : undefined;
}

function latestTables(run: RunDetails) {
  const byKey = new Map<string, RunDetails["tables"][number]>();
  for (const t of run.tables) byKey.set(t.key, t);
  return [...byKey.values()];
}

/** Links to the earlier tables of a key the run logged several times (the latest is the key's own link). */
function earlierTables(
  run: RunDetails,
  latest: RunDetails["tables"][number],
  link: (path: string) => string | null,
) {
  if (latest.version === 0) return html``;
  const base = `/run/${seg(run.id)}/table/${seg(latest.key)}`;
  if (!link(base)) return html``;
  const earlier = run.tables.filter((t) => t.key === latest.key && t.version < latest.version);
  return html`
    <span class="muted">· earlier: ${earlier.map((t, i) =>
      html`${i > 0 ? ", " : ""}<a href="${
        href(base, { version: t.version })
      }">v${t.version} (step ${t.step})</a>`
    )}</span>
  `;
}

/** Rows per column of a long key-value list (an evaluation's summary has some 30 keys). */
const KV_ROWS = 12;

function kvTable(id: string, obj: Record<string, unknown>): Markup {
  const entries = flatten(obj);
  if (entries.length === 0) return html`<p class="muted">Empty.</p>`;
  const columns = entries.length <= KV_ROWS + 4 ? 1 : Math.ceil(entries.length / KV_ROWS);
  const per = Math.ceil(entries.length / columns);
  const chunks = [];
  for (let i = 0; i < entries.length; i += per) chunks.push(entries.slice(i, i + per));
  return html`<div class="side kv-cols" id="${id}">${chunks.map((c) => kvColumn(c))}</div>`;
}

function kvColumn(entries: [string, unknown][]): Markup {
  return html`
    <table class="grid kv">
      <tbody>${entries.map(([k, v]) =>
        html`
          <tr>
            <td>${k}</td>
            <td class="cell-text${typeof v === "number" ? " num" : ""}">${valueText(v)}</td>
          </tr>
        `
      )}</tbody>
    </table>
  `;
}

function artifactList(ctx: PageContext, versions: readonly ArtifactVersion[], id: string): Markup {
  if (versions.length === 0) return html`<p class="muted">None.</p>`;
  return html`<ul id="${id}">${
    versions.map((v) =>
      html`<li>${
        ctx.static ? v.ref : html`<a href="/artifact/${seg(v.name)}/v/${v.version}">${v.ref}</a>`
      } <span class="muted">${v.type}, ${v.fileCount} files, ${bytes(v.size)}, ${
        v.digest.slice(0, 12)
      }</span></li>`
    )
  }</ul>`;
}

function syncText(s: SyncStatus | null): string {
  if (!s) return "unknown";
  if (s.synced) return `synced to ${s.target}${s.lastSyncedAt ? ` (${s.lastSyncedAt})` : ""}`;
  if (s.never) {
    if (s.elsewhere.length === 0) return "local only (never sent to W&B)";
    return s.elsewhere.map((e) => `${e.synced ? "synced to" : "pending at"} ${e.target}`).join(", ");
  }
  const p = s.pending;
  const parts: string[] = [];
  if (p.historyRows) parts.push(`${p.historyRows} history rows`);
  if (p.tables.length) parts.push(`${p.tables.length} tables`);
  if (p.outputs.length + p.inputs.length) parts.push(`${p.outputs.length + p.inputs.length} artifacts`);
  return `pending at ${s.target}${parts.length ? ": " + parts.join(", ") : ""}`;
}

/** For video runs: the sentiment timeline chart and the thumbnails (contact sheet, timeline picture). */
function videoBlock(ctx: PageContext, run: RunDetails): Markup {
  const hasTimeline = run.tables.some((t) => t.key === "video_timeline");
  const pictures = [...run.used, ...run.produced].flatMap((v) =>
    Object.keys(v.manifest.contents).filter((f) =>
      /\.(png|jpe?g|svg)$/i.test(f) && (v.type === "video" || v.type === "chart")
    )
      .map((f) => ({ v, f }))
  );
  if (!hasTimeline && pictures.length === 0) return html``;
  let chart: Markup = html``;
  if (hasTimeline) {
    const t = getTableRows(run.id, "video_timeline", { ...ctx.read, limit: 20000 });
    if (t && t.rows.length) {
      const col = (name: string) => t.columns.indexOf(name);
      const start = col("start"), end = col("end");
      // Each cue holds its score from its start to its end (a step line), so the chart spans the video.
      const series = ["valence", "negative", "neutral", "positive"].filter((n) => col(n) >= 0).map((n) => ({
        name: n,
        points: t.rows.filter((r) => typeof r[start] === "number" && typeof r[col(n)] === "number")
          .flatMap((r) => {
            const y = r[col(n)] as number, x0 = r[start] as number;
            const x1 = end >= 0 && typeof r[end] === "number" ? r[end] as number : x0;
            return x1 > x0 ? [{ x: x0, y }, { x: x1, y }] : [{ x: x0, y }];
          }),
      })).filter((s) => s.points.length > 0);
      if (series.length && start >= 0) {
        chart = html`<figure id="video-timeline">${
          raw(
            lineChartSvg(series, {
              title: "Sentiment timeline",
              xLabel: "time (s)",
              yLabel: "score",
              width: 900,
              height: 300,
            }),
          )
        }</figure>`;
      }
    }
  }
  return html`<h2>Video</h2>${chart}${
    ctx.static
      ? ""
      : html`<div class="side" id="thumbnails">${
        pictures.map(({ v, f }) =>
          html`<figure><img class="thumb" alt="${f}" src="${
            href(`/artifact/${seg(v.name)}/v/${v.version}/raw`, { path: f })
          }"><figcaption>${v.ref} · ${f}</figcaption></figure>`
        )
      }</div>`
  }`;
}
