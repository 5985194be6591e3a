import { heatColor, textOn } from "./_color.ts";
import { escapeText, px, truncate } from "./_escape.ts";
import { checkSize, svgDocument, svgText } from "./_svg.ts";

/** Options for {@linkcode confusionMatrixSvg}. */
export interface ConfusionMatrixSvgOptions {
  /** Title drawn above the matrix (default "Confusion matrix"). */
  title?: string;
  /**
   * Colour by share of the gold row (`"row"`, the default: recall per class is the diagonal) or by the
   * raw count relative to the largest cell (`"none"`).
   */
  normalize?: "row" | "none";
  /** Side of a cell in pixels (default 72, at least 24). */
  cellSize?: number;
  /** Axis title of the rows (default "gold"). */
  rowTitle?: string;
  /** Axis title of the columns (default "predicted"). */
  columnTitle?: string;
  /**
   * A link for each cell (e.g. to the rows with that gold and predicted label), drawn as an SVG `<a>`
   * around the cell; the returned URL is escaped. Default: no links.
   */
  cellHref?: (gold: number, predicted: number) => string;
}

/**
 * Draws a confusion matrix as an SVG heat map: rows are the gold labels, columns the predicted labels,
 * each cell shows its count and its share of the row; darker is more. Every cell carries a `<title>`
 * tooltip ("gold negative → predicted positive: 3 (12.5% of gold negative)").
 *
 * @param matrix Counts, `matrix[gold][predicted]`, square, non-negative finite numbers.
 * @param labels Name of each row/column, same length as `matrix`.
 * @param options Title, normalisation and size.
 * @returns A standalone SVG document (string).
 * @throws {RangeError} When the matrix is not square, does not match `labels`, or holds a negative,
 *   NaN or infinite count; the message names the cell.
 *
 * @example
 * ```ts
 * import { confusionMatrixSvg } from "./mod.ts";
 * const svg = confusionMatrixSvg([[5, 1, 0], [2, 3, 1], [0, 1, 7]], ["negative", "neutral", "positive"]);
 * console.assert(svg.startsWith("<svg"));
 * ```
 */
export function confusionMatrixSvg(
  matrix: readonly (readonly number[])[],
  labels: readonly string[],
  options: ConfusionMatrixSvgOptions = {},
): string {
  const n = labels.length;
  if (!Array.isArray(matrix) || matrix.length !== n) {
    throw new RangeError(
      `Confusion matrix has ${Array.isArray(matrix) ? matrix.length : 0} rows but ${n} labels were given: ` +
        `pass one row per label`,
    );
  }
  if (n === 0) throw new RangeError("Confusion matrix is empty: pass at least one label");
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n) {
      throw new RangeError(
        `Confusion matrix row ${i} ('${labels[i]}') has ${row?.length ?? 0} cells, expected ${n}`,
      );
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new RangeError(
          `Confusion matrix cell [${i}][${j}] (gold '${labels[i]}', predicted '${labels[j]}') is ${v}: ` +
            `counts must be finite and >= 0`,
        );
      }
    });
  });
  const normalize = options.normalize ?? "row";
  if (normalize !== "row" && normalize !== "none") {
    throw new RangeError(`Invalid normalize '${normalize}': expected "row" or "none"`);
  }
  const cell = checkSize("cellSize", options.cellSize ?? 72, 24);
  const title = options.title ?? "Confusion matrix";
  const rowTitle = options.rowTitle ?? "gold";
  const columnTitle = options.columnTitle ?? "predicted";

  const maxLabel = Math.min(16, Math.max(...labels.map((l) => Array.from(l).length)));
  const left = 34 + maxLabel * 7.2;
  const top = 64;
  // Wide enough for the title (14 px bold, about 8 px a character) and the note under the matrix.
  const width = Math.max(left + n * cell + 16, left + Array.from(title).length * 8 + 12, left + 260);
  const height = top + n * cell + 40;
  const rowSums = matrix.map((row) => row.reduce((a: number, b: number) => a + b, 0));
  const maxCell = Math.max(...matrix.flat());
  const total = rowSums.reduce((a, b) => a + b, 0);

  const parts: string[] = [];
  parts.push(svgText(left, 20, title, { "font-size": 14, "font-weight": 600 }));
  parts.push(
    svgText(left + (n * cell) / 2, top - 26, columnTitle, { "text-anchor": "middle", fill: "#555" }),
  );
  parts.push(
    svgText(12, top + (n * cell) / 2, rowTitle, {
      "text-anchor": "middle",
      fill: "#555",
      transform: `rotate(-90 12 ${px(top + (n * cell) / 2)})`,
    }),
  );
  labels.forEach((label, j) => {
    parts.push(
      svgText(left + j * cell + cell / 2, top - 8, truncate(label, Math.floor(cell / 7)), {
        "text-anchor": "middle",
      }),
    );
    parts.push(
      svgText(left - 8, top + j * cell + cell / 2 + 4, truncate(label, 16), { "text-anchor": "end" }),
    );
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j];
      const share = rowSums[i] > 0 ? v / rowSums[i] : 0;
      const t = normalize === "row" ? share : maxCell > 0 ? v / maxCell : 0;
      const fill = heatColor(t);
      const x = left + j * cell;
      const y = top + i * cell;
      const tip = `gold ${labels[i]} → predicted ${labels[j]}: ${v} (${(share * 100).toFixed(1)}% of gold ${
        labels[i]
      })`;
      const href = options.cellHref?.(i, j);
      parts.push(
        (href === undefined ? "" : `<a href="${escapeText(href)}">`) +
          `<g class="cell" data-row="${i}" data-col="${j}" data-value="${v}"><title>${
            escapeText(tip)
          }</title>` +
          `<rect x="${px(x)}" y="${px(y)}" width="${px(cell)}" height="${px(cell)}" fill="${fill}" ` +
          `stroke="#ffffff" stroke-width="1"/>` +
          svgText(x + cell / 2, y + cell / 2 + (cell >= 40 ? 0 : 4), String(v), {
            "text-anchor": "middle",
            fill: textOn(fill),
            "font-weight": i === j ? 700 : 400,
            "font-size": 13,
          }) +
          (cell >= 40
            ? svgText(x + cell / 2, y + cell / 2 + 15, `${(share * 100).toFixed(0)}%`, {
              "text-anchor": "middle",
              fill: textOn(fill),
              "font-size": 10,
            })
            : "") +
          `</g>` + (href === undefined ? "" : "</a>"),
      );
    }
  }
  const correct = matrix.reduce((a, row, i) => a + row[i], 0);
  const note = `n = ${total}, diagonal = ${correct}${
    total > 0 ? ` (${((correct / total) * 100).toFixed(1)}%)` : ""
  }`;
  parts.push(svgText(left, top + n * cell + 24, note, { fill: "#555", "font-size": 11 }));
  return svgDocument(width, height, title, parts.join(""));
}
