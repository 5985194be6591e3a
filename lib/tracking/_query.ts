// The run filter language of listRuns / `deno task runs --filter`, compiled to a SQL condition on the runs
// table (evaluated by SQLite, so a store of many runs is filtered without loading them):
//
//   expr       := and ("or" and)*
//   and        := unary ("and" unary)*
//   unary      := "not" unary | "(" expr ")" | comparison
//   comparison := field op value | field "contains" value
//   op         := "=" | "==" | "!=" | ">" | ">=" | "<" | "<="
//   field      := summary.KEY[.KEY...] | config.KEY[.KEY...] | tags | id | name | project | group | jobType
//                 | status | notes | host | exitCode | startedAt | endedAt
//   value      := number | "text" | 'text' | true | false | null
//
// KEY is letters, digits and _ - / (so `summary.val/loss` works), or a quoted "key with . or spaces".
// Keywords are case-insensitive. `tags contains "x"` tests membership; `contains` on a text field tests
// a substring, on a list value membership. A field a run does not have matches nothing (only `= null`).
// An invalid expression is a TrackingError showing where it failed.
import { TrackingError } from "./_errors.ts";

/** A compiled condition: SQL over the runs table and its arguments. */
export interface SqlCondition {
  sql: string;
  args: (string | number | null)[];
}

/** The run columns a filter or sort names, by their RunRecord names. */
export const RUN_FIELDS: Readonly<Record<string, string>> = {
  id: "id",
  name: "name",
  project: "project",
  group: "grp",
  jobType: "job_type",
  status: "status",
  notes: "notes",
  host: "host",
  exitCode: "exit_code",
  startedAt: "started_at",
  endedAt: "ended_at",
};

type Token = {
  kind: "word" | "string" | "number" | "op" | "paren" | "dot" | "end";
  text: string;
  at: number;
};

function tokenize(src: string, fail: (at: number, msg: string) => never): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '"' || c === "'") {
      let text = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < src.length) i++;
        text += src[i++];
      }
      if (i >= src.length) fail(at, `the text starting here has no closing ${c}`);
      i++;
      out.push({ kind: "string", text, at });
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9.]/.test(src[i + 1] ?? "") && lastIsOp(out))) {
      const m = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(i))!;
      out.push({ kind: "number", text: m[0], at });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z0-9_\-/]+/.exec(src.slice(i))!;
      out.push({ kind: "word", text: m[0], at });
      i += m[0].length;
    } else if (c === ".") {
      out.push({ kind: "dot", text: ".", at });
      i++;
    } else if (c === "(" || c === ")") {
      out.push({ kind: "paren", text: c, at });
      i++;
    } else {
      const m = /^(==|!=|>=|<=|=|>|<)/.exec(src.slice(i));
      if (!m) fail(at, `unexpected '${c}'`);
      out.push({ kind: "op", text: m[0], at });
      i += m[0].length;
    }
  }
  out.push({ kind: "end", text: "", at: src.length });
  return out;
}

function lastIsOp(tokens: Token[]): boolean {
  const last = tokens.at(-1);
  return !last || last.kind === "op" || (last.kind === "word" && /^contains$/i.test(last.text));
}

/** `$."a"."b"`: a JSON path SQLite reads, each key quoted. */
export function jsonPath(keys: string[]): string {
  return "$" + keys.map((k) => `."${k.replaceAll('"', '""')}"`).join("");
}

/** A field: a run column, or a JSON value of the summary or config. */
interface Field {
  name: string;
  /** SQL giving its value. */
  sql: string;
  args: string[];
  /** The JSON column and path, for summary/config values (list membership). */
  json?: { column: string; path: string };
  tags?: boolean;
}

/**
 * A field from its dotted name (`summary.val/loss`, `config.model`, `startedAt`), or null when there is
 * no such field.
 */
export function fieldOf(name: string): Field | null {
  const dot = name.indexOf(".");
  const head = dot < 0 ? name : name.slice(0, dot);
  if ((head === "summary" || head === "config") && dot > 0) {
    const path = jsonPath(name.slice(dot + 1).split("."));
    return { name, sql: `json_extract(${head}, ?)`, args: [path], json: { column: head, path } };
  }
  if (dot >= 0) return null;
  if (name === "tags") return { name, sql: "tags", args: [], tags: true };
  const column = RUN_FIELDS[name];
  return column ? { name, sql: column, args: [] } : null;
}

/**
 * Compiles a filter expression to a SQL condition on the runs table.
 * @throws {TrackingError} for an invalid expression, showing the expression and where it failed.
 */
