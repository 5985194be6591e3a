// Private: what every page handler gets: the store to read (read-only) and the request's query.
import type { ReadOptions } from "../tracking/mod.ts";

/** The viewer's read options and the request URL. */
export interface PageContext {
  /** Options for every lib/tracking read call: the store directory, read-only. */
  read: ReadOptions;
  /** The request URL. */
  url: URL;
  /** Rendering a static file (export): no links back to a server, no script. */
  static?: boolean;
}

/** A query parameter (first value) or undefined. */
export function param(ctx: PageContext, name: string): string | undefined {
  const v = ctx.url.searchParams.get(name);
  return v === null || v === "" ? undefined : v;
}

/** A non-negative integer query parameter, clamped to `max`. */
export function intParam(
  ctx: PageContext,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = param(ctx, name);
  if (v === undefined || !/^\d+$/.test(v)) return fallback;
  return Math.min(max, Number(v));
}

/** Thrown by a page for what is not in the store: the router answers 404. */
export class NotFound extends Error {}
