import { escapeText, px, truncate } from "./_escape.ts";
import { svgDocument, svgText } from "./_svg.ts";

/** A node of a lineage graph: a run or an artifact version. */
export interface LineageNode {
  /** Unique id, e.g. a run id or `model:v3`. */
  id: string;
  /** Text in the box (default: the id). */
  label?: string;
  /** `"run"` (drawn as a rounded box), `"artifact"` (or an artifact type such as `"model"`, `"dataset"`). */
  kind: string;
  /** Second line of smaller text, e.g. the artifact type or a digest prefix. */
  detail?: string;
}

/** An edge of a lineage graph: `from` is used by or produces `to`. */
export interface LineageEdge {
  /** Id of the source node. */
  from: string;
  /** Id of the target node. */
  to: string;
  /** Small text on the edge, e.g. "used" / "logged". */
  label?: string;
}

/** A lineage graph (a directed acyclic graph). */
export interface LineageGraph {
  /** Runs and artifacts. */
  nodes: readonly LineageNode[];
  /** Which artifact a run used (artifact → run) and which it logged (run → artifact). */
  edges: readonly LineageEdge[];
}

/** Options for {@linkcode lineageGraphSvg}. */
export interface LineageGraphSvgOptions {
  /** Title (default "Lineage"). */
  title?: string;
}

const KIND_COLORS: Record<string, [string, string]> = {
  run: ["#fff4e0", "#e08a00"],
  model: ["#e8f0fb", "#4e79a7"],
  dataset: ["#eaf6e8", "#59a14f"],
  video: ["#f6eaf4", "#b07aa1"],
};

function colors(kind: string): [string, string] {
  return KIND_COLORS[kind] ?? ["#f2f2f2", "#777777"];
}

/**
 * Draws a lineage graph left to right: every node in the column of its longest path from a source, so
 * inputs stand left of the runs that used them and outputs right of the runs that logged them. Runs are
 * rounded orange boxes, artifacts square boxes coloured by type (model, dataset, video, other); edges are
 * arrows.
 *
 * @param graph Nodes and edges.
 * @param options Title.
 * @returns A standalone SVG document.
 * @throws {RangeError} When there is no node, an id repeats, an edge names an unknown node, or the edges
 *   form a cycle (the nodes on it are named).
 *
 * @example
 * ```ts
 * import { lineageGraphSvg } from "./mod.ts";
 * const svg = lineageGraphSvg({
 *   nodes: [
 *     { id: "sample:v0", kind: "dataset" },
 *     { id: "run-1", kind: "run", label: "evaluate" },
 *     { id: "preds:v0", kind: "predictions" },
 *   ],
 *   edges: [{ from: "sample:v0", to: "run-1" }, { from: "run-1", to: "preds:v0" }],
 * });
 * console.assert(svg.includes("evaluate"));
 * ```
 */
