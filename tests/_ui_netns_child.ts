/**
 * Run by ui_server_test.ts inside a network namespace that has only loopback (`unshare -n`), where binding
 * every address (0.0.0.0) reaches nothing but this machine's loopback: serves the store given as the
 * first argument on 0.0.0.0 without a token option and prints, as JSON, what requests got.
 * @module
 */
import { serveUi } from "../lib/ui/mod.ts";

const ui = serveUi({ dir: Deno.args[0], host: "0.0.0.0", port: 0 });
const bare = `http://127.0.0.1:${ui.port}/`;
async function status(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, { redirect: "manual", ...init });
  await res.body?.cancel();
  return res.status;
}
try {
  const withToken = ui.url.replace(/^http:\/\/[^/]+\//, bare);
  console.log(JSON.stringify({
    url: ui.url,
    token: ui.token,
    noToken: await status(bare),
    wrongToken: await status(`${bare}?token=wrong-token-123`),
    printedUrl: await status(withToken),
    bearer: await status(bare, { headers: { authorization: `Bearer ${ui.token}` } }),
    rawFileNoToken: await status(`${bare}app.js`),
  }));
} finally {
  await ui.shutdown();
}
