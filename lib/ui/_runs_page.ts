// Private: the runs list: filters, sort by any column or summary/config value, columns, paging, compare.
import { queryRuns, type RunPage, type RunRecord, type RunStatus, TrackingError } from "../tracking/mod.ts";
import { duration, href, html, type Markup, valueText } from "./_html.ts";
import { page } from "./_layout.ts";
import { intParam, type PageContext, param } from "./_context.ts";

const STATUSES: RunStatus[] = ["running", "finished", "failed", "crashed"];
const BASE_COLUMNS: [string, string][] = [
  ["name", "Name"],
  ["project", "Project"],
  ["group", "Group"],
  ["status", "Status"],
  ["started", "Started"],
  ["duration", "Duration"],
];

/** The runs list page. */
export function runsPage(ctx: PageContext): string {
  const per = intParam(ctx, "per", 50, 500) || 50;
  const pageNo = Math.max(1, intParam(ctx, "page", 1));
  const sort = param(ctx, "sort");
  const desc = param(ctx, "desc") === undefined ? undefined : param(ctx, "desc") === "1";
  const tags = (param(ctx, "tags") ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  const status = STATUSES.includes(param(ctx, "status") as RunStatus)
    ? param(ctx, "status") as RunStatus
    : undefined;
  const filters = {
    project: param(ctx, "project"),
    group: param(ctx, "group"),
    status,
    tags: tags.length ? tags : undefined,
    text: param(ctx, "q"),
    filter: param(ctx, "filter"),
  };
  let result: RunPage;
  let problem: string | null = null;
  try {
    result = queryRuns({ ...ctx.read, ...filters, sort, desc, offset: (pageNo - 1) * per, limit: per });
  } catch (e) {
    if (!(e instanceof TrackingError)) throw e;
    problem = e.message; // an invalid filter expression: said on the page, with where it failed
    result = { ...queryRuns({ ...ctx.read, limit: 0 }), total: 0 };
  }
  const chosen = ctx.url.searchParams.getAll("col").filter(Boolean);
  const available = valueKeys(result.runs);
  const columns = chosen.length ? chosen : commonSummaryKeys(result.runs).slice(0, 6);
  const state: Record<string, unknown> = {
    project: filters.project,
    group: filters.group,
    status,
    tags: tags.join(","),
    q: filters.text,
    filter: filters.filter,
    sort,
    desc: desc === undefined ? undefined : desc ? "1" : "0",
    per: per === 50 ? undefined : per,
    col: chosen,
  };
  const sortLink = (key: string, label: string) => {
    const active = (sort ?? "started") === key;
    const nowDesc = desc ?? sort === undefined;
    const next = active ? !nowDesc : key === "started" || key.startsWith("summary.");
    return html`<a href="${
      href("/", { ...state, sort: key, desc: next ? "1" : "0", page: undefined })
    }" data-sort="${key}">${label}${active ? (nowDesc ? " ▼" : " ▲") : ""}</a>`;
  };
  const pages = Math.max(1, Math.ceil(result.total / per));
  const option = (value: string, current: string | undefined) =>
    html`
      <option value="${value}" ${value === (current ?? "")
        ? html`
          selected
        `
        : ""}>${value || "any"}</option>
    `;
  const body = html`
    <h1>Runs</h1>${problem ? html`<pre class="preview" id="problem">${problem}</pre>` : ""}
    <form class="filters" method="get" action="/">
    <label>Project<select name="project">${["", ...result.projects].map((p) =>
      option(p, filters.project)
    )}</select></label>
    <label>Group<select name="group">${["", ...result.groups].map((g) =>
      option(g, filters.group)
    )}</select></label>
    <label>Status<select name="status">${["", ...STATUSES].map((s) => option(s, status))}</select></label>
    <label>Tags (comma)<input name="tags" value="${tags.join(",")}" size="14"></label>
    <label>Text<input name="q" value="${filters.text ?? ""}" size="18" placeholder="name, id, notes…"></label>
    <label>Filter<input name="filter" value="${filters.filter ??
      ""}" size="30" placeholder="summary.accuracy &gt; 0.9 and config.lr &lt; 0.1"></label>
    ${sort ? html`<input type="hidden" name="sort" value="${sort}">` : ""}
    ${desc !== undefined ? html`<input type="hidden" name="desc" value="${desc ? "1" : "0"}">` : ""}
    <details class="columns"><summary>Columns</summary><div>${[...new Set([...available, ...chosen])].map((
      k,
    ) =>
      html`<label><input type="checkbox" name="col" value="${k}"${
        columns.includes(k)
          ? html`
            checked
          `
          : ""
      }> ${k}</label>`
    )}</div></details>
    <button type="submit" id="apply">Apply</button> <a href="/">reset</a>
    </form>
    <form method="get" action="/compare" id="compare-form">
      <p><span id="total">${result.total}</span> runs · page ${pageNo} of ${pages}
    <button type="submit" id="compare">Compare selected</button></p>
      <div class="scroll">
        <table class="grid" id="runs">
          <thead>
            <tr><th></th>${BASE_COLUMNS.map(([k, l]) =>
              html`<th>${sortLink(k, l)}</th>`
            )}<th>Tags</th>${columns
              .map((c) => html`<th>${sortLink(c, c.replace(/^summary\./, ""))}</th>`)}</tr>
          </thead>
          <tbody>${result.runs.map((r) => row(r, columns))}</tbody>
        </table>
      </div>${result.runs.length > 0
        ? ""
        : html`<p class="muted" id="no-runs">${
          Object.values(filters).some((v) => v !== undefined) || pageNo > 1
            ? html`No runs match these filters (<a href="/">show all runs</a>).`
            : html`No runs in this store yet: tracked tasks (<code>deno task evaluate</code>, <code>train</code>,
            <code>video</code>) and <code>initRun</code> in a notebook add them.`
        }</p>`}
    </form>
    ${pager(pageNo, pages, (p) => href("/", { ...state, page: p }))}
  `;
  return page("Runs · sentilab", body);
}

function row(r: RunRecord, columns: string[]): Markup {
  return html`<tr data-run="${r.id}"><td><input type="checkbox" name="run" value="${r.id}" form="compare-form"></td>
<td class="nowrap"><a href="/run/${
    encodeURIComponent(r.id)
  }" class="run-link" title="${r.name}">${r.name}</a> <span class="muted">${r.id}</span></td>
<td class="nowrap">${r.project}</td><td class="nowrap">${
    r.group ?? ""
  }</td><td><span class="badge status-${r.status}">${r.status}</span></td>
<td class="nowrap">${r.startedAt.replace("T", " ").slice(0, 19)}</td><td class="num">${
    duration(r.startedAt, r.endedAt)
  }</td>
<td class="tags">${r.tags.map((t) => html`<span class="tag">${t}</span>`)}</td>${
    columns.map((c) => {
      const v = lookup(r, c);
      return html`<td class="${typeof v === "number" ? "num" : ""}" data-col="${c}">${valueText(v)}</td>`;
    })
  }</tr>`;
}

/** The value of `summary.KEY` / `config.KEY` of a run. */
function lookup(r: RunRecord, column: string): unknown {
  const dot = column.indexOf(".");
  const from = column.slice(0, dot) === "config" ? r.config : r.summary;
  return (from as Record<string, unknown>)[column.slice(dot + 1)];
}

/**
 * The summary.* keys to show when no columns are chosen: those most runs on the page have, in the order
 * their runs logged them (an evaluation's accuracy, then macro precision...), W&B's own `_` keys left out.
 */
function commonSummaryKeys(runs: RunRecord[]): string[] {
  const seen = new Map<string, { runs: number; at: number }>();
  for (const r of runs) {
    Object.entries(r.summary).forEach(([k, v], i) => {
      if (k.startsWith("_") || (v !== null && typeof v === "object")) return;
      const s = seen.get(k);
      if (s) (s.runs++, s.at = Math.min(s.at, i));
      else seen.set(k, { runs: 1, at: i });
    });
  }
  return [...seen].sort(([, a], [, b]) => b.runs - a.runs || a.at - b.at).map(([k]) => `summary.${k}`);
}

/** summary.* keys with scalar values, then config.* keys, of the runs shown. */
function valueKeys(runs: RunRecord[]): string[] {
  const s = new Set<string>(), c = new Set<string>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.summary)) {
      if (v === null || typeof v !== "object") s.add(`summary.${k}`);
    }
    for (const [k, v] of Object.entries(r.config)) {
      if (v === null || typeof v !== "object") c.add(`config.${k}`);
    }
  }
  return [...[...s].sort(), ...[...c].sort()].slice(0, 200);
}

/** First/previous/next/last links and a page number box. */
export function pager(pageNo: number, pages: number, link: (p: number) => string): Markup {
  return html`<div class="pager">${
    pageNo > 1
      ? html`<a href="${link(1)}">« first</a><a href="${link(pageNo - 1)}" id="prev">‹ previous</a>`
      : ""
  }<span>page ${pageNo} of ${pages}</span>${
    pageNo < pages
      ? html`<a href="${link(pageNo + 1)}" id="next">next ›</a><a href="${link(pages)}" id="last">last »</a>`
      : ""
  }</div>`;
}
