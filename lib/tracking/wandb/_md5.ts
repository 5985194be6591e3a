/**
 * MD5 helpers (private).
 * @module
 */
import { createHash } from "node:crypto";

/** base64 MD5 of bytes. */
export function md5Base64(data: Uint8Array): string {
  return createHash("md5").update(data).digest("base64");
}

/** base64 MD5 and size of a file, streamed. */
export async function md5File(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("md5");
  let size = 0;
  using file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: hash.digest("base64"), size };
}

/** hex of the bytes a base64 string decodes to (W&B's `b64_to_hex_id`). */
export function b64ToHex(b64: string): string {
  return Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}
