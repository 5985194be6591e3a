/**
 * What every handler of the W&B emulator (tests/wandb_emulator.ts) shares: JSON replies, request bodies
 * (gzip-decoded), the API key check and the error a resolver reports.
 * @module
 */
import type { EmuState } from "./_wandb_emu_state.ts";

/** An error a resolver reports to the client as W&B does (not logged as an emulator failure). */
export class GqlError extends Error {}

/** UTF-8 decoder for request bodies. */
export const dec = new TextDecoder();

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The request body, gunzipped when it says `Content-Encoding: gzip`. */
export async function readBody(req: Request): Promise<Uint8Array> {
  const raw = new Uint8Array(await req.arrayBuffer());
  if ((req.headers.get("content-encoding") ?? "").toLowerCase() !== "gzip") return raw;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Whether the request carries the accepted API key (always, when none is set); counts the failures. */
export function checkAuth(st: EmuState, req: Request): boolean {
  if (st.apiKey === undefined) return true;
  const h = req.headers.get("authorization") ?? "";
  const ok = h === `Basic ${btoa(`api:${st.apiKey}`)}`;
  if (!ok) st.authFailures++;
  return ok;
}
