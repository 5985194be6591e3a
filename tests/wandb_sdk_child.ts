/**
 * Child process of the conformance test: the unmodified npm:@wandb/sdk client runs init, log and finish
 * against WANDB_BASE_URL. Prints `DONE <run id>` on success.
 * @module
 */
import wandb from "npm:@wandb/sdk@0.5.1";

const run = await wandb.init({
  project: "conformance",
  name: "sdk-run",
  config: { lr: 0.01, layers: [2, 3] },
});
wandb.log({ loss: 0.9, acc: 0.5 });
wandb.log({ loss: 0.6, acc: 0.7 });
wandb.log({ loss: 0.3 }, 10);
wandb.log({ acc: 0.9 }, undefined, false);
wandb.log({ loss: 0.2 });
await wandb.finish(Number(Deno.env.get("CHILD_EXIT_CODE") ?? "0"));
console.log(`DONE ${run.id}`);
Deno.exit(0);