export function lineageGraphSvg(graph: LineageGraph, options: LineageGraphSvgOptions = {}): string {
  const { nodes, edges } = graph;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new RangeError("lineageGraphSvg needs at least one node");
  }
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (typeof n.id !== "string" || n.id === "") throw new RangeError(`Node ${i} has no id`);
    if (index.has(n.id)) throw new RangeError(`Node id '${n.id}' appears twice: node ids must be unique`);
    index.set(n.id, i);
  });
  const out: number[][] = nodes.map(() => []);
  const inc: number[][] = nodes.map(() => []);
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined) {
      throw new RangeError(
        `Edge ${e.from} → ${e.to} names an unknown node '${a === undefined ? e.from : e.to}'`,
      );
    }
    out[a].push(b);
    inc[b].push(a);
  }
  // Kahn's algorithm: longest-path layers; leftovers are on a cycle.
  const indeg = inc.map((l) => l.length);
  const layer = nodes.map(() => 0);
  const queue = nodes.map((_, i) => i).filter((i) => indeg[i] === 0);
  let seen = 0;
  while (queue.length > 0) {
    const i = queue.shift()!;
    seen++;
    for (const j of out[i]) {
      layer[j] = Math.max(layer[j], layer[i] + 1);
      if (--indeg[j] === 0) queue.push(j);
    }
  }
  if (seen < nodes.length) {
    const cyc = nodes.filter((_, i) => indeg[i] > 0).map((n) => `'${n.id}'`).join(", ");
    throw new RangeError(`Lineage edges form a cycle through ${cyc}: lineage must be acyclic`);
  }
  // Pull each source (an input used by one run) right, next to the first node that consumes it, so its
  // edge does not cross the columns in between.
  nodes.forEach((_, i) => {
    if (inc[i].length === 0 && out[i].length > 0) layer[i] = Math.min(...out[i].map((j) => layer[j])) - 1;
  });
  const layers: number[][] = [];
  nodes.forEach((_, i) => (layers[layer[i]] ??= []).push(i));
  // Order each layer by the mean row of its parents (one barycentre pass), keeping input order on ties.
  const row = nodes.map(() => 0);
  layers.forEach((ids, l) => {
    if (l > 0) {
      const key = (i: number) =>
        inc[i].length ? inc[i].reduce((s, p) => s + row[p], 0) / inc[i].length : Infinity;
      ids.sort((i, j) => key(i) - key(j) || i - j);
    }
    ids.forEach((i, r) => (row[i] = r));
  });
  const boxW = 168, boxH = 44, colGap = 64, rowGap = 18, left = 16, top = 44;
  const maxRows = Math.max(...layers.map((l) => l.length));
  const width = left * 2 + layers.length * boxW + (layers.length - 1) * colGap;
  const height = top + maxRows * (boxH + rowGap) + 8;
  const pos = nodes.map((_, i) => {
    const rows = layers[layer[i]].length;
    const offset = ((maxRows - rows) * (boxH + rowGap)) / 2;
    return { x: left + layer[i] * (boxW + colGap), y: top + offset + row[i] * (boxH + rowGap) };
  });
  const title = options.title ?? "Lineage";
  const parts: string[] = [
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" ` +
    `orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#666"/></marker></defs>`,
    svgText(left, 22, title, { "font-size": 14, "font-weight": 600 }),
  ];
  for (const e of edges) {
    const a = pos[index.get(e.from)!];
    const b = pos[index.get(e.to)!];
    const x1 = a.x + boxW, y1 = a.y + boxH / 2, x2 = b.x, y2 = b.y + boxH / 2;
    const mx = (x1 + x2) / 2;
    parts.push(
      `<path class="edge" data-from="${escapeText(e.from)}" data-to="${escapeText(e.to)}" ` +
        `d="M${px(x1)} ${px(y1)}C${px(mx)} ${px(y1)} ${px(mx)} ${px(y2)} ${px(x2 - 1)} ${px(y2)}" ` +
        `fill="none" stroke="#666" stroke-width="1.3" marker-end="url(#arrow)"/>`,
    );
    if (e.label) {
      parts.push(svgText(mx, (y1 + y2) / 2 + 3, truncate(e.label, 14), {
        "text-anchor": "middle",
        "font-size": 10,
        fill: "#555",
        stroke: "#ffffff",
        "stroke-width": 3,
        "paint-order": "stroke",
      }));
    }
  }
  nodes.forEach((n, i) => {
    const { x, y } = pos[i];
    const [fill, stroke] = colors(n.kind);
    const isRun = n.kind === "run";
    const label = truncate(n.label ?? n.id, 24);
    const detail = n.detail ?? (isRun ? "run" : n.kind);
    parts.push(
      `<g class="node" data-id="${escapeText(n.id)}" data-kind="${escapeText(n.kind)}">` +
        `<title>${escapeText(`${n.kind}: ${n.id}${n.detail ? ` (${n.detail})` : ""}`)}</title>` +
        `<rect x="${px(x)}" y="${px(y)}" width="${boxW}" height="${boxH}" rx="${isRun ? 12 : 2}" ` +
        `fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>` +
        svgText(x + boxW / 2, y + 18, label, { "text-anchor": "middle", "font-weight": 600 }) +
        svgText(x + boxW / 2, y + 34, truncate(detail, 28), {
          "text-anchor": "middle",
          "font-size": 10,
          fill: "#555",
        }) + `</g>`,
    );
  });
  return svgDocument(width, height, title, parts.join(""));
}
