// Private: who may talk to the viewer. Loopback by default; any other bind needs a token (checked on
// every request); the Host header must name the bound host (against DNS rebinding); every response
// carries a Content-Security-Policy that allows only the viewer's own script and nothing remote.

/** The policy of every page: own script and stylesheet only, inline style attributes (lib/display's
 * tables use them), images from the viewer or data: URLs, no frames, no remote anything. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Headers added to every response. */
export const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/** The cookie that carries the token after the first visit with `?token=`. */
export const TOKEN_COOKIE = "sentilab_ui_token";

/** Whether `host` is a loopback name or address. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The Host header values the viewer answers to when bound to `host`:`port`. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>();
  // A browser leaves the port out of Host when it is the scheme's default (RFC 9110 7.2: http, port 80).
  const add = (n: string) => {
    const name = (n.includes(":") && !n.startsWith("[") ? `[${n}]` : n).toLowerCase();
    names.add(`${name}:${port}`);
    if (port === 80) names.add(name);
  };
  const bare = host.replace(/^\[|\]$/g, "");
  if (isLoopback(bare)) {
    for (const n of ["127.0.0.1", "localhost", "::1"]) add(n);
  }
  add(bare);
  if (bare === "0.0.0.0" || bare === "::") {
    try {
      for (const i of Deno.networkInterfaces()) add(i.address);
    } catch { /* no permission: the loopback names and the host name remain */ }
    for (const n of ["127.0.0.1", "localhost", "::1"]) add(n);
    try {
      add(Deno.hostname());
    } catch { /* no permission */ }
  }
  return names;
}

/** Constant-time comparison of two strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The token a request presents: `Authorization: Bearer`, the cookie, or `?token=`. */
export function presentedToken(req: Request, url: URL): { token: string | null; fromQuery: boolean } {
  const auth = req.headers.get("authorization");
  if (auth?.startsWith("Bearer ")) return { token: auth.slice(7).trim(), fromQuery: false };
  const q = url.searchParams.get("token");
  if (q) return { token: q, fromQuery: true };
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return { token: decodeURIComponent(v.join("=")), fromQuery: false };
  }
  return { token: null, fromQuery: false };
}

/** A random token (32 hex characters). */
export function newToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
