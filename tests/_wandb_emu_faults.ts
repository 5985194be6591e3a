/**
 * Injected failures of the W&B emulator (tests/wandb_emulator.ts): faults queued per operation, taken one
 * request at a time in the order queued, and the reply each fault gives instead of the real handler's.
 * @module
 */
import { json } from "./_wandb_emu_http.ts";

/** A fault applied to the next `times` requests of one operation. */
export interface Fault {
  /** Reply with this HTTP status instead of handling the request. */
  status?: number;
  /** How many requests the fault applies to (default 1; `Infinity` for all). */
  times?: number;
  /** With a status: seconds to put in the `RateLimit-Reset` header (429s). */
  rateLimitReset?: number;
  /** With a status: value of the `Retry-After` header. */
  retryAfter?: string;
  /** Wait this long, then handle the request normally (or apply the other fault fields). */
  delayMs?: number;
  /** Never answer (until the emulator goes down or closes; then 503). */
  hang?: boolean;
  /** Drop the connection: the response body breaks before any byte of it is sent. */
  drop?: boolean;
  /** Reply with this raw body (status 200 unless `status` is set) instead of handling the request. */
  body?: string;
  /** Reply 200 `{data:null, errors}` with these messages instead of handling the request. */
  graphqlErrors?: string[];
}

/** A queued fault and how many more requests it applies to. */
export interface PendingFault extends Fault {
  left: number;
}

/** The faults queued per operation (`*`: every request) and the hung requests waiting for a release. */
export interface FaultQueue {
  pending: Map<string, PendingFault[]>;
  hung: Set<() => void>;
}

/** The error a dropped response's body breaks with (the server does not log it as a handler error). */
export const DROPPED = "dropped by fault injection";

/** An empty queue. */
export function newFaultQueue(): FaultQueue {
  return { pending: new Map(), hung: new Set() };
}

/** Queues a fault for an operation, after the ones already queued for it. */
export function queueFault(q: FaultQueue, op: string, fault: Fault): void {
  const list = q.pending.get(op) ?? [];
  list.push({ ...fault, left: fault.times ?? 1 });
  q.pending.set(op, list);
}

/** The fault that applies to this request of `op` (the operation's own first, then `*`), counted down. */
export function takeFault(q: FaultQueue, op: string): PendingFault | null {
  for (const key of [op, "*"]) {
    const list = q.pending.get(key);
    if (!list) continue;
    while (list.length && list[0].left <= 0) list.shift();
    if (list.length) {
      list[0].left--;
      return list[0];
    }
  }
  return null;
}

/** Answers every hung request (with 503). */
export function releaseHung(q: FaultQueue): void {
  for (const release of [...q.hung]) release();
}

/**
 * Applies a fault: waits its delay, then gives the reply it puts in place of the handler's with the label
 * logged for it, or null when the request is to be handled normally (a delay alone).
 */
export async function faultResponse(
  q: FaultQueue,
  fault: Fault,
): Promise<{ response: Response; label: string } | null> {
  if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault.hang) {
    await new Promise<void>((resolve) => {
      const release = () => {
        q.hung.delete(release);
        resolve();
      };
      q.hung.add(release);
    });
    return { response: new Response("emulator closed a hung request", { status: 503 }), label: "hang" };
  }
  if (fault.drop) {
    const broken = new ReadableStream({ pull: (c) => c.error(new Error(DROPPED)) });
    return { response: new Response(broken, { status: 200 }), label: "drop" };
  }
  if (fault.status) {
    const headers: Record<string, string> = {};
    if (fault.rateLimitReset !== undefined) headers["RateLimit-Reset"] = String(fault.rateLimitReset);
    if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
    return {
      response: fault.body !== undefined
        ? new Response(fault.body, { status: fault.status, headers })
        : json({ error: `injected ${fault.status}` }, fault.status, headers),
      label: `status ${fault.status}`,
    };
  }
  if (fault.body !== undefined) return { response: new Response(fault.body, { status: 200 }), label: "body" };
  if (fault.graphqlErrors) {
    return {
      response: json({ data: null, errors: fault.graphqlErrors.map((message) => ({ message })) }),
      label: "graphqlErrors",
    };
  }
  return null;
}
