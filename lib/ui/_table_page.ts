// Private: a logged table, paged on the server, searchable and sortable; for prediction tables also
// "errors only", sort by confidence and the confusion matrix whose cells show their rows.
import { confusionMatrixSvg } from "../display/mod.ts";
import { getRun, getTableRows, type TableInfo } from "../tracking/mod.ts";
import { href, html, type Markup, raw, seg, valueText } from "./_html.ts";
import { page } from "./_layout.ts";
import { intParam, NotFound, type PageContext, param } from "./_context.ts";
import { hasMatrix, needsScan, orderedRows, rowsAt, tableMatrix, type TableQuery } from "./_table_index.ts";
import { pager } from "./_runs_page.ts";

/** Tables up to this many rows get their confusion matrix on first view; larger ones on request. */
const MATRIX_AUTO_ROWS = 200_000;

/** The table page. */
export function tablePage(ctx: PageContext, runId: string, key: string): string {
  const run = getRun(runId, ctx.read);
  const versions = run?.tables.filter((t) => t.key === key) ?? [];
  const asked = param(ctx, "version");
  const info = asked === undefined
    ? versions.at(-1)
    : /^\d{1,9}$/.test(asked)
    ? versions[Number(asked)]
    : undefined;
  if (!run || !info) {
    throw new NotFound(
      `no table '${key}'${asked === undefined ? "" : ` version ${asked}`} in run '${runId}'`,
    );
  }
  const per = intParam(ctx, "per", 50, 1000) || 50;
  const sortName = param(ctx, "sort");
  const sortCol = sortName === undefined ? -1 : info.columns.indexOf(sortName);
  const isPred = info.columns.includes("gold") && info.columns.includes("predicted");
  // A prediction table of the run, for the cells of a counts matrix (logEvaluation's confusion_matrix).
  const predictionsKey = run.tables.find((t) => t.columns.includes("gold") && t.columns.includes("predicted"))
    ?.key;
  const q: TableQuery = {
    text: param(ctx, "q"),
    errors: isPred && param(ctx, "errors") === "1",
    gold: isPred ? param(ctx, "gold") : undefined,
    predicted: isPred ? param(ctx, "pred") : undefined,
    sort: sortCol >= 0 ? sortCol : undefined,
    desc: sortCol >= 0 ? param(ctx, "desc") === "1" : undefined,
  };
  const pageNo = Math.max(1, intParam(ctx, "page", 1));
  const first = (pageNo - 1) * per;
  // a query reads the rows it matched, in its order; plain paging reads the page of the table
  let total: number, rows: unknown[][], numbers: number[];
  if (needsScan(q)) {
    const order = orderedRows(ctx.read, runId, info, q);
    const slice = order.subarray(first, first + per);
    total = order.length;
    rows = rowsAt(ctx.read, runId, info, slice);
    numbers = Array.from(slice);
  } else {
    total = info.rowCount;
    rows =
      getTableRows(runId, key, { ...ctx.read, offset: first, limit: per, version: info.version })?.rows ??
        [];
    numbers = rows.map((_, i) => first + i);
  }
  return render(ctx, run.id, info, q, {
    versions,
    total,
    rows,
    pageNo,
    per,
    numbers,
    isPred,
    sortName,
    predictionsKey,
  });
}

/**
 * A table of counts shaped like logEvaluation's confusion_matrix (`gold`, `predicted_<label>`...) drawn as
 * the matrix; its cells show the rows of the run's prediction table with that gold and predicted label.
 */
