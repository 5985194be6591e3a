import { firstInvalidUtf8 } from "./_utf8.ts";
import type { ReadTextLinesOptions } from "./read_text_lines.ts";

/**
 * Reads lines of text from a byte stream (e.g. `Deno.stdin.readable`) as they arrive, in arrays of the
 * complete lines of each chunk, in constant memory: the rules of `readTextLines` (UTF-8, a leading BOM
 * removed, `\n` and `\r\n` endings, blank lines dropped unless `keepEmpty`, invalid bytes an error naming
 * the line unless `replaceInvalid`).
 *
 * @param stream The bytes.
 * @param options Source name, invalid-byte handling, empty lines.
 * @returns The lines, in order, a chunk's worth at a time.
 * @throws {Error} On invalid UTF-8 unless `replaceInvalid`: `stdin:3: invalid UTF-8 (byte 0xff at offset 17); ...`.
 * @example
 * ```ts
 * import { streamTextLines } from "./mod.ts";
 * const bytes = new TextEncoder().encode("great film\r\n\nawful food\n");
 * for await (const lines of streamTextLines(ReadableStream.from([bytes]))) console.log(lines);
 * // ["great film", "awful food"]
 * ```
 */
export async function* streamTextLines(
  stream: ReadableStream<Uint8Array>,
  options: ReadTextLinesOptions = {},
): AsyncGenerator<string[]> {
  const source = options.source ?? "stdin";
  const decoder = new TextDecoder("utf-8", { fatal: !options.replaceInvalid });
  let pending = "";
  let first = true;
  let line = 1; // line number of pending's first line
  let offset = 0; // bytes before the current chunk
  const emit = (text: string, last: boolean): string[] => {
    const lines = text.split("\n");
    if (!last) lines.pop(); // the unfinished line stays pending (re-added by the caller)
    else if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    const out: string[] = [];
    for (const l of lines) {
      const t = l.endsWith("\r") ? l.slice(0, -1) : l;
      if (options.keepEmpty || t.trim() !== "") out.push(t);
    }
    return out;
  };
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const chunk = done ? new Uint8Array(0) : value;
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: !done });
      } catch {
        const at = firstInvalidUtf8(chunk);
        let errLine = line;
        for (let i = 0; i < pending.length; i++) if (pending.charCodeAt(i) === 10) errLine++;
        for (let i = 0; i < at && i < chunk.length; i++) if (chunk[i] === 0x0a) errLine++;
        const hex = chunk[at]?.toString(16).padStart(2, "0") ?? "??";
        throw new Error(
          `${source}:${errLine}: invalid UTF-8 (byte 0x${hex} at offset ${offset + at}); ` +
            "re-encode the input as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        );
      }
      offset += chunk.length;
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      pending += text;
      if (done) {
        const out = emit(pending, true);
        if (out.length) yield out;
        return;
      }
      const cut = pending.lastIndexOf("\n");
      if (cut >= 0) {
        const complete = pending.slice(0, cut + 1);
        pending = pending.slice(cut + 1);
        for (let i = 0; i < complete.length; i++) if (complete.charCodeAt(i) === 10) line++;
        const out = emit(complete, false);
        if (out.length) yield out;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
