import { jupyter } from "./_jupyter.ts";

/** Options for {@linkcode show}. */
export interface ShowOptions {
  /**
   * Kind of content: `"svg"`, `"html"` or `"markdown"` (default: `"svg"` when the content starts with
   * `<svg` or `<?xml`, else `"html"`).
   */
  kind?: "svg" | "html" | "markdown";
  /** Plain-text alternative for front ends that cannot render the content (default: a short summary). */
  text?: string;
}

/**
 * Shows HTML, SVG or Markdown: inside the Deno Jupyter kernel, as rich output of the current cell
 * (through `Deno.jupyter.display`, so any number of `show` calls per cell work and the cell's last value
 * stays free); anywhere else, returns the content so a script can print it or write it to a file.
 *
 * @param content An HTML fragment, an SVG document or Markdown (e.g. from `metricsTable`,
 *   `confusionMatrixSvg`).
 * @param options Kind of content and plain-text alternative.
 * @returns `undefined` inside a kernel (the content was displayed), else `content` unchanged.
 * @throws {TypeError} When `content` is not a string.
 *
 * @example
 * ```ts
 * import { metricsTable, show } from "./mod.ts";
 * const html = await show(metricsTable({ accuracy: 0.9 }));
 * // In a notebook the table is displayed; in a script `html` is the table's HTML.
 * if (html) console.log(html.length > 0);
 * ```
 */
export async function show(content: string, options: ShowOptions = {}): Promise<string | undefined> {
  if (typeof content !== "string") {
    throw new TypeError(`show expects an HTML, SVG or Markdown string, got ${typeof content}`);
  }
  const j = jupyter();
  if (!j) return content;
  const head = content.trimStart().slice(0, 64).toLowerCase();
  const kind = options.kind ?? (head.startsWith("<svg") || head.startsWith("<?xml") ? "svg" : "html");
  const text = options.text ?? (kind === "markdown" ? content : describe(content, kind));
  if (kind === "svg") {
    // SVG goes out as image/svg+xml AND inlined in text/html: nbconvert's HTML export and GitHub's notebook
    // viewer render the HTML one (nbconvert 6.5 draws an image/svg+xml output as an empty box).
    const svg = content.replace(/^\s*<\?xml[^>]*\?>\s*/, "");
    await j.display({ "image/svg+xml": content, "text/html": `<div>${svg}</div>`, "text/plain": text }, {
      raw: true,
    });
  } else {
    const mime = kind === "markdown" ? "text/markdown" : "text/html";
    await j.display({ [mime]: content, "text/plain": text }, { raw: true });
  }
  return undefined;
}

/**
 * A one-line description for front ends that show only text/plain: the picture's own label (`aria-label`
 * or `<title>` of an SVG; the caption, heading or title of HTML) and its kind, e.g.
 * `Confusion matrix: lexicon (chart, 480×420)`.
 */
function describe(content: string, kind: "svg" | "html"): string {
  const clean = (s: string) =>
    s.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  if (kind === "svg") {
    const root = /<svg\b[^>]*>/i.exec(content)?.[0] ?? "";
    const label = /\baria-label="([^"]*)"/.exec(root)?.[1] ??
      /<title>([\s\S]*?)<\/title>/i.exec(content)?.[1];
    const w = /\bwidth="(\d+(?:\.\d+)?)"/.exec(root)?.[1];
    const h = /\bheight="(\d+(?:\.\d+)?)"/.exec(root)?.[1];
    const size = w && h ? `, ${Math.round(Number(w))}×${Math.round(Number(h))}` : "";
    return `${label ? clean(label) : "chart"} (chart${size})`;
  }
  const title = /<(caption|h[1-4]|title)\b[^>]*>([\s\S]*?)<\/\1>/i.exec(content)?.[2];
  const rows = (content.match(/<tr\b/gi) ?? []).length;
  const what = rows ? `table, ${rows} rows` : "HTML";
  return title && clean(title) ? `${clean(title).slice(0, 100)} (${what})` : `(${what})`;
}
