// Stored blobs are checked against their digest before they are served or trusted: once per (size, mtime,
// inode) of the blob file, remembered in the hash cache, so a blob changed on disk is noticed and an
// unchanged one is not read again.
import { statSync } from "node:fs";
import { TrackingError } from "./_errors.ts";
import { b64ToHex, md5FileSyncBase64 } from "./_hash.ts";
import type { Store } from "./_store.ts";

/** Whether the blob with this base64 MD5 is stored intact: null when it is, else "missing" or "altered". */
export function blobProblem(store: Store, digest: string): "missing" | "altered" | null {
  const path = store.blobPath(b64ToHex(digest));
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch {
    return "missing";
  }
  if (!st.isFile()) return "altered";
  const size = Number(st.size), mtime = String(st.mtimeNs), ino = String(st.ino);
  if (store.hashes.cachedDigest(path, size, mtime, ino) === digest) return null;
  let actual: string;
  try {
    actual = md5FileSyncBase64(path);
  } catch {
    return "missing";
  }
  if (actual !== digest) return "altered";
  try {
    store.hashes.cacheDigest(path, size, mtime, ino, digest);
  } catch { /* a read-only or full store: verified again next time */ }
  return null;
}

/**
 * The path of the intact blob of `file` in artifact version `ref`.
 * @throws {TrackingError} naming the version and file when the blob is missing or was changed on disk.
 */
export function verifiedBlob(store: Store, ref: string, file: string, digest: string): string {
  const path = store.blobPath(b64ToHex(digest));
  const problem = blobProblem(store, digest);
  if (problem === "missing") {
    throw new TrackingError(
      `Artifact ${ref}: file '${file}' is missing from the store (expected at '${path}'); ` +
        `log the artifact again from its original files to restore it`,
    );
  }
  if (problem === "altered") {
    throw new TrackingError(
      `Artifact ${ref}: file '${file}' was changed on disk after it was stored ('${path}' no longer ` +
        `matches its MD5 ${digest}), so it is not served; log the artifact again from its original files ` +
        `to repair it`,
    );
  }
  return path;
}
