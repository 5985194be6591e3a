/**
 * `deno task ui`: the local viewer of the store (runs, charts, tables, compare, artifacts), or a static
 * export of one run's page.
 *
 *   deno task ui [--dir DIR] [--port N] [--host H] [--open] [--token T]
 *   deno task ui --export RUN_ID OUT_DIR [--dir DIR]
 *
 * @module
 */
import { DEFAULT_UI_PORT, exportRunPage, serveUi } from "../lib/ui/mod.ts";
import { fail, integerFlag, parseTask, runMain } from "./_cli.ts";

const TASK = {
  name: "ui",
  usage: ["[--dir DIR] [--port N] [--host H] [--open] [--token T]", "--export RUN_ID OUT_DIR [--dir DIR]"],
  about:
    "Serves a local viewer of the store: runs, metric charts (live while a run runs), prediction tables, " +
    "comparisons, artifacts with previews and lineage. Reads the store read-only; works offline. Ctrl-C stops it. " +
    "With --export, writes one run's page as static HTML with its SVG charts instead.",
  positionals: { min: 0, max: 1, arg: "OUT_DIR" },
  flags: {
    dir: { type: "string", arg: "DIR", help: "the store (default: SENTILAB_DIR, else .sentilab)" },
    port: {
      type: "string",
      arg: "N",
      help: `port to listen on; 0 picks a free one`,
      default: String(DEFAULT_UI_PORT),
    },
    host: {
      type: "string",
      arg: "H",
      help: "address to bind; anything but loopback requires a token (generated and printed unless --token)",
      default: "127.0.0.1",
    },
    token: {
      type: "string",
      arg: "T",
      help: "token every request must present (the printed URL carries it)",
    },
    open: { type: "boolean", help: "open the URL in the default browser" },
    export: {
      type: "string",
      arg: "RUN_ID",
      help: "write the run's page as static HTML into OUT_DIR and exit",
    },
  },
} as const;

function openBrowser(url: string): void {
  const cmd = Deno.build.os === "darwin" ? "open" : Deno.build.os === "windows" ? "explorer" : "xdg-open";
  try {
    new Deno.Command(cmd, { args: [url], stdout: "null", stderr: "null" }).spawn().unref();
  } catch {
    console.log(`(could not start ${cmd}; open the URL yourself)`);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseTask(TASK);
  if (values.export !== undefined) {
    if (positionals.length !== 1) {
      fail("--export RUN_ID needs the folder to write into: --export RUN_ID OUT_DIR");
    }
    const page = await exportRunPage(values.export, positionals[0], { dir: values.dir });
    console.log(`wrote ${page.index} and ${page.charts.length} chart${page.charts.length === 1 ? "" : "s"}`);
    return 0;
  }
  if (positionals.length) fail(`OUT_DIR goes with --export RUN_ID; got ${JSON.stringify(positionals[0])}`);
  if (values.token !== undefined && values.token.length < 8) fail("--token must have at least 8 characters");
  const port = integerFlag("port", values.port, 0)!;
  if (port > 65535) fail(`--port must be at most 65535, got ${port}`);
  const ac = new AbortController();
  const ui = serveUi({ dir: values.dir, host: values.host, port, token: values.token, signal: ac.signal });
  console.log(`sentilab ui: ${ui.url}`);
  if (ui.host === "0.0.0.0" || ui.host === "::") {
    // Other machines reach it by this machine's name or address (the Host header must be one of those).
    let name = "";
    try {
      name = Deno.hostname();
    } catch { /* no name */ }
    if (name) {
      console.log(`  from other machines: ${ui.url.replace(/^http:\/\/[^/]+/, `http://${name}:${ui.port}`)}`);
    }
  }
  if (ui.token !== null && values.token === undefined) {
    console.log("(a token was generated: it is in the URL)");
  }
  console.log("Ctrl-C stops it.");
  Deno.addSignalListener("SIGINT", () => ac.abort());
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => ac.abort());
  if (values.open) openBrowser(ui.url);
  await ui.finished;
  return 0;
}

await runMain(main);
