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
export async function readRegistry(location: string | URL = DEFAULT_REGISTRY): Promise<Registry> {
  const url = typeof location === "string" ? new URL(location, `file://${Deno.cwd()}/`) : location;
  const file = url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
  let text: string;
  try {
    if (url.protocol === "file:") text = await Deno.readTextFile(url);
    else {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${file}: model registry not found; create it or pass registry: "path/to/models.yaml"`);
    }
    throw new Error(`${file}: cannot read the model registry: ${(e as Error).message}`);
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
