import { downloadArtifact, listArtifacts, type Run, safeArtifactName } from "../tracking/mod.ts";
import type { Model } from "./types.ts";
import { join } from "node:path";
import {
  fetchModelFiles,
  isRemote,
  readRegistry,
  type RegistryEntry,
  type RemoteLimits,
} from "./_registry.ts";
import { createLexiconModel, type LexiconLibrary } from "./lexicon_model.ts";
import type { LoadHfModelOptions } from "./hf_model.ts";
import type { DownloadHfModelOptions } from "./download_hf_model.ts";
import { logModel } from "./log_model.ts";

/** Options for {@linkcode loadModel}. */
export interface LoadModelOptions {
  /**
   * Run to record the model in: its folder (for a lexicon model, a `model.json` describing it) is logged
   * as a `model` artifact used by the run (an input). Identical content adds no new version.
   */
  run?: Run;
  /** The model registry, a path or URL (default: sentilab's `config/models.yaml`). */
  registry?: string | URL;
  /**
   * Remote registry and model files (`http(s)://`): time allowed per file in milliseconds (default:
   * SENTILAB_DOWNLOAD_TIMEOUT_S seconds, else 60000).
   */
  timeoutMs?: number;
  /**
   * Store that artifact references (`NAME:vN`, `NAME:ALIAS`, `NAME`) are resolved in when there is no run
   * (default: SENTILAB_DIR, else `.sentilab`); with a run, the run's store.
   */
  storeDir?: string;
  /**
   * Remote registry and model files: largest file accepted, in bytes (default: SENTILAB_DOWNLOAD_MAX_MB
   * megabytes, else 500 MB). A larger Content-Length is refused before the body is read; a body that
   * passes the limit is cut off.
   */
  maxBytes?: number;
  /**
   * `hf:` models: the Hub and its cache (endpoint, cacheDir, offline, token), overriding HF_ENDPOINT,
   * HF_HOME / HF_HUB_CACHE, HF_HUB_OFFLINE and HF_TOKEN (see `downloadHfModel`). `timeoutMs` above applies.
   */
  hub?: Omit<DownloadHfModelOptions, "timeoutMs">;
}

/**
 * Loads a sentiment model by registry name (`config/models.yaml`, e.g. `"default"`, `"lexicon"`), from a
 * model folder path or URL, or by artifact reference: `NAME:vN`, `NAME:ALIAS` (e.g. `mine:production`,
 * `mine:latest`) or a bare `NAME` that is neither a registry name nor a folder (= `NAME:latest`), resolved
 * in the local store (the run's, else `storeDir`). The artifact's files are downloaded once into the
 * store's cache folder and loaded from there; with a run, the version is recorded as the run's input.
 *
 * Folders are recognised by their files: `model.onnx` with sentilab's feature spec is an `onnx` model
 * (trained by `deno task train`); a Hugging Face Optimum export (`model.onnx` or `onnx/model*.onnx`,
 * `tokenizer.json`, `config.json` with `id2label`) is a transformer model (`hf-onnx`, see `loadHfModel`). A name is looked up in the
 * registry first; a value that is not a known name is tried as a folder.
 *
 * `hf:OWNER/NAME[@REVISION]` downloads an ONNX export from the Hugging Face Hub into the Hugging Face
 * cache (see `downloadHfModel`: HF_ENDPOINT, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE) and loads it; its card
 * records the repository, revision, commit and file digests, and with a run the model is logged with its
 * model card (README.md).
 *
 * A folder may be remote: an `http(s)://` URL passed directly, or a registry read from a URL (as when
 * `mod.ts` is imported from a URL, where `config/models.yaml` and `models/default` are next to it). Its
 * files (`model.onnx`, `features.json`, `labels.json`, `card.json` if present) are fetched, each within
 * `timeoutMs`, and the ONNX session is created from the bytes; the model then behaves as a local one
 * (`model.dir` is the URL). With a run, the fetched files are logged exactly as the same local folder is
 * (same digest, so the two deduplicate to one version).
 *
 * @param nameOrPath Registry name or model folder.
 * @param options Run to log the model to, registry location.
 * @returns The loaded model; call `close()` when done.
 * @throws {Error} For invalid registry YAML (`file:line:column`), an unknown name (listing the known ones),
 *   a missing folder, a path that is a file rather than a folder, a missing model file, an unsupported
 *   folder, or a corrupt model file (saying to restore the folder from git or retrain it); for a remote
 *   folder, a file answering an HTTP error (naming its URL and the status) or not arriving in time.
 *
 * @example
 * ```ts
 * import { loadModel } from "./mod.ts";
 * const model = await loadModel("lexicon");
 * console.log(model.name, model.type, model.labels);
 * await model.close();
 * ```
 */