export function compileFilter(src: string): SqlCondition {
  const fail = (at: number, msg: string): never => {
    throw new TrackingError(
      `Invalid filter at character ${at + 1}: ${msg}\n  ${src}\n  ${" ".repeat(at)}^\n` +
        `  (e.g. summary.accuracy > 0.9 and config.model = "default" or tags contains "x")`,
    );
  };
  const tokens = tokenize(src, fail);
  let p = 0;
  const peek = () => tokens[p];
  const isWord = (t: Token, w: string) => t.kind === "word" && t.text.toLowerCase() === w;
  const show = (t: Token) => t.kind === "end" ? "the end" : `'${t.text}'`;

  const field = (): Field => {
    const t = peek();
    if (t.kind !== "word") {
      fail(t.at, `expected a field (summary.KEY, config.KEY, tags, status, ...), got ${show(t)}`);
    }
    p++;
    const parts = [t.text];
    while (peek().kind === "dot") {
      p++;
      const k = peek();
      if (k.kind !== "word" && k.kind !== "string" && k.kind !== "number") {
        fail(k.at, `expected a key after '.', got ${show(k)}`);
      }
      p++;
      parts.push(k.text);
    }
    const f = fieldOf(parts.join("."));
    if (!f) {
      fail(
        t.at,
        `unknown field '${parts.join(".")}': use summary.KEY, config.KEY, tags or one of ${
          Object.keys(RUN_FIELDS).join(", ")
        }`,
      );
    }
    return f!;
  };

  const value = (): string | number | boolean | null => {
    const t = peek();
    p++;
    if (t.kind === "number") return Number(t.text);
    if (t.kind === "string") return t.text;
    if (isWord(t, "true")) return true;
    if (isWord(t, "false")) return false;
    if (isWord(t, "null")) return null;
    return fail(t.at, `expected a value (a number, "text", true, false or null), got ${show(t)}`);
  };

  const comparison = (): SqlCondition => {
    const f = field();
    const opTok = peek();
    if (isWord(opTok, "contains")) {
      p++;
      const v = value();
      if (typeof v !== "string" && typeof v !== "number") fail(opTok.at, "contains needs a text or a number");
      if (f.tags) {
        return {
          sql: "EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = ?)",
          args: [v as string],
        };
      }
      if (f.json) {
        // A list value: membership; a text value: substring.
        return {
          sql:
            `(CASE json_type(${f.json.column}, ?) WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(${f.json.column}, ?) WHERE json_each.value = ?) ELSE instr(${f.sql}, ?) > 0 END)`,
          args: [f.json.path, f.json.path, v as string, ...f.args, String(v)],
        };
      }
      return { sql: `instr(${f.sql}, ?) > 0`, args: [...f.args, String(v)] };
    }
    if (opTok.kind !== "op") {
      fail(opTok.at, `expected an operator (= != > >= < <= contains) after ${f.name}, got ${show(opTok)}`);
    }
    p++;
    if (f.tags) fail(opTok.at, `tags only supports contains (tags contains "x")`);
    const v = value();
    const op = opTok.text === "==" ? "=" : opTok.text;
    if (v === null) {
      if (op !== "=" && op !== "!=") fail(opTok.at, `null can only be compared with = or !=`);
      return { sql: `${f.sql} IS ${op === "=" ? "" : "NOT "}NULL`, args: f.args };
    }
    // json_extract gives 1/0 for JSON true/false.
    const arg = typeof v === "boolean" ? (v ? 1 : 0) : v;
    return { sql: `${f.sql} ${op} ?`, args: [...f.args, arg] };
  };

  const unary = (): SqlCondition => {
    const t = peek();
    if (isWord(t, "not")) {
      p++;
      const inner = unary();
      return { sql: `NOT COALESCE(${inner.sql}, 0)`, args: inner.args };
    }
    if (t.kind === "paren" && t.text === "(") {
      p++;
      const inner = or();
      const close = peek();
      if (close.kind !== "paren" || close.text !== ")") fail(close.at, `expected ')', got ${show(close)}`);
      p++;
      return { sql: `(${inner.sql})`, args: inner.args };
    }
    return comparison();
  };

  const chain = (word: string, next: () => SqlCondition): SqlCondition => {
    const parts = [next()];
    while (isWord(peek(), word)) {
      p++;
      parts.push(next());
    }
    return parts.length === 1 ? parts[0] : {
      sql: parts.map((c) => `(${c.sql})`).join(` ${word.toUpperCase()} `),
      args: parts.flatMap((c) => c.args),
    };
  };
  const and = () => chain("and", unary);
  const or = () => chain("or", and);

  if (peek().kind === "end") fail(0, "the filter is empty");
  const result = or();
  if (peek().kind !== "end") fail(peek().at, `expected 'and', 'or' or the end, got ${show(peek())}`);
  return result;
}