function countsMatrix(ctx: PageContext, runId: string, info: TableInfo, predictionsKey?: string): Markup {
  const [first, ...rest] = info.columns;
  if (first !== "gold" || rest.length === 0 || !rest.every((c) => c.startsWith("predicted_"))) return html``;
  if (info.rowCount > rest.length) return html``;
  const labels = rest.map((c) => c.slice("predicted_".length));
  const rows =
    getTableRows(runId, info.key, { ...ctx.read, limit: labels.length, version: info.version })?.rows ??
      [];
  const byGold = new Map(rows.map((r) => [String(r[0]), r.slice(1)]));
  const counts = labels.map((l) =>
    (byGold.get(l) ?? []).map((v) => (typeof v === "number" && v >= 0 ? v : 0))
  );
  if (counts.some((r) => r.length !== labels.length)) return html``;
  const target = predictionsKey === undefined ? null : `/run/${seg(runId)}/table/${seg(predictionsKey)}`;
  const svg = confusionMatrixSvg(counts, labels, {
    title: `Confusion matrix (${info.key})`,
    ...(target
      ? { cellHref: (g: number, c: number) => href(target, { gold: labels[g], pred: labels[c] }) }
      : {}),
  });
  return html`<figure id="matrix">${raw(svg)}${
    target
      ? html`<figcaption class="muted">Click a cell to see its rows in ${predictionsKey}.</figcaption>`
      : ""
  }</figure>`;
}

function render(
  ctx: PageContext,
  runId: string,
  info: TableInfo,
  q: TableQuery,
  p: {
    /** Every table of the run under this key, in logging order. */
    versions: TableInfo[];
    total: number;
    rows: unknown[][];
    pageNo: number;
    per: number;
    numbers: number[];
    isPred: boolean;
    sortName?: string;
    predictionsKey?: string;
  },
): string {
  const base = `/run/${seg(runId)}/table/${seg(info.key)}`;
  // an earlier version is named in every link of its page; the latest is the plain address
  const version = info.version === p.versions.length - 1 ? undefined : info.version;
  const state: Record<string, unknown> = {
    version,
    q: q.text,
    errors: q.errors ? "1" : undefined,
    gold: q.gold,
    pred: q.predicted,
    sort: p.sortName,
    desc: q.desc ? "1" : undefined,
    per: p.per === 50 ? undefined : p.per,
  };
  const pages = Math.max(1, Math.ceil(p.total / p.per));
  const sortLink = (c: string) => {
    const active = p.sortName === c;
    return html`<a href="${
      href(base, { ...state, sort: c, desc: active && !q.desc ? "1" : undefined, page: undefined })
    }">${c}${active ? (q.desc ? " ▼" : " ▲") : ""}</a>`;
  };
  let matrix: Markup = html``;
  if (p.isPred) {
    const want = info.rowCount <= MATRIX_AUTO_ROWS || param(ctx, "matrix") === "1" ||
      hasMatrix(ctx.read, runId, info);
    if (want) {
      const m = tableMatrix(ctx.read, runId, info);
      if (m.labels.length > 0) {
        const svg = confusionMatrixSvg(m.matrix, m.labels, {
          title: `Confusion matrix (${info.key})`,
          cellHref: (g, c) => href(base, { version, gold: m.labels[g], pred: m.labels[c] }),
        });
        matrix = html`<figure id="matrix">${
          raw(svg)
        }<figcaption class="muted">Click a cell to see its rows.</figcaption></figure>`;
      }
    } else {
      matrix = html`<p><a href="${
        href(base, { ...state, matrix: "1" })
      }" id="matrix-link">Compute the confusion matrix</a> <span class="muted">(reads all ${info.rowCount} rows)</span></p>`;
    }
  } else {
    matrix = countsMatrix(ctx, runId, info, p.predictionsKey);
  }
  const conf = info.columns.indexOf("confidence");
  // A column of fractions (scores, confidences) shows 4 decimals on every row, so its digits line up.
  const fixed = info.columns.map((_, j) =>
    p.rows.some((r) => typeof r?.[j] === "number" && !Number.isInteger(r[j])) &&
    p.rows.every((r) => typeof r?.[j] !== "number" || Math.abs(r[j] as number) < 1e6)
  );
  const body = html`<h1>Table ${info.key} <span class="muted">of run <a href="/run/${
    seg(runId)
  }">${runId}</a></span></h1>
<p class="muted">${info.rowCount} rows × ${info.columns.length} columns, logged at step ${info.step}, ${info.createdAt}</p>
${versionsNav(base, info, p.versions)}
<div class="side">${matrix}<div>
<form class="filters" method="get" action="${base}">
<label>Search<input name="q" value="${q.text ?? ""}" size="24"></label>
${
    p.isPred
      ? html`<label><span>Errors only</span><input type="checkbox" name="errors" value="1" id="errors"${
        q.errors
          ? html`
            checked
          `
          : ""
      }></label>`
      : ""
  }
${version !== undefined ? html`<input type="hidden" name="version" value="${version}">` : ""}
${q.gold !== undefined ? html`<input type="hidden" name="gold" value="${q.gold}">` : ""}
${q.predicted !== undefined ? html`<input type="hidden" name="pred" value="${q.predicted}">` : ""}
${p.sortName ? html`<input type="hidden" name="sort" value="${p.sortName}">` : ""}
${q.desc ? html`<input type="hidden" name="desc" value="1">` : ""}
<button type="submit" id="apply">Apply</button> <a href="${href(base, { version })}">reset</a>
</form>
${
    p.isPred && conf >= 0
      ? html`<p>Sort by confidence: <a id="conf-asc" href="${
        href(base, { ...state, sort: "confidence", desc: undefined })
      }">lowest first</a> ·