export async function loadModel(nameOrPath: string, options: LoadModelOptions = {}): Promise<Model> {
  if (typeof nameOrPath !== "string" || nameOrPath.trim() === "") {
    throw new Error(
      `Invalid model ${JSON.stringify(nameOrPath)}: pass a registry name such as "default" or a folder`,
    );
  }
  const looksLikePath = /[\\/]/.test(nameOrPath) || nameOrPath.startsWith(".");
  let entry: RegistryEntry | undefined;
  let known: string[] = [];
  let registryFile = "config/models.yaml";
  if (!looksLikePath || options.registry !== undefined) {
    const registry = await readRegistry(options.registry, limitsOf(options));
    entry = registry.entries.get(nameOrPath);
    known = [...registry.entries.keys()];
    registryFile = registry.file;
  }
  let model: Model;
  let artifactName: string;
  if (nameOrPath.startsWith("hf:")) {
    model = await loadFromHub(nameOrPath.slice(3), options);
    if (options.run) await logModel(options.run, model, { name: safeArtifactName(model.name, "model") });
    return model;
  }
  if (entry === undefined && !looksLikePath && isArtifactRef(nameOrPath)) {
    return await loadArtifact(nameOrPath, options);
  }
  if (isRemote(nameOrPath) && entry === undefined) {
    const name = safeArtifactName(
      nameOrPath.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop() || "model",
      "model",
    );
    return await loadRemote(nameOrPath, undefined, name, options);
  }
  if (entry?.type === "lexicon") {
    model = await createLexiconModel({
      library: entry.library,
      name: entry.name,
      description: entry.description,
      scale: entry.scale,
      threshold: entry.threshold,
    });
    artifactName = entry.name;
  } else if (entry?.type === "hf-onnx" && entry.folder!.startsWith("hf:")) {
    model = await loadFromHub(entry.folder!.slice(3), options, {
      name: entry.name,
      description: entry.description || undefined,
      labelMap: entry.labelMap,
    });
    await checkRegistryLabels(model, entry);
    artifactName = entry.name;
  } else if (entry?.type === "hf-onnx") {
    await requireFolder(
      entry,
      "export the model with Optimum (model.onnx, tokenizer.json, config.json) into it",
    );
    const { loadHfModel } = await import("./hf_model.ts");
    model = await loadHfModel(entry.folder!, {
      name: entry.name,
      description: entry.description || undefined,
      labelMap: entry.labelMap,
    });
    await checkRegistryLabels(model, entry);
    artifactName = entry.name;
  } else if (entry?.type === "onnx" && isRemote(entry.folder!)) {
    return await loadRemote(entry.folder!, entry, entry.name, options);
  } else if (entry?.type === "onnx") {
    await requireFolder(entry, "train it (deno task train --out <folder>) or fix the folder in the registry");
    model = await loadFolder(entry.folder!, entry.name);
    await checkRegistryLabels(model, entry);
    artifactName = entry.name;
  } else {
    const kind = await pathKind(nameOrPath);
    if (kind === "file") {
      if (known.length === 0) {
        known = await readRegistry(options.registry).then((r) => [...r.entries.keys()], () => []);
      }
      const knownNames = known.length ? ` (known: ${known.join(", ")})` : "";
      throw new Error(
        `Model ${nameOrPath} is a file, not a folder: a model path must be a model folder (model.onnx, ` +
          `features.json, labels.json, card.json as written by deno task train) or a registry name${knownNames}` +
          (/\.onnx$/i.test(nameOrPath) ? "; pass the folder that holds this file" : ""),
      );
    }
    if (kind === "missing") {
      if (looksLikePath) {
        throw new Error(`Model folder ${nameOrPath} does not exist; check the path`);
      }
      const stored = storedModelNames(nameOrPath, options);
      if (stored.has) return await loadArtifact(nameOrPath, options);
      throw new Error(
        `Unknown model "${nameOrPath}": not in ${registryFile} (known: ${known.join(", ") || "none"}), ` +
          `no such folder and no model artifact of that name in the store${stored.where}` +
          (stored.names.length ? ` (model artifacts: ${stored.names.join(", ")})` : "") +
          "; pass one of those names, a model folder path or NAME:vN",
      );
    }
    model = await loadFolder(nameOrPath);
    artifactName = safeArtifactName(
      nameOrPath.replace(/[\\/]+$/, "").split(/[\\/]/).pop() || "model",
      "model",
    );
  }
  if (options.run) await logModel(options.run, model, { name: artifactName });
  return model;
}

