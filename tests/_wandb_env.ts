/**
 * W&B's environment for in-process tests against the emulator.
 * @module
 */

/**
 * Runs `fn` with WANDB_API_KEY and WANDB_BASE_URL set (WANDB_ENTITY and WANDB_MODE unset), restoring the
 * environment after.
 *
 * @example
 * ```ts
 * await withWandbEnv("http://127.0.0.1:8765", "k".repeat(40), () => Promise.resolve());
 * ```
 */
export async function withWandbEnv<T>(url: string, key: string, fn: () => Promise<T>): Promise<T> {
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
