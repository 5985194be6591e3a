/**
 * The W&B emulator's storage (tests/wandb_emulator.ts): the upload URLs it hands out with the headers a PUT
 * must carry, the PUT rules of a presigned URL, and the reads of manifests, blobs, run files and artifact
 * files by the SDK's download URLs.
 * @module
 */
import { fromB64url, md5b64 } from "./_wandb_emu_digest.ts";
import { dec } from "./_wandb_emu_http.ts";
import { baseUrl, type EmuState, getRun } from "./_wandb_emu_state.ts";

/**
 * Headers any HTTP client adds on its own; everything else on a storage PUT must be one of the server's
 * `uploadHeaders`. A presigned URL (GCS V4 / S3 SigV4) is signed over its headers: a request with headers
 * the signature does not cover, or without ones it does, is refused (403 SignatureDoesNotMatch), and S3
 * refuses an `Authorization` header next to a presigned query ("Only one auth mechanism allowed"). The
 * real SDK sends exactly `uploadHeaders` (wandb/wandb core/pkg/artifacts/saver.go `uploadFiles`,
 * core/internal/filetransfer/file_transfer_default.go).
 */
const TRANSPORT_HEADERS = new Set([
  "host",
  "content-length",
  "accept",
  "accept-encoding",
  "accept-language",
  "user-agent",
  "connection",
]);

/** `"Name:Value"` upload headers as lower-case name -> value. */
function headerMap(list: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of list) {
    const i = h.indexOf(":");
    out.set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
  }
  return out;
}

/** Hands out a storage URL and remembers the headers a PUT to it must carry (and only those). */
export function storageUrl(st: EmuState, path: string, headers: string[]): string {
  st.uploadHeaders.set(path, headers);
  return `${baseUrl(st)}${path}`;
}

/**
 * The manifest's file. Its upload URL is signed over the manifest's digest (Content-MD5) once the digest
 * is known: the real SDK creates the manifest first with digest "" and no upload, and for a FULL manifest
 * calls CreateArtifactManifest again with the digest and `includeUpload: true` before its PUT (wandb/wandb
 * core/pkg/artifacts/saver.go `Save`, wandb/sdk/artifacts/artifact_saver.py `_save_internal`).
 */
export function manifestFile(st: EmuState, id: string) {
  const m = st.manifests.get(id)!;
  const path = `/__storage/manifest/${encodeURIComponent(id)}`;
  const headers = m.digest ? [`Content-MD5:${m.digest}`] : [];
  return {
    id,
    name: "wandb_manifest.json",
    uploadUrl: m.digest ? storageUrl(st, path, headers) : null,
    uploadHeaders: headers,
    directUrl: `${baseUrl(st)}${path}`,
  };
}

/**
 * A PUT to a storage URL: refused unless the URL was handed out and the request carries exactly its
 * `uploadHeaders` and a length; stores a blob by its MD5 (which must be the URL's), a manifest's bytes or a
 * run file.
 */
