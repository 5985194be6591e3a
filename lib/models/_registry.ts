import * as yaml from "npm:js-yaml@5.5.0";
import { type Label, LABELS } from "./types.ts";
import { LEXICON_LIBRARIES, type LexiconLibrary } from "./lexicon_model.ts";

/** One named model of config/models.yaml. */
export interface RegistryEntry {
  name: string;
  type: "onnx" | "lexicon" | "hf-onnx";
  /** onnx, hf-onnx: absolute model folder (resolved against the registry file's folder), or an `hf:` reference. */
  folder?: string;
  /** hf-onnx: class name (config.json id2label) → sentilab label, for names the built-in rule cannot map. */
  labelMap?: Record<string, Label>;
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
  options: RemoteLimits = {},
): Promise<Registry> {
  const url = typeof location === "string" ? new URL(location, `file://${Deno.cwd()}/`) : location;
  const file = url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
  let text: string;
  try {
    if (url.protocol === "file:") text = await Deno.readTextFile(url);
    else {
      const got = await fetchRemote(url, options);
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
    if (type !== "onnx" && type !== "lexicon" && type !== "hf-onnx") {
      throw bad(`unknown type ${JSON.stringify(type)}; use "onnx", "hf-onnx" or "lexicon"`);
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
    if (type === "onnx" || type === "hf-onnx") {
      if (typeof raw.folder !== "string" || raw.folder === "") {
        throw bad(`an ${type} model needs "folder: path/to/model" (relative to the registry file)`);
      }
      if (raw.labelMap !== undefined) {
        const m = raw.labelMap;
        if (
          type !== "hf-onnx" || !isObject(m) ||
          Object.values(m).some((l) => !(LABELS as readonly string[]).includes(l as string))
        ) {
          throw bad(
            `labelMap (hf-onnx models only) maps the model's class names to ${LABELS.join(", ")}, e.g. ` +
              `labelMap: { LABEL_0: negative }; got ${JSON.stringify(m)}`,
          );
        }
        entry.labelMap = m as Record<string, Label>;
      }
      if (type === "hf-onnx" && raw.folder.startsWith("hf:")) {
        entry.folder = raw.folder;
        entries.set(name, entry);
        continue;
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

/** Largest remote file accepted by default (the registry or a model file): 500 MB. */
export const REMOTE_MAX_BYTES = 500 * 1024 * 1024;

/** Limits of one remote file: the options given, else SENTILAB_DOWNLOAD_TIMEOUT_S / _MAX_MB, else defaults. */
export interface RemoteLimits {
  /** Time allowed per file in milliseconds. */
  timeoutMs?: number;
  /** Largest file accepted, in bytes. */
  maxBytes?: number;
}

/** How to change the limits, for messages: the library option and the environment variable the tasks read. */
const RAISE = {
  timeoutMs: "the timeoutMs option of loadModel, or SENTILAB_DOWNLOAD_TIMEOUT_S=<seconds> for the tasks",
  maxBytes: "the maxBytes option of loadModel, or SENTILAB_DOWNLOAD_MAX_MB=<megabytes> for the tasks",
};

function fromEnv(name: string, scale: number): number | undefined {
  let text: string | undefined;
  try {
    text = Deno.env.get(name);
  } catch { /* no env permission: defaults */ }
  if (text === undefined || text === "") return undefined;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0)) throw new RangeError(`${name}=${JSON.stringify(text)}: expected a positive number`);
  return n * scale;
}

/** The effective limits: explicit options win over the environment, which wins over the defaults. */
export function remoteLimits(options: RemoteLimits = {}): Required<RemoteLimits> {
  const timeoutMs = options.timeoutMs ?? fromEnv("SENTILAB_DOWNLOAD_TIMEOUT_S", 1000) ?? REMOTE_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? fromEnv("SENTILAB_DOWNLOAD_MAX_MB", 1024 * 1024) ?? REMOTE_MAX_BYTES;
  if (!(timeoutMs > 0)) throw new RangeError(`Invalid timeoutMs ${timeoutMs}: expected a positive number`);
  if (!(maxBytes > 0)) throw new RangeError(`Invalid maxBytes ${maxBytes}: expected a positive number`);
  return { timeoutMs, maxBytes };
}

/** Whether a model location is an http(s) URL rather than a local path. */
export function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** An HTTP answer that was not a success: what `fetchRemote` returns instead of the body. */
export interface HttpFailure {
  status: number;
  statusText: string;
}

class TooLarge extends Error {}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 1048576 ? 2 : 0)} MB`;
}

/**
 * GETs `url` with a timeout over the whole exchange (connection, headers and body) and a size cap: a
 * Content-Length over the cap is refused before the body is read, and the body is streamed into a temp
 * file that is abandoned as soon as it passes the cap (an endless body costs at most the cap). Returns the
 * body, or the status of a non-2xx answer (the caller words the error: it knows what the file is for).
 * @throws {Error} naming the URL on a timeout, a body over the cap or a network failure, and saying how to
 *   change the limit.
 */
export async function fetchRemote(
  url: string | URL,
  options: RemoteLimits = {},
): Promise<Uint8Array | HttpFailure> {
  const { timeoutMs, maxBytes } = remoteLimits(options);
  const href = typeof url === "string" ? url : url.href;
  const signal = AbortSignal.timeout(timeoutMs);
  const tooLarge = (what: string) =>
    new TooLarge(
      `${href}: ${what}, over the limit of ${mb(maxBytes)} for one remote file; ` +
        `check the URL, or raise the limit with ${RAISE.maxBytes}`,
    );
  let tmp: string | null = null;
  try {
    const res = await fetch(href, { signal, redirect: "follow" });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return { status: res.status, statusText: res.statusText };
    }
    const declared = res.headers.get("content-length");
    if (declared !== null && Number(declared) > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw tooLarge(`the server declares ${mb(Number(declared))} (Content-Length)`);
    }
    tmp = await Deno.makeTempFile({ prefix: "sentilab-download-", suffix: ".part" });
    const file = await Deno.open(tmp, { write: true });
    try {
      let total = 0;
      for await (const chunk of res.body ?? []) {
        total += chunk.byteLength;
        if (total > maxBytes) throw tooLarge(`the body was cut off at ${mb(maxBytes)}`);
        for (let done = 0; done < chunk.byteLength;) done += await file.write(chunk.subarray(done));
      }
    } finally {
      file.close();
    }
    return await Deno.readFile(tmp);
  } catch (e) {
    if (e instanceof TooLarge) throw new Error(e.message);
    if (signal.aborted) {
      throw new Error(
        `${href}: no complete answer within ${timeoutMs / 1000} s; check that the host is up, or allow ` +
          `more time with ${RAISE.timeoutMs}`,
      );
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new Error(`${href}: network access denied; run with --allow-net (${(e as Error).message})`);
    }
    throw new Error(`${href}: cannot fetch: ${(e as Error).message}`);
  } finally {
    if (tmp !== null) await Deno.remove(tmp).catch(() => {});
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
  options: RemoteLimits = {},
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
