/**
 * W&B's environment for tests against the emulator (inside an {@linkcode ownProcessTest} only).
 * @module
 */
import { inOwnProcess } from "./_own_process.ts";

/**
 * Runs `fn` with WANDB_API_KEY and WANDB_BASE_URL set (WANDB_ENTITY and WANDB_MODE unset), restoring the
 * environment after. Only inside an {@linkcode ownProcessTest}: elsewhere it throws, since the variables
 * would leak into the tests of other files.
 *
 * @example
 * ```ts
 * await withWandbEnv("http://127.0.0.1:8765", "k".repeat(40), () => Promise.resolve());
 * ```
 */
export async function withWandbEnv<T>(url: string, key: string, fn: () => Promise<T>): Promise<T> {
  if (!inOwnProcess()) {
    throw new Error("withWandbEnv changes the process's environment: declare the test with ownProcessTest");
  }
  const saved = Object.fromEntries(
    ["WANDB_API_KEY", "WANDB_BASE_URL", "WANDB_ENTITY", "WANDB_MODE"].map((k) => [k, Deno.env.get(k)]),
  );
  Deno.env.set("WANDB_API_KEY", key);
  Deno.env.set("WANDB_BASE_URL", url);
  Deno.env.delete("WANDB_ENTITY");
  Deno.env.delete("WANDB_MODE");
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
}
