/**
 * Test helper: a strict XML well-formedness parser for the display helpers' output (SVG documents and
 * the XHTML-style HTML fragments they emit). Returns an element tree to query.
 * @module
 */

/** An element of the parsed tree. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Decoded text directly inside this element. */
  text: string;
}

const ENTITY: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;&\s]*);?/g, (m, name: string) => {
    if (!m.endsWith(";")) throw new Error(`Bare '&' at offset ${where}: ${JSON.stringify(raw.slice(0, 40))}`);
    if (name in ENTITY) return ENTITY[name];
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (num) return String.fromCodePoint(parseInt(num[1].replace("x", ""), num[1].startsWith("x") ? 16 : 10));
    throw new Error(`Unknown entity '&${name};' at offset ${where}`);
  });
}

/** Parses `xml` strictly; throws with the offset on the first problem. Returns the root element. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const textEnd = lt === -1 ? xml.length : lt;
    const text = xml.slice(i, textEnd);
    if (text.includes(">")) {
      throw new Error(`Raw '>' in text at offset ${i}: ${JSON.stringify(text.slice(0, 40))}`);
    }
    if (text.trim() !== "") {
      if (stack.length === 0) throw new Error(`Text outside the root element at offset ${i}`);
      stack[stack.length - 1].text += decode(text, i);
    }
    if (lt === -1) break;
    if (xml.startsWith("<?", lt)) {
      const end = xml.indexOf("?>", lt);
      if (end === -1 || root || stack.length) throw new Error(`Bad processing instruction at offset ${lt}`);
      i = end + 2;
      continue;
    }
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt);
      if (end === -1) throw new Error(`Unclosed comment at offset ${lt}`);
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf(">", lt);
    if (gt === -1) throw new Error(`Unclosed tag at offset ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw new Error(`Closing </${name}> at offset ${lt} does not match <${open?.name ?? "(none)"}>`);
      }
      i = gt + 1;
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.:-]*)/.exec(body);
    if (!m) throw new Error(`Bad tag name at offset ${lt}: ${JSON.stringify(tag.slice(0, 30))}`);
    const el: XmlElement = { name: m[1], attrs: {}, children: [], text: "" };
    let rest = body.slice(m[1].length);
    const attrRe = /^\s+([A-Za-z_][\w.:-]*)="([^"<]*)"/;
    while (rest.trim() !== "") {
      const a = attrRe.exec(rest);
      if (!a) {
        throw new Error(
          `Bad attribute in <${el.name}> at offset ${lt}: ${JSON.stringify(rest.slice(0, 40))}`,
        );
      }
      if (a[1] in el.attrs) throw new Error(`Duplicate attribute '${a[1]}' in <${el.name}> at offset ${lt}`);
      el.attrs[a[1]] = decode(a[2], lt);
      rest = rest.slice(a[0].length);
    }
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error(`Second root element <${el.name}> at offset ${lt}`);
    else root = el;
    if (!selfClosing) stack.push(el);
    i = gt + 1;
  }
  if (stack.length > 0) throw new Error(`Unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error("No root element");
  return root;
}

/** Every element of the tree (depth first) that matches `pred`. */
export function findAll(root: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (pred(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** All text of an element and its descendants, concatenated. */
export function textOf(e: XmlElement): string {
  return e.text + e.children.map(textOf).join("");
}
