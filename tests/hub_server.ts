// A loopback Hugging Face Hub for tests, serving `/{repo}/resolve/{revision}/{file}` as the real Hub does.
// Derived from huggingface_hub (github.com/huggingface/huggingface_hub), which is the Hub's reference client:
// - src/huggingface_hub/file_download.py get_hf_file_metadata: HEAD answers carry X-Repo-Commit, ETag (git
//   blob sha1 for regular files) and, for LFS files, a redirect to the storage with X-Linked-Etag (sha256)
//   and X-Linked-Size; _normalize_etag strips W/ and quotes; http_get resumes with `Range: bytes=N-`.
// - src/huggingface_hub/utils/_http.py hf_raise_for_status: X-Error-Code RepoNotFound / RevisionNotFound /
//   EntryNotFound / GatedRepo; 401 is what the Hub answers for a private (or missing) repository without
//   a valid token; _httpx_follow_relative_redirects_with_backoff: a renamed repository answers a relative
//   redirect.
import { createHash } from "node:crypto";

/** One repository of the fake Hub. */
export interface FakeRepo {
  files: Record<string, Uint8Array>;
  /** Needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Files served with other bytes than their ETag says (a damaged download). */
  corrupt?: string[];
  /** Storage answers of LFS files: the first `cutDownloads` GETs send half the bytes asked for, then break
   * the connection. */
  cutDownloads?: number;
  /** Storage answers of LFS files stall: the first sends half the file, later ones (resumes) nothing, and
   * none ever ends (until the fake Hub closes). */
  stallDownloads?: boolean;
  /** Storage answers of LFS files ignore `Range` (200 with the whole file). */
  ignoreRange?: boolean;
}

/** What the fake saw, for assertions. */
export interface HubLog {
  method: string;
  path: string;
  range: string | null;
  authorization: boolean;
}

export interface FakeHub {
  url: string;
  commitOf(repo: string): string;
  log: HubLog[];
  close(): Promise<void>;
}

const LFS = /\.onnx$/;

function gitSha1(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Serves `repos` on 127.0.0.1 (port 0). `renamed` maps an old repository name to its new one (relative
 * redirect); repositories in `hung` never answer. At most `maxRequests` requests are served.
 */
export function startFakeHub(
  repos: Record<string, FakeRepo>,
  options: { renamed?: Record<string, string>; hung?: string[]; maxRequests?: number } = {},
): FakeHub {
  const commits = new Map(
    Object.keys(repos).map((r) => [r, sha256(new TextEncoder().encode(r)).slice(0, 40)]),
  );
  const blobs = new Map<string, { bytes: Uint8Array; repo: FakeRepo; served: number }>();
  const log: HubLog[] = [];
  const hangers = new Set<(r: Response) => void>();
  const stalled = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const max = options.maxRequests ?? 300;
  const abort = new AbortController();
  const record = (req: Request) => {
    log.push({
      method: req.method,
      path: new URL(req.url).pathname,
      range: req.headers.get("range"),
      authorization: req.headers.has("authorization"),
    });
    return log.length <= max;
  };
  // the LFS storage: another origin, as the Hub's
  const store = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} }, (req) => {
    if (!record(req)) return new Response("too many requests in a test", { status: 429 });
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(new URL(req.url).pathname);
    return cdn ? storage(req, cdn[1]) : new Response("not found", { status: 404 });
  });
  const storageUrl = `http://127.0.0.1:${store.addr.port}`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    (req) => {
      const u = new URL(req.url);
      if (!record(req)) return new Response("too many requests in a test", { status: 429 });
      const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(u.pathname);
      if (!m) return new Response("not found", { status: 404 });
      const [, repoId, revision, file] = m;
      if (options.hung?.includes(repoId)) return new Promise<Response>((resolve) => hangers.add(resolve));
      const target = options.renamed?.[repoId];
      if (target) {
        return new Response(null, {
          status: 307,
          headers: { location: `/${target}/resolve/${revision}/${file}` },
        });
      }
      const repo = repos[repoId];
      const error = (status: number, code: string, message: string) =>
        new Response(message, { status, headers: { "x-error-code": code, "x-error-message": message } });
      const auth = req.headers.get("authorization");
      if (!repo || (repo.token !== undefined && auth !== `Bearer ${repo.token}`)) {
        return error(401, "RepoNotFound", "Repository not found");
      }
      const commit = commits.get(repoId)!;
      if (revision !== "main" && revision !== commit) return error(404, "RevisionNotFound", "Invalid rev id");
      const bytes = repo.files[file];
      if (!bytes) return error(404, "EntryNotFound", `${file} does not exist on "${revision}"`);
      const served = repo.corrupt?.includes(file) ? bytes.map((b) => b ^ 1) : bytes;
      if (LFS.test(file)) {
        const oid = sha256(bytes);
        if (!blobs.has(oid)) blobs.set(oid, { bytes: served, repo, served: 0 });
        return new Response(null, {
          status: 302,
          headers: {
            location: `${storageUrl}/cdn/${oid}`, // another origin, as the Hub's LFS storage
            "x-repo-commit": commit,
            "x-linked-etag": `"${oid}"`,
            "x-linked-size": String(bytes.length),
            etag: `W/"${
              gitSha1(
                new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\n`),
              )
            }"`,
          },
        });
      }
      return new Response(req.method === "HEAD" ? null : served.slice(), {
        headers: {
          "x-repo-commit": commit,
          etag: `"${gitSha1(bytes)}"`,
          "content-length": String(bytes.length),
          "content-type": "application/octet-stream",
        },
      });
    },
  );

  function storage(req: Request, oid: string): Response {
    const blob = blobs.get(oid);
    if (!blob) return new Response("no such object", { status: 404 });
    // a storage that ignores Range answers 200 with the whole file (file_download.py http_get restarts then)
    const range = blob.repo.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
    const start = range ? Number(range[1]) : 0;
    const body = blob.bytes.subarray(start);
    const init = {
      status: range ? 206 : 200,
      headers: {
        "content-length": String(body.length),
        ...(range ? { "content-range": `bytes ${start}-${blob.bytes.length - 1}/${blob.bytes.length}` } : {}),
      },
    };
    if (req.method === "GET" && blob.served++ < (blob.repo.cutDownloads ?? 0)) {
      const half = body.subarray(0, Math.floor(body.length / 2));
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(half.slice());
        },
        pull(c) {
          c.error(new Error("connection cut by the test"));
        },
      });
      return new Response(stream, init);
    }
    if (req.method === "GET" && blob.repo.stallDownloads) {
      const half = start === 0 ? body.subarray(0, Math.floor(body.length / 2)) : new Uint8Array();
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          if (half.length) c.enqueue(half.slice());
          stalled.add(c); // never closed: ended by close()
        },
      });
      return new Response(stream, init);
    }
    return new Response(req.method === "HEAD" ? null : body.slice(), init);
  }

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    commitOf: (repo) => commits.get(repo)!,
    log,
    async close() {
      for (const h of hangers) h(new Response("closing", { status: 503 }));
      for (const c of stalled) c.error(new Error("hub closed"));
      abort.abort();
      await Promise.all([server.finished, store.finished]);
    },
  };
}
