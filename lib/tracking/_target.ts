// The key of the sync state in the store for the W&B the environment points at.
/** The W&B base URL as the sync state keys it (`baseUrl`, else WANDB_BASE_URL, else https://api.wandb.ai). */
export function wandbTarget(baseUrl?: string): string {
  let raw: string | undefined = baseUrl;
  try {
    raw ??= Deno.env.get("WANDB_BASE_URL") || undefined;
  } catch { /* no env permission */ }
  try {
    return new URL((raw ?? "https://api.wandb.ai").trim()).toString().replace(/\/+$/, "");
  } catch {
    return (raw ?? "").trim();
  }
}

/** W&B is configured for reading on demand: an API key, and WANDB_MODE neither offline nor disabled. */
export function wandbConfigured(): boolean {
  try {
    const mode = Deno.env.get("WANDB_MODE")?.toLowerCase();
    return !!Deno.env.get("WANDB_API_KEY") && mode !== "offline" && mode !== "disabled" && mode !== "dryrun";
  } catch {
    return false; // no env permission
  }
}
