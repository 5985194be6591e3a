// One file from the Hub's storage into the Hugging Face cache's blobs folder, as huggingface_hub's
// file_download.py downloads it (http_get, _download_to_tmp_and_move), verified against the Hub's ETag.
import { createHash } from "node:crypto";
import { dirname } from "node:path";

const SHA256 = /^[0-9a-f]{64}$/;
/** file_download.py http_get: _nb_retries = 5, time.sleep(1) between them. */
const MAX_RESUMES = 5;
const RESUME_PAUSE_MS = 1000;

/** What a HEAD /{repo}/resolve/{revision}/{file} said (get_hf_file_metadata). */
export interface Meta {
  commit: string;
  etag: string;
  size: number;
  location: string;
}

/** An HTTP error of the Hub, with its X-Error-Code. */
export class HubError extends Error {
  constructor(message: string, readonly status: number, readonly code: string | null) {
    super(message);
  }
}

/** The digest the Hub's ETag is: sha256 of the content (LFS), else the git blob sha1. */
async function digestOf(path: string, etag: string, size: number): Promise<string> {
  const hash = createHash(SHA256.test(etag) ? "sha256" : "sha1");
  if (!SHA256.test(etag)) hash.update(`blob ${size}\0`);
  using f = await Deno.open(path);
  for await (const chunk of f.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * GET the file into a process-unique `<blob>.<8 hex>.incomplete` (file_download.py
 * _download_to_tmp_and_move: two processes downloading one blob never write the same file; huggingface_hub
 * PR 4228), resuming with `Range: bytes=N-` when the connection is lost while streaming, up to 5 times in a
 * row without new bytes, one second apart, a 200 answer to a Range restarting the file (http_get); then
 * verify size and digest and rename it to `<blob>`. The temporary file is removed on failure.
 */
export async function downloadBlob(
  meta: Meta,
  blob: string,
  endpoint: string,
  headers: (extra?: Record<string, string>) => Headers,
  timeoutMs: number,
): Promise<void> {
  await Deno.mkdir(dirname(blob), { recursive: true });
  const part = `${blob}.${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}.incomplete`;
  try {
    {
      using f = await Deno.open(part, { write: true, createNew: true });
      let have = 0;
      for (let retries = MAX_RESUMES;;) {
        const h = headers(have > 0 ? { range: `bytes=${have}-` } : {});
        // the token goes to the Hub only, not to the storage it redirects to
        if (new URL(meta.location).origin !== new URL(endpoint).origin) h.delete("authorization");
        const abort = new AbortController();
        const stall = () => abort.abort(new DOMException("no data", "TimeoutError"));
        let timer = setTimeout(stall, timeoutMs);
        try {
          const res = await fetch(meta.location, { headers: h, signal: abort.signal });
          if (res.status >= 400) {
            await res.body?.cancel();
            throw new HubError(`HTTP ${res.status}`, res.status, res.headers.get("x-error-code"));
          }
          if (have > 0 && res.status !== 206) { // the server ignored the Range: start again
            await f.truncate(0);
            await f.seek(0, Deno.SeekMode.Start);
            have = 0;
          }
          try {
            for await (const chunk of res.body!) {
              clearTimeout(timer);
              timer = setTimeout(stall, timeoutMs);
              for (let n = 0; n < chunk.length;) n += await f.write(chunk.subarray(n));
              have += chunk.length;
              retries = MAX_RESUMES;
            }
            break;
          } catch (e) {
            if (retries-- <= 0) throw abort.signal.aborted ? abort.signal.reason : e;
          }
        } catch (e) {
          throw abort.signal.aborted ? abort.signal.reason : e;
        } finally {
          clearTimeout(timer);
        }
        await new Promise((resolve) => setTimeout(resolve, RESUME_PAUSE_MS));
      }
    }
    const size = (await Deno.stat(part)).size;
    const digest = await digestOf(part, meta.etag, size);
    if (size !== meta.size || digest !== meta.etag) {
      throw new Error(
        `download damaged: got ${size} bytes with digest ${digest}, expected ${meta.size} bytes with ` +
          `${meta.etag}; try again`,
      );
    }
    await Deno.chmod(part, 0o644).catch(() => {});
    await Deno.rename(part, blob);
  } finally {
    await Deno.remove(part).catch(() => {});
  }
}
