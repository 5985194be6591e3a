/**
 * Downloads a transformer model exported to ONNX from the Hugging Face Hub into the Hugging Face cache.
 * @module
 */
import { writeAtomic } from "../_fs/write_atomic.ts";
import { dirname, join, relative } from "node:path";
import { env, hfHubCacheDir, implicitToken, truthy } from "./_hf_env.ts";
import { downloadBlob, HubError, type Meta } from "./_hf_blob.ts";

export { hfHubCacheDir };

/** Options for {@linkcode downloadHfModel}. */
export interface DownloadHfModelOptions {
  /** Hub URL (default: HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  /** Hub cache folder (default: HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE, else HF_HOME/hub, HF_HOME being
   * `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface` when unset). */
  cacheDir?: string;
  /** Use the cache only (default: HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE set to 1/true/yes/on). */
  offline?: boolean;
  /** Token for private or gated models (default: HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the token file
   * `hf auth login` writes, HF_TOKEN_PATH or HF_HOME/token; none with HF_HUB_DISABLE_IMPLICIT_TOKEN=1). Sent
   * to the Hub only; never stored or printed. `false` sends none, as huggingface_hub's `token=False`. */
  token?: string | false;
  /** Time allowed for each metadata request, and for each pause in a download, in ms (default 10000, as
   * huggingface_hub's HF_HUB_ETAG_TIMEOUT and HF_HUB_DOWNLOAD_TIMEOUT). */
  timeoutMs?: number;
}

/** One downloaded file. */
export interface HfFile {
  /** Path in the repository. */
  path: string;
  /** The Hub's ETag of it: git blob sha1 for small files, sha256 for LFS files (verified after download). */
  etag: string;
  /** Size in bytes. */
  size: number;
}

/** What {@linkcode downloadHfModel} returns. */
export interface DownloadedHfModel {
  /** `OWNER/NAME`. */
  repo: string;
  /** The revision asked for (default `main`). */
  revision: string;
  /** The commit it resolved to. */
  commit: string;
  /** The snapshot folder in the cache (`.../models--OWNER--NAME/snapshots/COMMIT`), holding the files. */
  dir: string;
  /** The files, with their digests. */
  files: HfFile[];
}

// The Hub layout and cache rules below follow huggingface_hub (github.com/huggingface/huggingface_hub):
// src/huggingface_hub/constants.py (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HUGGINGFACE_CO_URL_TEMPLATE
// "{endpoint}/{repo_id}/resolve/{revision}/{filename}", REPO_ID_SEPARATOR "--", DEFAULT_REVISION "main",
// HF_HUB_OFFLINE, X-Repo-Commit / X-Linked-Etag / X-Linked-Size headers) and
// src/huggingface_hub/file_download.py (repo_folder_name "models--OWNER--NAME", blobs/<etag>,
// snapshots/<commit>/<file> as relative symlinks to the blob, refs/<revision> holding the commit,
// get_hf_file_metadata: HEAD with Accept-Encoding identity following relative redirects only,
// _normalize_etag, http_get resuming with a Range header and restarting on a 200).
const DEFAULT_ENDPOINT = "https://huggingface.co";
const REQUIRED = ["config.json", "tokenizer.json"];
const OPTIONAL = ["tokenizer_config.json", "special_tokens_map.json", "README.md"];
const MODEL_CANDIDATES = ["model.onnx", "onnx/model.onnx", "onnx/model_quantized.onnx"];
const COMMIT = /^[0-9a-f]{40}$/;
const MAX_REDIRECTS = 5;

