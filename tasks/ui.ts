/**
 * `deno task ui`: the local viewer of the store (runs, charts, tables, compare, artifacts), or a static
 * export of one run's page.
 *
 *   deno task ui [--dir D] [--port N] [--host H] [--open] [--token T]
 *   deno task ui --export RUN_ID OUT_DIR [--dir D]
 *
 * @module
 */
import { DEFAULT_UI_PORT, exportRunPage, serveUi, UiError } from "../lib/ui/mod.ts";
import { TrackingError } from "../lib/tracking/mod.ts";
import { fail, parseFlags, positiveNumber } from "./_cli.ts";

const USAGE = `usage: deno task ui [--dir D] [--port N] [--host H] [--open] [--token T]
       deno task ui --export RUN_ID OUT_DIR [--dir D]

  --dir D        the store (default: SENTILAB_DIR, else .sentilab)
  --port N       port (default ${DEFAULT_UI_PORT}; 0 picks a free one)
  --host H       address to bind (default 127.0.0.1); any other needs a token, generated unless --token
  --token T      token every request must present (the printed URL carries it)
  --open         open the URL in the browser
  --export ID    write run ID's page as static HTML (with its SVG charts) into OUT_DIR`;

const { values, positionals } = parseFlags({
  options: {
    dir: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    token: { type: "string" },
    open: { type: "boolean" },
    export: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: true,
}, USAGE);

try {
  if (values.export !== undefined) {
    if (positionals.length !== 1) fail(`--export needs a run id and an output folder\n${USAGE}`);
    const page = await exportRunPage(values.export, positionals[0], { dir: values.dir });
    console.log(`wrote ${page.index} and ${page.charts.length} charts`);
    Deno.exit(0);
  }
  if (positionals.length) fail(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
  if (values.token !== undefined && values.token.length < 8) fail("--token must have at least 8 characters");
  const port = values.port === "0" ? 0 : positiveNumber("port", values.port, true);
  const ac = new AbortController();
  const ui = serveUi({ dir: values.dir, host: values.host, port, token: values.token, signal: ac.signal });
  console.log(`sentilab ui: ${ui.url}`);
  if (ui.token !== null && values.token === undefined) {
    console.log("(a token was generated: it is in the URL)");
  }
  console.log("Ctrl-C stops it.");
  Deno.addSignalListener("SIGINT", () => ac.abort());
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => ac.abort());
  if (values.open) openBrowser(ui.url);
  await ui.finished;
} catch (e) {
  if (e instanceof UiError || e instanceof TrackingError) fail(e.message);
  throw e;
}

function openBrowser(url: string): void {
  const cmd = Deno.build.os === "darwin" ? "open" : Deno.build.os === "windows" ? "explorer" : "xdg-open";
  try {
    new Deno.Command(cmd, { args: [url], stdout: "null", stderr: "null" }).spawn().unref();
  } catch {
    console.log(`(could not start ${cmd}; open the URL yourself)`);
  }
}
