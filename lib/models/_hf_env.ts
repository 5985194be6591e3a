// Where huggingface_hub looks for its settings: the cache folder and the token (constants.py, utils/_auth.py,
// utils/_headers.py of github.com/huggingface/huggingface_hub).
import { homedir } from "node:os";
import { join } from "node:path";

/** An environment variable, unset when empty. */
export function env(name: string): string | undefined {
  const v = Deno.env.get(name);
  return v === undefined || v === "" ? undefined : v;
}

/** constants.py _is_true: 1, ON, YES, TRUE in any case. */
export function truthy(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());
}

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (constants.py). */
export function hfHome(): string {
  return env("HF_HOME") ?? join(env("XDG_CACHE_HOME") ?? join(homedir(), ".cache"), "huggingface");
}

/** The Hub cache folder, as huggingface_hub's constants.py computes it. */
export function hfHubCacheDir(): string {
  return env("HF_HUB_CACHE") ?? env("HUGGINGFACE_HUB_CACHE") ?? join(hfHome(), "hub");
}

/**
 * The token huggingface_hub would send (utils/_auth.py get_token): HF_TOKEN, else HUGGING_FACE_HUB_TOKEN,
 * else the file `hf auth login` writes (HF_TOKEN_PATH, else HF_HOME/token), spaces and line breaks
 * removed; none when HF_HUB_DISABLE_IMPLICIT_TOKEN is set (constants.py, utils/_headers.py).
 */
export async function implicitToken(): Promise<string | undefined> {
  if (truthy(env("HF_HUB_DISABLE_IMPLICIT_TOKEN"))) return undefined;
  const clean = (t: string | undefined) => t?.replace(/[\r\n]/g, "").trim() || undefined;
  const fromEnv = clean(env("HF_TOKEN") ?? env("HUGGING_FACE_HUB_TOKEN"));
  if (fromEnv) return fromEnv;
  try {
    return clean(await Deno.readTextFile(env("HF_TOKEN_PATH") ?? join(hfHome(), "token")));
  } catch {
    return undefined;
  }
}
