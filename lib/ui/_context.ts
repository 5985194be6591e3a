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

/** A page the router returns: HTML with a status. */
export interface PageResult {
  status: number;
  body: string;
}

/** A 404 page result. */
export class NotFound extends Error {}