export function putStorage(
  st: EmuState,
  req: Request,
  body: Uint8Array,
  parts: string[],
  url: URL,
): Response {
  const expected = st.uploadHeaders.get(url.pathname + url.search);
  if (!expected) {
    st.errors.push({ op: "storage_put", message: `no upload URL ${url.pathname} was handed out` });
    return new Response("unknown upload URL", { status: 403 });
  }
  // A presigned PUT needs its length up front: S3 answers a chunked upload with 411 MissingContentLength
  // and GCS's XML API (signed URLs) with 411 Length Required; the SDK PUTs a file of known size
  // (wandb/wandb core/internal/filetransfer/file_transfer_default.go); shared/reference/wandb_protocol.md
  // item 3 notes that chunked `fetch` stream bodies are refused.
  if (!req.headers.has("content-length") || req.headers.has("transfer-encoding")) {
    const message = `PUT ${url.pathname} has no Content-Length (chunked): a presigned URL refuses it`;
    st.invalid.push({ op: "storage_put", message });
    return new Response(`MissingContentLength: ${message}`, { status: 411 });
  }
  const want = headerMap(expected);
  for (const [name, value] of req.headers) {
    if (TRANSPORT_HEADERS.has(name)) continue;
    if (want.get(name) !== value) {
      const message = `PUT ${url.pathname} carries header '${name}' that is not one of the server's ` +
        `uploadHeaders [${expected.join(", ")}] (a presigned URL refuses it)`;
      st.invalid.push({ op: "storage_put", message });
      return new Response(`SignatureDoesNotMatch: ${message}`, { status: 403 });
    }
  }
  for (const name of want.keys()) {
    if (!req.headers.has(name)) {
      const message = `PUT ${url.pathname} lacks the uploadHeader '${name}'`;
      st.invalid.push({ op: "storage_put", message });
      return new Response(`SignatureDoesNotMatch: ${message}`, { status: 403 });
    }
  }
  const md5 = md5b64(body);
  const header = req.headers.get("content-md5");
  if (header && header !== md5) {
    st.errors.push({
      op: "storage_put",
      message: `Content-MD5 ${header} does not match the body (${md5})`,
    });
    return new Response("Content-MD5 mismatch", { status: 400 });
  }
  const [kind, ...rest] = parts;
  if (kind === "blob") {
    const want = fromB64url(rest[0] ?? "");
    if (want !== md5) {
      st.errors.push({
        op: "storage_put",
        message: `body MD5 ${md5} does not match the upload URL (${want})`,
      });
      return new Response("body does not match the upload URL", { status: 400 });
    }
    if (!st.blobs.has(md5)) st.blobs.set(md5, { bytes: body, birth: url.searchParams.get("artifact") });
    return new Response(null, { status: 200 });
  }
  if (kind === "manifest") {
    const m = st.manifests.get(decodeURIComponent(rest[0] ?? ""));
    if (!m) return new Response("unknown manifest", { status: 404 });
    m.bytes = body;
    return new Response(null, { status: 200 });
  }
  if (kind === "run") {
    const [entity, project, name, ...file] = rest.map(decodeURIComponent);
    const run = getRun(st, entity, project, name);
    if (!run) return new Response("unknown run", { status: 404 });
    run.files[file.join("/")] = { size: body.length, md5, text: dec.decode(body) };
    return new Response(null, { status: 200 });
  }
  return new Response("unknown storage path", { status: 404 });
}

/** A GET of a stored manifest, blob (by its URL-safe base64 MD5) or run file. */
export function getStorage(st: EmuState, parts: string[]): Response {
  const [kind, ...rest] = parts;
  if (kind === "manifest") {
    const m = st.manifests.get(decodeURIComponent(rest[0] ?? ""));
    if (!m?.bytes) return new Response("not found", { status: 404 });
    return new Response(m.bytes as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": "application/json" },
    });
  }
  if (kind === "blob") {
    const b = st.blobs.get(fromB64url(rest[0] ?? ""));
    return b ? new Response(b.bytes as Uint8Array<ArrayBuffer>) : new Response("not found", { status: 404 });
  }
  if (kind === "run") {
    const [entity, project, name, ...file] = rest.map(decodeURIComponent);
    const f = getRun(st, entity, project, name)?.files[file.join("/")];
    return f ? new Response(f.text) : new Response("not found", { status: 404 });
  }
  return new Response("not found", { status: 404 });
}

/**
 * A GET of an artifact file by the SDK's URL (["blob", md5, the last path segment as sent]). The server
 * reads the segment percent-decoded; an escape that is not `%` and two hex digits of UTF-8 is not a valid
 * URI (RFC 3986 section 2.1) and is refused. The SDK puts the file's own name there (wandb/wandb
 * wandb/sdk/artifacts/storage_policies/wandb_storage_policy.py `_file_url`, `entry.path.name`): a name
 * that is no manifest's file of that MD5 (a folder left in, a name cut at `#` or `?`, a double escape)
 * is recorded in `errors`. The file is served by its MD5.
 */
export function artifactFileGet(st: EmuState, parts: string[]): Response {
  const [, md5url, segment] = parts;
  if (segment !== undefined) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      st.errors.push({
        op: "artifact_file_get",
        message: `malformed percent-escape in the file name '${segment}'`,
      });
      return new Response("malformed URL escape", { status: 400 });
    }
    const md5 = fromB64url(md5url);
    const named = [...st.artifacts.values()].some((a) =>
      Object.entries((a.manifest?.contents ?? {}) as Record<string, { digest?: string }>).some((
        [path, e],
      ) => e.digest === md5 && path.slice(path.lastIndexOf("/") + 1) === name)
    );
    if (!named) {
      st.errors.push({
        op: "artifact_file_get",
        message:
          `the URL names '${name}', which is no manifest's file with MD5 ${md5} (the SDK sends the file's name)`,
      });
    }
  }
  return getStorage(st, parts.slice(0, 2));
}