<a id="conf-desc" href="${href(base, { ...state, sort: "confidence", desc: "1" })}">highest first</a></p>`
      : ""
  }
${
    q.gold !== undefined || q.predicted !== undefined
      ? html`<p id="cell-filter">Rows with gold <b>${q.gold ?? "any"}</b> and predicted <b>${
        q.predicted ?? "any"
      }</b>
(<a href="${href(base, { ...state, gold: undefined, pred: undefined })}">clear</a>)</p>`
      : ""
  }
<p><span id="matches">${p.total}</span> ${needsScan(q) ? "matching rows" : "rows"}</p>
${pager(p.pageNo, pages, (n) => href(base, { ...state, page: n }))}
<table class="grid" id="rows"><thead><tr><th>#</th>${
    info.columns.map((c) => html`<th>${sortLink(c)}</th>`)
  }</tr></thead>
<tbody>${
    p.rows.map((r, i) =>
      html`
        <tr data-row="${p.numbers[i]}" ${p.isPred && r && r[info.columns.indexOf("gold")] !== null &&
            r[info.columns.indexOf("gold")] !== r[info.columns.indexOf("predicted")]
          ? html`
            class="error"
          `
          : ""}><td class="muted">${p.numbers[i]}</td>${(r ?? []).map((c, j) => cell(c, fixed[j]))}</tr>
      `
    )
  }</tbody></table>
${pager(p.pageNo, pages, (n) => href(base, { ...state, page: n }))}
</div></div>`;
  return page(`${info.key} · ${runId} · sentilab`, body, { static: ctx.static });
}

/**
 * Links to the other tables the run logged under this key (a table logged at several steps), the one shown
 * in bold; nothing for a key logged once.
 */
function versionsNav(base: string, info: TableInfo, versions: TableInfo[]): Markup {
  if (versions.length < 2) return html``;
  const last = versions.length - 1;
  return html`<p id="versions">Logged ${versions.length} times: ${
    versions.map((t, i) => {
      const label = `v${t.version} (step ${t.step}, ${t.rowCount} rows)`;
      return html`${i > 0 ? " · " : ""}${
        t.version === info.version
          ? html`<b>${label}</b>`
          : html`<a href="${
            href(base, { version: t.version === last ? undefined : t.version })
          }">${label}</a>`
      }`;
    })
  }</p>`;
}

/** One cell: numbers right-aligned (with 4 decimals in a column of fractions, the full value as title),
 * long texts given room to wrap readably. */
function cell(c: unknown, fixed: boolean): Markup {
  if (typeof c === "number") {
    const shown = fixed && Number.isFinite(c) && (c === 0 || Math.abs(c) >= 1e-4)
      ? c.toFixed(4)
      : valueText(c);
    return html`<td class="num" title="${shown === valueText(c) ? undefined : String(c)}">${shown}</td>`;
  }
  const text = valueText(c);
  return html`<td class="cell-text${text.length > 40 ? " long" : ""}">${text}</td>`;
}
