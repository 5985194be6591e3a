/**
 * A request whose body is a file, streamed from disk with its Content-Length (private).
 * @module
 */
import http from "node:http";
import https from "node:https";
import { createReadStream, statSync } from "node:fs";

/**
 * Whether the environment names a proxy for `url` (the variables Deno's `fetch` reads: HTTPS_PROXY or
 * HTTP_PROXY by scheme, lower case too). `node:http` ignores them, so a file for such a URL is sent with
 * `fetch` (read whole) rather than streamed past the proxy; `fetch` itself applies NO_PROXY.
 */
export function proxyConfigured(url: string, env: (name: string) => string | undefined): boolean {
  const names = new URL(url).protocol === "https:"
    ? ["HTTPS_PROXY", "https_proxy"]
    : ["HTTP_PROXY", "http_proxy"];
  return names.some((n) => !!env(n));
}

/** `Deno.env.get`, or nothing where the program may not read the environment. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Sends `path` as the body of a request and returns the answer as a `Response`. The body is read from disk
 * as it is sent, never held whole, and carries `Content-Length` (the file's size): storage behind a
 * presigned URL refuses a chunked upload (S3 answers 411 MissingContentLength), and `fetch` can only stream
 * a body chunked. The W&B SDK likewise PUTs a file of known size (wandb/wandb
 * core/internal/filetransfer/file_transfer_default.go).
 */
export function requestWithFile(
  method: string,
  url: string,
  path: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  const size = statSync(path).size;
  const lib = new URL(url).protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method,
      headers: { ...headers, "Content-Length": String(size) },
      signal,
    }, (res) => {
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      res.on("data", (c: Uint8Array<ArrayBuffer>) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : String(v));
        }
        const status = res.statusCode ?? 0;
        const body = status === 204 || status === 304 ? null : new Blob(chunks);
        resolve(new Response(body, { status, headers: out }));
      });
    });
    req.on("error", reject);
    const file = createReadStream(path);
    file.on("error", (e) => {
      req.destroy(e);
      reject(e);
    });
    // an aborted or failed request closes the file too (pipe() leaves the source open)
    req.on("close", () => file.destroy());
    file.pipe(req);
  });
}
