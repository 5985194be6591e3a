// The key of the sync state in the store for the W&B the environment points at.
/** The W&B base URL as the sync state keys it (WANDB_BASE_URL, else https://api.wandb.ai). */
export function wandbTarget(): string {
  let raw: string | undefined;
  try {
    raw = Deno.env.get("WANDB_BASE_URL") || undefined;
  } catch { /* no env permission */ }
  try {
    return new URL((raw ?? "https://api.wandb.ai").trim()).toString().replace(/\/+$/, "");
  } catch {
    return (raw ?? "").trim();
  }
}
