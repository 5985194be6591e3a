/**
 * Private: stripping subtitle markup.
 * @module
 */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  lrm: "",
  rlm: "",
};

/**
 * Strips subtitle markup from cue text: HTML-like tags (`<i>`, `<font color=..>`, `<c.class>`,
 * `<v Speaker>`, `<ruby>`), WebVTT inline timestamps (`<00:00:01.000>`), ASS/SSA override blocks
 * (`{\an8}`, `{\i1}`), and character entities. Trims each line, drops empty lines.
 */
export function stripMarkup(text: string): string {
  const cleaned = text
    .replace(/\{\\[^}]*\}/g, "") // ASS override blocks {\an8}
    .replace(/<\/?(?:[a-z][a-z0-9]*)(?:[.\s][^>]*)?>/gi, "") // tags with optional classes/attributes
    .replace(/<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>/g, "") // VTT inline timestamps
    .replace(/\\N/g, "\n") // ASS hard line break
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
  return cleaned.split("\n").map((l) => l.replace(/[ \t\u00a0]+/g, " ").trim()).filter((l) => l.length > 0)
    .join("\n");
}
