// Private: two or more runs side by side: overlaid metric charts, config differences highlighted,
// summaries side by side.
import { getRun, type RunDetails } from "../tracking/mod.ts";
import { historyOf } from "./_history_cache.ts";
import { flatten, html, raw, seg, valueText } from "./_html.ts";
import { page } from "./_layout.ts";
import { compareCharts } from "./_charts.ts";
import { NotFound, type PageContext, param } from "./_context.ts";

/** The compare page for the runs given as `run=ID` (at most 10). */
export function comparePage(ctx: PageContext): string {
  const ids = [...new Set(ctx.url.searchParams.getAll("run").filter(Boolean))].slice(0, 10);
  const runs = ids.map((id) => getRun(id, ctx.read)).filter((r): r is RunDetails => r !== null);
  if (runs.length === 0) throw new NotFound("no runs to compare");
  const label = (r: RunDetails) => `${r.name} (${r.id})`;
  const x = param(ctx, "x") === "time" ? "time" : "step";
  const charts = compareCharts(
    runs.map((r) => ({ label: label(r), rows: historyOf(ctx.read, r.id, r.historyCount) })),
    x,
  );
  const body = html`
    <h1>Compare ${runs.length} runs</h1>
    ${runs.length < 2
      ? html`<p class="muted">Select at least two runs on the runs list to compare them.</p>`
      : ""}
    <table class="grid">
      <thead>
        <tr>
          <th>Run</th>
          <th>Project</th>
          <th>Status</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>${runs.map((r) =>
        html`
          <tr>
            <td><a href="/run/${seg(r.id)}">${r.name}</a> <span class="muted">${r.id}</span></td>
            <td>${r.project}</td>
            <td><span class="badge status-${r.status}">${r.status}</span></td>
            <td>${r.startedAt}</td>
          </tr>
        `
      )}</tbody>
    </table>
    <h2>Charts</h2>${charts.length === 0
      ? html`
        <p class="muted"
          id="no-charts">No metric was logged more than once by these runs: compare their summaries below.</p>
      `
      : html`${axisForm(ids, x)}<div class="charts" id="charts" data-count="${charts.length}">${
        charts
          .map((c) => html`<figure data-metric="${c.key}">${raw(c.svg)}</figure>`)
      }</div>`}
    <h2>Config</h2>${sideBySide("config", runs, (r) => r.config, true)}
    <h2>Summary</h2>${sideBySide("summary", runs, (r) => r.summary, false)}
  `;
  return page("Compare · sentilab", body);
}

/**
 * One row per key (in the order the runs logged them), one column per run. With `diffsFirst` (the config)
 * the keys whose values differ come first and are marked (class "diff"); summaries, which differ almost
 * everywhere, keep their order unmarked.
 */
function sideBySide(
  id: string,
  runs: RunDetails[],
  pick: (r: RunDetails) => Record<string, unknown>,
  diffsFirst: boolean,
) {
  const maps = runs.map((r) => new Map(flatten(pick(r))));
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))];
  const differs = (k: string) => new Set(maps.map((m) => JSON.stringify(m.get(k) ?? null))).size > 1;
  const ordered = diffsFirst ? [...keys.filter(differs), ...keys.filter((k) => !differs(k))] : keys;
  return html`
    <table class="grid" id="${id}">
      <thead>
        <tr><th>Key</th>${runs.map((r) => html`<th class="run-head">${r.name}</th>`)}</tr>
      </thead>
      <tbody>${ordered.map((k) =>
        html`<tr${
          diffsFirst && differs(k)
            ? html`
              class="diff"
            `
            : ""
        } data-key="${k}"><td>${k}</td>${
          maps.map((m) =>
            html`<td class="${typeof m.get(k) === "number" ? "num" : "cell-text"}">${
              m.has(k) ? valueText(m.get(k)) : "—"
            }</td>`
          )
        }</tr>`
      )}</tbody>
    </table>
  `;
}

/** Step or time on the x axis, keeping the runs. */
function axisForm(ids: string[], x: string) {
  return html`
    <form class="filters" method="get"
      action="/compare">${ids.map((id) =>
        html`<input type="hidden" name="run" value="${id}">`
      )}<label>x axis<select name="x">${["step", "time"].map((k) =>
        html`
          <option value="${k}" ${k === x
            ? html`
              selected
            `
            : ""}>${k}</option>
        `
      )}</select></label><button type="submit">Show</button></form>
  `;
}
