import { decodeUtf8Strict } from "./_utf8.ts";

/** Options for {@linkcode readTextLines}. */
export interface ReadTextLinesOptions {
  /** Name of the input in error messages (default `"stdin"`). */
  source?: string;
  /**
   * Replace invalid UTF-8 bytes with U+FFFD instead of throwing (default false: invalid bytes are an
   * error naming the line).
   */
  replaceInvalid?: boolean;
  /**
   * Keep blank lines, so that line N of the input is element N - 1 of the result (default false: blank
   * lines, i.e. empty or only whitespace after removing the `\r` of `\r\n`, are dropped). Kept lines
   * are never trimmed either way.
   */
  keepEmpty?: boolean;
}

/**
 * Splits raw bytes (e.g. everything read from stdin) into lines of text: UTF-8 decoded, a leading BOM
 * removed, `\n` and `\r\n` endings both accepted (a final line ending does not start another line).
 * Blank lines (empty or whitespace only) are dropped unless `keepEmpty`.
 *
 * @param bytes The raw input.
 * @param options Source name, invalid-byte handling, empty lines.
 * @returns The lines, in order, without their line endings.
 * @throws {Error} On invalid UTF-8 unless `replaceInvalid`: `stdin:3: invalid UTF-8 (byte 0xff at offset 17); ...`.
 *
 * @example
 * ```ts
 * import { readTextLines } from "./mod.ts";
 * const lines = readTextLines(new TextEncoder().encode("\uFEFFgreat film\r\nawful food\n"));
 * console.log(lines); // ["great film", "awful food"]
 * const aligned = readTextLines(new TextEncoder().encode("a\n\n  \nb\n"), { keepEmpty: true });
 * console.log(aligned); // ["a", "", "  ", "b"]
 * ```
 */
export function readTextLines(bytes: Uint8Array, options: ReadTextLinesOptions = {}): string[] {
  const source = options.source ?? "stdin";
  const text = options.replaceInvalid
    ? new TextDecoder("utf-8").decode(bytes)
    : decodeUtf8Strict(bytes, source);
  const lines = text.replace(/^\uFEFF/, "").split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return options.keepEmpty ? lines : lines.filter((l) => l.trim() !== "");
}