/** Downloads `OWNER/NAME[@REVISION]` from the Hugging Face Hub (or its cache) and loads it. */
async function loadFromHub(
  spec: string,
  options: LoadModelOptions,
  hf: LoadHfModelOptions = {},
): Promise<Model> {
  const { downloadHfModel } = await import("./download_hf_model.ts");
  const got = await downloadHfModel(spec, { ...options.hub, timeoutMs: options.timeoutMs });
  const { loadHfModel } = await import("./hf_model.ts");
  return await loadHfModel(got.dir, {
    name: got.repo,
    ...hf,
    source: {
      hub: {
        repo: got.repo,
        revision: got.revision,
        commit: got.commit,
        files: Object.fromEntries(got.files.map((f) => [f.path, f.etag])),
      },
    },
  });
}

/** `NAME:SELECTOR` with no path separator (an artifact reference, not a folder or URL). */
function isArtifactRef(s: string): boolean {
  return /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/.test(s) && !isRemote(s);
}

/** Whether the store (the run's, else `storeDir`) has a model artifact `name`, and the model names it has. */
function storedModelNames(
  name: string,
  options: LoadModelOptions,
): { has: boolean; names: string[]; where: string } {
  const dir = options.run?.storeDir ?? options.storeDir;
  try {
    const names = listArtifacts({ dir, type: "model", readOnly: true }).map((a) => a.name);
    return { has: names.includes(name), names, where: dir ? ` ${dir}` : "" };
  } catch {
    return { has: false, names: [], where: dir ? ` ${dir}` : "" }; // no store yet
  }
}

/** Loads a model artifact from the store: download to the cache folder, then load the folder. */
async function loadArtifact(ref: string, options: LoadModelOptions): Promise<Model> {
  const got = await downloadArtifact(ref, { run: options.run, dir: options.storeDir, type: "model" });
  const name = got.version.name;
  const lexicon = await readLexiconDescription(got.path);
  if (lexicon) {
    return await createLexiconModel({
      library: lexicon.library as LexiconLibrary,
      name,
      description: got.version.description || undefined,
      scale: lexicon.scale,
      threshold: lexicon.threshold,
    });
  }
  return await loadFolder(got.path, name);
}

/** The card of a lexicon model artifact (a `model.json` written by logModel), or null. */
async function readLexiconDescription(
  dir: string,
): Promise<{ library: string; scale?: number; threshold?: number } | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, "model.json"));
  } catch {
    return null;
  }
  const card = JSON.parse(text) as { type?: string; library?: string; scale?: number; threshold?: number };
  if (card.type !== "lexicon" || typeof card.library !== "string") {
    throw new Error(`${join(dir, "model.json")}: not a lexicon model description (type "lexicon", library)`);
  }
  return { library: card.library, scale: card.scale, threshold: card.threshold };
}

