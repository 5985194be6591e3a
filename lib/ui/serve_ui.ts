import { openStore, type ReadOptions } from "../tracking/mod.ts";
import { route } from "./_router.ts";
import {
  allowedHosts,
  CSP,
  isLoopback,
  newToken,
  presentedToken,
  sameSecret,
  SECURITY_HEADERS,
  TOKEN_COOKIE,
} from "./_security.ts";

/** The port `deno task ui` uses unless told otherwise. */
export const DEFAULT_UI_PORT = 8321;

/** Options for {@linkcode serveUi}. */
export interface ServeUiOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
  /** Address to bind (default 127.0.0.1). Anything but loopback requires a token. */
  host?: string;
  /** Port (default {@linkcode DEFAULT_UI_PORT}; 0 picks a free one). */
  port?: number;
  /** Token every request must present (default: none on loopback, a generated one elsewhere). */
  token?: string;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/** A running viewer. */
export interface UiServer {
  /** The URL to open (with `?token=` when a token is required). */
  readonly url: string;
  /** The bound host. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** The token requests must present, or null. */
  readonly token: string | null;
  /** Stops the server. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

/** The viewer could not start: the message says why and what to do. */
export class UiError extends Error {
  /** Always "UiError". */
  override name = "UiError";
}

/**
 * Starts the local viewer of a store (runs, charts, tables, artifacts) on Deno.serve. It reads the store
 * read-only and writes nothing. Pages are rendered on the server with lib/display's SVG and HTML; the
 * only script is the viewer's own (live charts); nothing is loaded from the network.
 *
 * @param options Store, host, port, token.
 * @returns The running server.
 * @throws {UiError} when the port is taken (naming the next free one) or a host needs a token it lacks.
 * @throws {TrackingError} when there is no store.
 *
 * @example
 * ```ts
 * import { serveUi } from "./mod.ts";
 * import { finishRun, initRun } from "../tracking/mod.ts";
 * const dir = await Deno.makeTempDir();
 * await finishRun(await initRun({ dir, tracker: "local" }));
 * const ui = serveUi({ dir, port: 0 });
 * console.log((await fetch(ui.url)).status); // 200
 * await ui.shutdown();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function serveUi(options: ServeUiOptions = {}): UiServer {
  const host = options.host ?? "127.0.0.1";
  const wanted = options.port ?? DEFAULT_UI_PORT;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
    throw new UiError(`Invalid port ${wanted}: expected an integer from 0 to 65535`);
  }
  // Fails here, before binding, when there is no store; a read-only open writes nothing.
  const read: ReadOptions = { dir: openStoreReadOnly(options.dir), readOnly: true };
  const token = options.token ?? (isLoopback(host) ? null : newToken());
  let server: Deno.HttpServer<Deno.NetAddr>;
  let allowed = new Set<string>();
  try {
    server = Deno.serve({
      hostname: host,
      port: wanted,
      signal: options.signal,
      onListen: () => {},
    }, (req) => secure(handle(req)));
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      const next = freePort(host, wanted + 1);
      throw new UiError(
        `Port ${wanted} on ${host} is already in use (another deno task ui?). ` +
          (next ? `Try --port ${next}, which is free.` : "Pass another --port."),
      );
    }
    if (e instanceof Deno.errors.AddrNotAvailable) {
      throw new UiError(
        `Cannot bind ${host}: no such address on this machine; pass --host with one of its addresses`,
      );
    }
    throw e;
  }
  const port = server.addr.port;
  allowed = allowedHosts(host, port);

  function handle(req: Request): Response {
    const url = new URL(req.url);
    const hostHeader = (req.headers.get("host") ?? "").toLowerCase();
    if (!allowed.has(hostHeader)) {
      return text(403, `Forbidden: this viewer answers to ${[...allowed].join(", ")}, not '${hostHeader}'`);
    }
    if (token !== null) {
      const given = presentedToken(req, url);
      if (given.token === null || !sameSecret(given.token, token)) {
        return text(401, "Unauthorized: open the URL printed by deno task ui (it carries ?token=...)");
      }
      if (given.fromQuery) {
        url.searchParams.delete("token");
        return new Response(null, {
          status: 303,
          headers: {
            location: url.pathname + url.search,
            "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
          },
        });
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "Only GET and HEAD are allowed");
    return route(read, url);
  }

  const shown = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shown}:${port}/${token === null ? "" : `?token=${token}`}`;
  return {
    url,
    host,
    port,
    token,
    shutdown: () => server.shutdown(),
    finished: server.finished,
  };
}

/** The absolute directory of the existing store, checked by opening it read-only. */
function openStoreReadOnly(dir?: string): string {
  return openStore({ dir, readOnly: true }).dir;
}

function secure(res: Response): Response {
  const h = res.headers;
  if (!h.has("content-security-policy")) h.set("content-security-policy", CSP);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) h.set(k, v);
  return res;
}

function text(status: number, body: string): Response {
  return new Response(body + "\n", { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** The first port from `from` that can be bound on `host` (checked by binding it briefly), or null. */
function freePort(host: string, from: number): number | null {
  for (let p = from; p < Math.min(65536, from + 50); p++) {
    try {
      const l = Deno.listen({ hostname: host, port: p });
      l.close();
      return p;
    } catch { /* taken */ }
  }
  return null;
}
