import * as yaml from "npm:js-yaml@5.5.0";
import { type Label, LABELS } from "./types.ts";
import { LEXICON_LIBRARIES, type LexiconLibrary } from "./lexicon_model.ts";

/** One named model of config/models.yaml. */
export interface RegistryEntry {
  name: string;
  type: "onnx" | "lexicon";
  /** onnx: absolute model folder (resolved against the registry file's folder). */
  folder?: string;
  /** lexicon: the npm library. */
  library?: LexiconLibrary;
  labels: Label[];
  description: string;
  /** lexicon: mapping parameters. */
  scale?: number;
  threshold?: number;
  /** `file:line` where the entry starts, for messages. */
  where: string;
}

/** The parsed registry. */
export interface Registry {
  /** The registry file, for messages (a path, or a URL when not a local file). */
  file: string;
  entries: Map<string, RegistryEntry>;
}

/** The registry that ships with sentilab. */
export const DEFAULT_REGISTRY: URL = new URL("../../config/models.yaml", import.meta.url);

/** Reads and validates a models.yaml (a path or URL). Errors name `file:line` and the field. */
export async function readRegistry(
  location: string | URL = DEFAULT_REGISTRY,
  options: { timeoutMs?: number } = {},
): Promise<Registry> {
  const url = typeof location === "string" ? new URL(location, `file://${Deno.cwd()}/`) : location;
  const file = url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
  let text: string;
  try {
    if (url.protocol === "file:") text = await Deno.readTextFile(url);
    else {
      const got = await fetchRemote(url, { timeoutMs: options.timeoutMs });
      if (got instanceof Uint8Array) text = new TextDecoder().decode(got);
      else {
        throw new Error(
          `${file}: cannot read the model registry: HTTP ${got.status}${
            got.statusText ? ` ${got.statusText}` : ""
          }` +
            (got.status === 404 ? '; check the URL or pass registry: "path/to/models.yaml"' : ""),
        );
      }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${file}: model registry not found; create it or pass registry: "path/to/models.yaml"`);
    }
    const message = (e as Error).message;
    throw new Error(
      message.startsWith(`${file}: `) ? message : `${file}: cannot read the model registry: ${message}`,
    );
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file });
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? (e as Error).message;
    const where = mark ? `${file}:${mark.line + 1}:${mark.column + 1}` : file;
    throw new Error(
      `${where}: invalid YAML: ${reason}; fix the syntax (indent with spaces, quote values with ':')`,
    );
  }
  const models = (doc as { models?: unknown } | null)?.models;
  if (!isObject(doc) || !isObject(models)) {
    throw new Error(
      `${file}:1: expected a top-level "models:" mapping of name → { type, folder | library, labels, description }`,
    );
  }
  const lines = text.split("\n");
  const entries = new Map<string, RegistryEntry>();
  for (const [name, raw] of Object.entries(models)) {
    const line = lines.findIndex((l) => new RegExp(`^\\s+["']?${escape(name)}["']?\\s*:`).test(l)) + 1 || 1;
    const where = `${file}:${line}`;
    const bad = (what: string) => new Error(`${where}: model "${name}": ${what}`);
    if (!isObject(raw)) throw bad("expected a mapping with type, labels and description");
    const type = raw.type;
    if (type !== "onnx" && type !== "lexicon") {
      throw bad(`unknown type ${JSON.stringify(type)}; use "onnx" or "lexicon"`);
    }
    const labels = raw.labels ?? [...LABELS];
    if (
      !Array.isArray(labels) || labels.length < 2 ||
      labels.some((l) => !(LABELS as readonly string[]).includes(l)) || new Set(labels).size !== labels.length
    ) {
      throw bad(
        `labels must be a list of distinct labels among ${LABELS.join(", ")}; got ${JSON.stringify(labels)}`,
      );
    }
    const description = raw.description ?? "";
    if (typeof description !== "string") throw bad("description must be a string");
    const entry: RegistryEntry = { name, type, labels: labels as Label[], description, where };
    if (type === "onnx") {
      if (typeof raw.folder !== "string" || raw.folder === "") {
        throw bad('an onnx model needs "folder: path/to/model" (relative to the registry file)');
      }
      const folderUrl = new URL(raw.folder.endsWith("/") ? raw.folder : raw.folder + "/", url);
      entry.folder = folderUrl.protocol === "file:"
        ? decodeURIComponent(folderUrl.pathname).replace(/\/$/, "")
        : folderUrl.href.replace(/\/$/, "");
    } else {
      const library = raw.library ?? "wink-sentiment";
      if (typeof library !== "string" || !(library in LEXICON_LIBRARIES)) {
        throw bad(
          `unknown library ${JSON.stringify(library)}; use one of ${
            Object.keys(LEXICON_LIBRARIES).join(", ")
          }`,
        );
      }
      entry.library = library as LexiconLibrary;
      for (const k of ["scale", "threshold"] as const) {
        if (raw[k] !== undefined) {
          if (typeof raw[k] !== "number" || !(raw[k] as number > 0)) {
            throw bad(`${k} must be a positive number`);
          }
          entry[k] = raw[k] as number;
        }
      }
    }
    entries.set(name, entry);
  }
  return { file, entries };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Time allowed by default for one remote file (the registry or a model file), headers and body together. */
export const REMOTE_TIMEOUT_MS = 60_000;

/** Whether a model location is an http(s) URL rather than a local path. */
export function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** An HTTP answer that was not a success: what `fetchRemote` returns instead of the body. */
export interface HttpFailure {
  status: number;
  statusText: string;
}

/**
 * GETs `url` with a timeout over the whole exchange (connection, headers and body). Returns the body, or
 * the status of a non-2xx answer (the caller words the error: it knows what the file is for).
 * @throws {Error} naming the URL on a timeout or a network failure.
 */
export async function fetchRemote(
  url: string | URL,
  options: { timeoutMs?: number } = {},
): Promise<Uint8Array | HttpFailure> {
  const timeoutMs = options.timeoutMs ?? REMOTE_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`Invalid timeoutMs ${timeoutMs}: expected a positive number`);
  const href = typeof url === "string" ? url : url.href;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(href, { signal, redirect: "follow" });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return { status: res.status, statusText: res.statusText };
    }
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (signal.aborted) {
      throw new Error(
        `${href}: no complete answer within ${
          timeoutMs / 1000
        } s; check that the host is up, or raise timeoutMs`,
      );
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new Error(`${href}: network access denied; run with --allow-net (${(e as Error).message})`);
    }
    throw new Error(`${href}: cannot fetch: ${(e as Error).message}`);
  }
}

