// MD5 hashing of files with large, double-buffered reads (the next read runs while this chunk is hashed).
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 8 * 1024 * 1024;

/** Counters of the hashing work done in this process (for tests and benchmarks). */
export const hashStats = { files: 0, bytes: 0 };

/**
 * MD5 of a file's content.
 * @param path File to hash.
 * @returns The raw 16-byte digest.
 */
export async function md5File(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const hash = createHash("md5");
    const buffers = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
    let which = 0;
    let pending = handle.read(buffers[0], 0, CHUNK, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = buffers[which];
      which ^= 1;
      pending = handle.read(buffers[which], 0, CHUNK, null);
      hash.update(bytesRead === CHUNK ? current : current.subarray(0, bytesRead));
      hashStats.bytes += bytesRead;
    }
    hashStats.files++;
    return new Uint8Array(hash.digest());
  } finally {
    await handle.close();
  }
}

/** base64 (standard alphabet, padded) of raw bytes, as W&B writes manifest digests. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Hex of a base64 digest (the content-addressed file name). */
export function b64ToHex(b64: string): string {
  const raw = atob(b64);
  let hex = "";
  for (let i = 0; i < raw.length; i++) hex += raw.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

/**
 * The artifact digest exactly as W&B computes it: hex MD5 of `"wandb-artifact-manifest-v1\n"` followed by
 * `"<path>:<digest>\n"` for each entry sorted by path.
 */
export function artifactDigest(contents: Record<string, { digest: string }>): string {
  const hash = createHash("md5");
  hash.update("wandb-artifact-manifest-v1\n");
  for (const path of Object.keys(contents).sort(comparePaths)) {
    hash.update(`${path}:${contents[path].digest}\n`);
  }
  return hash.digest("hex");
}

/** Sorts like Python's `sorted()` on str (by code point), which W&B uses. */
export function comparePaths(a: string, b: string): number {
  const ca = [...a], cb = [...b];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** MD5 of a file's content, read synchronously in 8 MB chunks; base64 as in manifests. */
export function md5FileSyncBase64(path: string): string {
  const fd = openSync(path, "r");
  try {
    const hash = createHash("md5");
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? buf : buf.subarray(0, n));
      hashStats.bytes += n;
    }
    hashStats.files++;
    return hash.digest("base64");
  } finally {
    closeSync(fd);
  }
}
