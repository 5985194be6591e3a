/** One record of a delimited file with the line it starts on (1-based). */
export interface DelimitedRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV/TSV text (RFC 4180 quoting: fields in double quotes may hold the delimiter, newlines and
 * doubled quotes `""`). `\r\n` and `\n` both end records; blank lines are skipped. Throws `file:line: ...`.
 * `firstLine` is the line number of the text's first line (a later piece of a file read in pieces).
 */
export function parseDelimited(
  text: string,
  delimiter: string,
  file: string,
  firstLine = 1,
): DelimitedRecord[] {
  const records: DelimitedRecord[] = [];
  let line = firstLine;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    // Skip blank lines.
    if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] === "\n")) {
      i += text[i] === "\r" ? 2 : 1;
      line++;
      continue;
    }
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        const openLine = line;
        i++;
        for (;;) {
          if (i >= n) {
            throw new Error(
              `${file}:${openLine}: unterminated quoted field (the quote opened here is never closed); ` +
                `close it with '"' and write quotes inside a quoted field as '""'`,
            );
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          field += c;
          i++;
        }
        if (
          i < n && text[i] !== delimiter && text[i] !== "\n" && !(text[i] === "\r" && text[i + 1] === "\n")
        ) {
          throw new Error(
            `${file}:${line}: unexpected ${JSON.stringify(text[i])} after a closing quote; ` +
              `quote the whole field and write quotes inside it as '""'`,
          );
        }
      } else {
        let j = i;
        while (
          j < n && text[j] !== delimiter && text[j] !== "\n" && !(text[j] === "\r" && text[j + 1] === "\n")
        ) j++;
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i >= n) break;
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      // End of record.
      i += text[i] === "\r" ? 2 : 1;
      line++;
      break;
    }
    records.push({ line: start, fields });
  }
  return records;
}
