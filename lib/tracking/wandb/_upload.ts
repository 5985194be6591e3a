/**
 * Upload helpers (private).
 * @module
 */
import type { RetryOptions } from "./client.ts";

/** Parses W&B's `uploadHeaders` (`"Name:Value"` strings) into a header record. */
export function parseUploadHeaders(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const h of list) {
    const s = String(h);
    const i = s.indexOf(":");
    if (i > 0) out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time; fails with the first error. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (e) {
        if (failed === null) failed = e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== null) throw failed;
}

/**
 * The retry policy of an upload of `bytes`: the attempt timeout grows with the size (1 s per MB on top
 * of the policy's timeout, i.e. at least 1 MB/s), so a large file is not cut off by a timeout meant for
 * small API calls.
 */
export function uploadRetry(retry: RetryOptions | undefined, bytes: number): RetryOptions {
  const timeoutMs = (retry?.timeoutMs ?? 30_000) + Math.ceil(bytes / 1000);
  return { ...retry, timeoutMs, deadlineMs: Math.max(retry?.deadlineMs ?? 120_000, 2 * timeoutMs) };
}