/** Parses `OWNER/NAME[@REVISION]`. */
function parseRepo(spec: string): { repo: string; revision: string } {
  const m = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@([\w./-]+))?$/.exec(spec);
  if (!m || m[2].includes("..") || m[3]?.includes("..")) {
    throw new Error(
      `hf:${spec}: expected hf:OWNER/NAME or hf:OWNER/NAME@REVISION (a branch, tag or commit), e.g. ` +
        "hf:distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    );
  }
  return { repo: `${m[1]}/${m[2]}`, revision: m[3] ?? "main" };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Downloads a model repository's ONNX export from the Hugging Face Hub (`hf:OWNER/NAME[@REVISION]`) into
 * the Hugging Face cache, in the layout huggingface_hub uses (`models--OWNER--NAME/blobs`, `snapshots`,
 * `refs`), so Python tools share the cache. Fetched: `config.json`, `tokenizer.json`, the ONNX model
 * (`model.onnx`, else `onnx/model.onnx`, else `onnx/model_quantized.onnx`) and, when present,
 * `tokenizer_config.json`, `special_tokens_map.json` and the model card `README.md`. Each file is verified
 * against its ETag (sha256 for LFS files, git blob sha1 otherwise) and its size; a connection lost while
 * downloading is resumed with a Range request. Offline (HF_HUB_OFFLINE=1), only the cache is read, and when
 * the Hub cannot be reached (or refuses) the revision's cached snapshot serves if it is complete, as in
 * huggingface_hub. Files already in the snapshot of the resolved commit are not downloaded again.
 *
 * @param spec `OWNER/NAME` or `OWNER/NAME@REVISION`.
 * @param options Endpoint, cache, offline, token, timeouts.
 * @returns The snapshot folder, the commit and the files with their digests.
 * @throws {Error} naming the repository and file: not found (404), private or gated without a valid token
 *   (401/403: set HF_TOKEN), a server that does not answer in time, a digest mismatch, or (offline) files
 *   missing from the cache.
 *
 * @example
 * ```ts ignore
 * import { downloadHfModel } from "./download_hf_model.ts";
 * const got = await downloadHfModel("Xenova/distilbert-base-uncased-finetuned-sst-2-english");
 * console.log(got.commit, got.dir);
 * ```
 */
export async function downloadHfModel(
  spec: string,
  options: DownloadHfModelOptions = {},
): Promise<DownloadedHfModel> {
  const { repo, revision } = parseRepo(spec);
  const endpoint = (options.endpoint ?? env("HF_ENDPOINT") ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const cache = options.cacheDir ?? hfHubCacheDir();
  const storage = join(cache, ["models", ...repo.split("/")].join("--"));
  const offline = options.offline ?? (truthy(env("HF_HUB_OFFLINE")) || truthy(env("TRANSFORMERS_OFFLINE")));
  const token = options.token === false
    ? undefined
    : options.token ?? (offline ? undefined : await implicitToken());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const what = `hf:${repo}${revision === "main" ? "" : `@${revision}`}`;
  if (offline) return await fromCache(repo, revision, storage, what);
  // file_download.py _hf_hub_download_to_cache_dir: a commit hash whose files are in its snapshot needs no
  // request at all
  if (COMMIT.test(revision)) {
    const cached = await fromCache(repo, revision, storage, what).catch(() => null);
    if (cached) return cached;
  }

  const headers = (extra: Record<string, string> = {}): Headers => {
    const h = new Headers({ "user-agent": "sentilab/0.1", ...extra });
    if (token) h.set("authorization", `Bearer ${token}`);
    return h;
  };
  const explain = (e: unknown, file: string): Error => {
    if (e instanceof HubError) {
      if (e.status === 401 || e.status === 403 || e.code === "RepoNotFound" || e.code === "GatedRepo") {
        return new Error(
          `${what}: repository not found, private or gated (HTTP ${e.status}) at ${endpoint}; check the ` +
            `name, and for a private or gated model set HF_TOKEN to a token that can read it` +
            (token ? " (the token given was refused)" : ""),
        );
      }
      if (e.code === "RevisionNotFound") {
        return new Error(`${what}: revision ${revision} not found in ${repo}`);
      }
      return new Error(`${what}: ${file}: HTTP ${e.status}${e.code ? ` (${e.code})` : ""} from ${endpoint}`);
    }
    if ((e as Error).name === "TimeoutError" || (e as Error).name === "AbortError") {
      return new Error(
        `${what}: ${file}: ${endpoint} did not answer within ${timeoutMs / 1000} s; check the network or ` +
          "HF_ENDPOINT, or use the cache with HF_HUB_OFFLINE=1",
      );
    }
    return new Error(`${what}: ${file}: ${(e as Error).message}`);
  };

  /** HEAD /{repo}/resolve/{revision}/{file}, following relative redirects only (renamed repositories). */
  const head = async (file: string): Promise<Meta | null> => {
    let url = `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file}`;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await fetch(url, {
        method: "HEAD",
        headers: headers({ "accept-encoding": "identity" }),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      const code = res.headers.get("x-error-code");
      // utils/_http.py hf_raise_for_status: only X-Error-Code EntryNotFound says the file is absent; any
      // other 404 (a server that is not a Hub) is an error
      if (res.status === 404 && code === "EntryNotFound") return null;
      if (res.status >= 400) throw new HubError(`HTTP ${res.status}`, res.status, code);
      const location = res.headers.get("location");
      if (res.status >= 300 && location !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
        url = new URL(location, url).href; // relative redirect: the repository was renamed
        continue;
      }
      const commit = res.headers.get("x-repo-commit");
      const etag = (res.headers.get("x-linked-etag") ?? res.headers.get("etag"))?.replace(/^W\//, "")
        .replace(/"/g, "");
      const size = Number(
        res.headers.get("x-linked-size") ?? (res.status >= 300 ? null : res.headers.get("content-length")),
      );
      if (!commit || !etag || !Number.isFinite(size)) {
        throw new Error(
          `the Hub's answer for ${file} lacks X-Repo-Commit, ETag or size; is ${endpoint} a Hugging Face Hub?`,
        );
      }
      return { commit, etag, size, location: location ?? url };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects for ${file}`);
  };

  // file_download.py _get_metadata_or_catch_error / _hf_hub_download_to_cache_dir: when the HEAD call fails
  // (no connection, timeout, a Hub error such as 5xx or 401), the files of the revision's cached commit
  // (refs/<revision>) are used, and the error is raised only when they are missing. A revision or file the
  // Hub says does not exist (404 RevisionNotFound / EntryNotFound) is never served from the cache.
  let first: Meta | null;
  try {
    first = await head(REQUIRED[0]);
  } catch (e) {
    const absent = e instanceof HubError && (e.code === "RevisionNotFound" || e.code === "EntryNotFound");
    const cached = absent ? null : await fromCache(repo, revision, storage, what).catch(() => null);
    if (cached) return cached;
    throw explain(e, REQUIRED[0]);
  }

  const files: HfFile[] = [];
  let commit: string | null = null;
  const fetchOne = async (file: string, required: boolean): Promise<boolean> => {
    let meta: Meta | null;
    try {
      meta = file === REQUIRED[0] ? first : await head(file);
    } catch (e) {
      throw explain(e, file);
    }
    if (meta === null) {
      if (required) {
        throw new Error(`${what}: the repository has no ${file}; is it an ONNX export (Optimum)?`);
      }
      return false;
    }
    if (commit !== null && meta.commit !== commit) {
      throw new Error(`${what}: the revision moved to another commit during the download; try again`);
    }
    commit = meta.commit;
    const pointer = join(storage, "snapshots", meta.commit, file);
    const blob = join(storage, "blobs", meta.etag);
    if (!(await exists(pointer))) {
      if (!(await exists(blob))) {
        try {
          await downloadBlob(meta, blob, endpoint, headers, timeoutMs);
        } catch (e) {
          throw explain(e, file);
        }
      }
      await Deno.mkdir(dirname(pointer), { recursive: true });
      await Deno.symlink(relative(dirname(pointer), blob), pointer).catch(async (e) => {
        if (!(e instanceof Deno.errors.AlreadyExists)) await Deno.copyFile(blob, pointer);
      });
    }
    files.push({ path: file, etag: meta.etag, size: meta.size });
    return true;
  };
  for (const f of REQUIRED) await fetchOne(f, true);
  let found = false;
  for (const f of MODEL_CANDIDATES) {
    if (await fetchOne(f, false)) {
      found = true;
      break;
    }
  }
  if (!found) {
    throw new Error(`${what}: no ONNX model (${MODEL_CANDIDATES.join(", ")}); export it with Optimum first`);
  }
  for (const f of OPTIONAL) await fetchOne(f, false);
  if (revision !== commit) {
    await writeAtomic(join(storage, "refs", revision), commit!, { mkdir: true });
  }
  return { repo, revision, commit: commit!, dir: join(storage, "snapshots", commit!), files };
}

/** Offline: the snapshot the revision points to, if the cache has the files a model needs. */
async function fromCache(repo: string, revision: string, storage: string, what: string) {
  let commit = COMMIT.test(revision) ? revision : null;
  if (commit === null) {
    try {
      commit = (await Deno.readTextFile(join(storage, "refs", revision))).trim();
    } catch {
      throw new Error(
        `${what}: not in the Hugging Face cache (${storage}) and HF_HUB_OFFLINE is set; download it once ` +
          "online, or unset HF_HUB_OFFLINE",
      );
    }
  }
  const dir = join(storage, "snapshots", commit);
  const files: HfFile[] = [];
  for (const f of [...REQUIRED, ...MODEL_CANDIDATES, ...OPTIONAL]) {
    const p = join(dir, f);
    if (!(await exists(p))) continue;
    const target = await Deno.realPath(p);
    files.push({ path: f, etag: target.split("/").pop()!, size: (await Deno.stat(p)).size });
  }
  const missing = REQUIRED.filter((f) => !files.some((x) => x.path === f));
  if (missing.length || !files.some((x) => MODEL_CANDIDATES.includes(x.path))) {
    throw new Error(
      `${what}: the cached snapshot ${dir} lacks ${missing.length ? missing.join(", ") : "an ONNX model"} ` +
        "and HF_HUB_OFFLINE is set; download it once online",
    );
  }
  return { repo, revision, commit, dir, files };
}