function limitsOf(options: LoadModelOptions): RemoteLimits {
  return { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes };
}

/** Throws naming the registry entry when its folder is missing or a file; `remedy` says what to do. */
async function requireFolder(entry: RegistryEntry, remedy: string): Promise<void> {
  const kind = await pathKind(entry.folder!);
  if (kind !== "folder") {
    throw new Error(
      `${entry.where}: model "${entry.name}": folder ${entry.folder} ` +
        (kind === "file" ? "is a file, not a folder; a model is a folder" : "does not exist") + `; ${remedy}`,
    );
  }
}

async function checkRegistryLabels(model: Model, entry: RegistryEntry): Promise<void> {
  const want = entry.labels.join(",");
  if (model.labels.join(",") !== want) {
    await model.close();
    throw new Error(
      `${entry.where}: model "${entry.name}": the registry says labels [${want}] but ${entry.folder} ` +
        `has [${model.labels.join(",")}]; fix the registry`,
    );
  }
}

/**
 * Loads a remote model folder (fetching its files once) and, with a run, logs it.
 *
 * The tracker logs folders from disk (it stats, hashes and copies files), so the fetched bytes are written
 * to a temp folder under the same file names and that folder is logged, then removed. A local model
 * folder as written by deno task train holds exactly these files (model.onnx, features.json, labels.json,
 * card.json, model_card.md), so the same model logged from disk or from a URL has the same manifest digest
 * and deduplicates to one version. A local folder with extra files (not fetched: a URL cannot be listed)
 * would get a different digest.
 */
async function loadRemote(
  url: string,
  entry: RegistryEntry | undefined,
  artifactName: string,
  options: LoadModelOptions,
): Promise<Model> {
  const folder = url.replace(/\/+$/, "");
  let model: Model;
  let files: Map<string, Uint8Array>;
  try {
    files = await fetchModelFiles(folder, {
      required: ["features.json", "labels.json", "model.onnx"],
      optional: options.run ? ["card.json", "model_card.md"] : ["card.json"],
    }, limitsOf(options));
    const { loadOnnxModel } = await import("./onnx_model.ts");
    model = await loadOnnxModel(folder, { name: entry?.name, files });
  } catch (e) {
    // From a registry, also say which entry pointed there.
    if (!entry) throw e;
    throw new Error(`${entry.where}: model "${entry.name}": ${(e as Error).message}`);
  }
  if (entry) await checkRegistryLabels(model, entry);
  if (options.run) {
    try {
      await logModel(options.run, model, { name: artifactName });
    } catch (e) {
      await model.close();
      throw e;
    }
  }
  return model;
}

async function loadFolder(
  dir: string,
  name?: string,
  hf: Omit<LoadHfModelOptions, "name"> = {},
): Promise<Model> {
  const { isHfFolder, loadHfModel } = await import("./hf_model.ts");
  if (await isHfFolder(dir)) return await loadHfModel(dir, { ...hf, name });
  if (!(await exists(`${dir}/model.onnx`))) {
    const hasConfig = await exists(`${dir}/config.json`);
    throw new Error(
      `${dir}: not a model folder: no model.onnx; expected model.onnx, features.json and a model card ` +
        "(as written by deno task train)" +
        (hasConfig
          ? ", or a transformer export (model.onnx or onnx/model.onnx, tokenizer.json, config.json with id2label)"
          : ""),
    );
  }
  const { loadOnnxModel } = await import("./onnx_model.ts");
  return await loadOnnxModel(dir, { name });
}

async function pathKind(path: string): Promise<"folder" | "file" | "missing"> {
  try {
    return (await Deno.stat(path)).isDirectory ? "folder" : "file";
  } catch {
    return "missing";
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