/** The files of a model folder written by `deno task train`, and what each is (for messages). */
export const MODEL_FILES: Readonly<Record<string, string>> = {
  "features.json": "feature spec",
  "labels.json": "label list",
  "card.json": "model card",
  "model.onnx": "ONNX file",
  "model_card.md": "model card (Markdown)",
};

/**
 * Fetches files of a remote model folder in parallel (`folder` is its URL, without a trailing `/`).
 * Required files must answer 2xx; an optional file answering 404 or 410 is left out of the result.
 * Waits for every request to settle before throwing, so nothing is left in flight.
 * @throws {Error} naming the file's URL and the HTTP status (or the timeout / network failure).
 */
export async function fetchModelFiles(
  folder: string,
  files: { required: readonly string[]; optional?: readonly string[] },
  options: { timeoutMs?: number } = {},
): Promise<Map<string, Uint8Array>> {
  const base = folder.replace(/\/+$/, "");
  const names = [...files.required, ...(files.optional ?? [])];
  const settled = await Promise.allSettled(names.map((n) => fetchRemote(`${base}/${n}`, options)));
  const out = new Map<string, Uint8Array>();
  const hint = `check that ${base}/ serves a model folder written by deno task train (model.onnx, ` +
    "features.json, labels.json, card.json), or pass a local folder";
  for (const [i, name] of names.entries()) {
    const s = settled[i];
    const url = `${base}/${name}`;
    if (s.status === "rejected") throw new Error(`Cannot load ONNX model: ${(s.reason as Error).message}`);
    const got = s.value;
    if (got instanceof Uint8Array) {
      out.set(name, got);
      continue;
    }
    const status = `HTTP ${got.status}${got.statusText ? ` ${got.statusText}` : ""}`;
    const missing = got.status === 404 || got.status === 410;
    if (missing && i >= files.required.length) continue;
    throw new Error(
      missing
        ? `Cannot load ONNX model: ${MODEL_FILES[name] ?? "file"} ${url} is missing (${status}); ${hint}`
        : `Cannot load ONNX model: cannot fetch ${url}: ${status}; ` +
          (got.status >= 500 ? "the server failed, try again later or pass a local folder" : hint),
    );
  }
  return out;
}
