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

// Only the tags of SRT and WebVTT cue text are markup; any other `<...>` is text ("a <b and c> d").
/** `<b>`, `<i.loud>`, `<c.yellow.bg_blue>`: tags that carry at most WebVTT classes. */
const CLASS_TAG = /<(?:b|i|u|s|c|ruby|rt)(?:\.[\w-]+)*>/gi;
/** `<v Bob>`, `<v.loud Bob>`, `<lang en-GB>`: tags with an annotation. */
const ANNOTATED_TAG = /<(?:v|lang)(?:\.[\w-]+)*(?:[ \t][^<>\n]*)?>/gi;
/** `<font color="#ff0" size=2>`, `<span style="...">`: tags with attributes (name=value) only. */
const ATTRIBUTE_TAG = /<(?:font|span)(?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))*\s*>/gi;
/** The closers of all of the above. */
const CLOSING_TAG = /<\/(?:b|i|u|s|c|ruby|rt|v|lang|font|span)\s*>/gi;

/**
 * Strips subtitle markup from cue text: the tags of SRT and WebVTT (`<i>`, `<font color=..>`, `<c.class>`,
 * `<v Speaker>`, `<ruby>`, `<rt>`, `<lang en>`, `<span ...>`, and their closers; any other `<...>` is
 * kept as text), WebVTT inline timestamps (`<00:00:01.000>`), ASS/SSA override blocks
 * (`{\an8}`, `{\i1}`), and character entities. Trims each line, drops empty lines.
 */
export function stripMarkup(text: string): string {
  const cleaned = text
    .replace(/\{\\[^}]*\}/g, "") // ASS override blocks {\an8}
    .replace(CLASS_TAG, "")
    .replace(ANNOTATED_TAG, "")
    .replace(ATTRIBUTE_TAG, "")
    .replace(CLOSING_TAG, "")
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
