/**
 * Runs the W&B emulator by hand:
 *
 * ```sh
 * deno run -A tests/wandb_emulator_main.ts --port 8765 [--entity me] [--api-key KEY] [--state-file out.json]
 * WANDB_BASE_URL=http://127.0.0.1:8765 WANDB_API_KEY=KEY deno task evaluate --wandb
 * curl http://127.0.0.1:8765/__emu/state
 * ```
 *
 * Ctrl-C stops it (writing the state to `--state-file` when given).
 * @module
 */
import { parseArgs } from "node:util";
import { startEmulator } from "./wandb_emulator.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    entity: { type: "string" },
    "api-key": { type: "string" },
    "state-file": { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port ${values.port} is not a port number (0..65535)`);
  Deno.exit(1);
}
const emu = await startEmulator({ port, entity: values.entity, apiKey: values["api-key"] });
console.log(`W&B emulator on ${emu.url}  (state: ${emu.url}/__emu/state; Ctrl-C to stop)`);
console.log(`  export WANDB_BASE_URL=${emu.url}`);
const stop = async () => {
  const state = emu.state();
  let code = 0;
  try {
    await emu.close();
  } catch (e) {
    // requests the real W&B would refuse (invalid GraphQL, extra upload headers, over-long lines)
    console.error((e as Error).message);
    code = 1;
  }
  if (values["state-file"]) await Deno.writeTextFile(values["state-file"], JSON.stringify(state, null, 2));
  console.log(`stopped; requests per operation: ${JSON.stringify(state.counts)}`);
  Deno.exit(code);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
