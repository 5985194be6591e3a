/**
 * How the W&B emulator spells content (tests/wandb_emulator.ts): MD5s in base64, hex and URL-safe base64,
 * and the artifact digest over a manifest's entries.
 * @module
 */
import { createHash } from "node:crypto";

/** Base64 MD5 of bytes (W&B's `md5` and `Content-MD5`). */
export function md5b64(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("base64");
}

/** Hex of a base64 string. */
export function b64ToHex(b64: string): string {
  return Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

/** Base64 of a hex string. */
export function hexToB64(hex: string): string {
  let s = "";
  for (let i = 0; i + 1 < hex.length; i += 2) s += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(s);
}

/** URL-safe base64 without padding (how the emulator's storage URLs name a blob). */
export function b64url(b64: string): string {
  return b64.replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** Standard padded base64 of a URL-safe one. */
export function fromB64url(s: string): string {
  const b = s.replaceAll("-", "+").replaceAll("_", "/");
  return b + "=".repeat((4 - (b.length % 4)) % 4);
}

/**
 * Orders strings as Python's `sorted()` orders `str`: by code point. JavaScript's default sort compares
 * UTF-16 code units, which differs for characters outside the BMP (an emoji sorts before U+FFFF there).
 */
function byCodePoint(a: string, b: string): number {
  const ia = a[Symbol.iterator](), ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next(), y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d) return d;
  }
}

/**
 * The W&B artifact digest: hex MD5 of `wandb-artifact-manifest-v1\n` then `<path>:<digest>\n` per entry,
 * entries in Python's `sorted()` order of their paths (wandb/wandb
 * wandb/sdk/artifacts/artifact_manifests/artifact_manifest_v1.py `digest()`; its Go twin
 * core/pkg/artifacts/builder.go sorts the same way).
 */
export function manifestDigest(contents: Record<string, { digest: string }>): string {
  const h = createHash("md5");
  h.update("wandb-artifact-manifest-v1\n");
  for (const path of Object.keys(contents).sort(byCodePoint)) h.update(`${path}:${contents[path].digest}\n`);
  return h.digest("hex");
}
