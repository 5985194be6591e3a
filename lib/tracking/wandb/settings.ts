/**
 * Where to reach W&B and with which key: environment variables and ~/.netrc.
 * @module
 */
import { WandbError } from "./errors.ts";

/** Where to reach W&B. The API key is not enumerable: it does not show in logs or JSON. */
export interface WandbSettings {
  /** API base URL without a trailing slash, e.g. `https://api.wandb.ai`. */
  baseUrl: string;
  /** The API key (non-enumerable; use it only for the Authorization header). */
  readonly apiKey: string;
  /** Where the key came from. */
  keySource: "option" | "WANDB_API_KEY" | "netrc";
  /** Default entity (WANDB_ENTITY), else the viewer's entity. */
  entity: string | null;
  /** Default project (WANDB_PROJECT). */
  project: string | null;
}

/** Options for {@linkcode resolveWandbSettings}. */
export interface ResolveWandbSettingsOptions {
  /** Base URL (default WANDB_BASE_URL, else `https://api.wandb.ai`). */
  baseUrl?: string;
  /** API key (default WANDB_API_KEY, else the ~/.netrc entry for the base URL's host). */
  apiKey?: string;
  /** Entity (default WANDB_ENTITY). */
  entity?: string;
  /** Project (default WANDB_PROJECT). */
  project?: string;
  /** Environment to read (default `Deno.env`; variables that cannot be read count as unset). */
  env?: Record<string, string | undefined>;
  /** Home directory holding `.netrc` (default HOME, else USERPROFILE). NETRC names the file directly. */
  home?: string;
}

const DEFAULT_BASE_URL = "https://api.wandb.ai";

function readEnv(name: string, env?: Record<string, string | undefined>): string | undefined {
  if (env) return env[name] || undefined;
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** Parses a .netrc text into machine -> password (the `default` entry under ""). */
function parseNetrc(text: string): Map<string, string> {
  const tokens = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n").split(/\s+/)
    .filter(Boolean);
  const out = new Map<string, string>();
  let machine: string | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "machine") machine = tokens[++i] ?? null;
    else if (t === "default") machine = "";
    else if (t === "password" && machine !== null) {
      const pw = tokens[++i];
      if (pw !== undefined && !out.has(machine)) out.set(machine, pw);
    } else if (t === "login" || t === "account") i++;
    else if (t === "macdef") break;
  }
  return out;
}

function netrcKey(url: URL, env: Record<string, string | undefined> | undefined, home?: string) {
  const file = readEnv("NETRC", env) ??
    ((home ?? readEnv("HOME", env) ?? readEnv("USERPROFILE", env))
      ? `${home ?? readEnv("HOME", env) ?? readEnv("USERPROFILE", env)}/.netrc`
      : undefined);
  if (!file) return undefined;
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return undefined;
  }
  const entries = parseNetrc(text);
  return entries.get(url.host) ?? entries.get(url.hostname);
}

/**
 * Resolves the W&B base URL, API key, entity and project from options, the environment and ~/.netrc.
 *
 * The key is looked up in this order: `options.apiKey`, `WANDB_API_KEY`, then the `~/.netrc` entry
 * `machine <host[:port]>` (as `wandb login` writes it).
 *
 * @param options Explicit values and the environment to read.
 * @returns The settings; `apiKey` is a non-enumerable property.
 * @throws {WandbError} kind `config` when there is no API key or the base URL is not an http(s) URL.
 * @example
 * ```ts
 * import { resolveWandbSettings } from "./settings.ts";
 * const s = resolveWandbSettings({ env: { WANDB_API_KEY: "0".repeat(40), WANDB_BASE_URL: "http://127.0.0.1:8080/" } });
 * console.log(s.baseUrl); // http://127.0.0.1:8080
 * ```
 */
export function resolveWandbSettings(options: ResolveWandbSettingsOptions = {}): WandbSettings {
  const env = options.env;
  const raw = options.baseUrl ?? readEnv("WANDB_BASE_URL", env) ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WandbError("config", `WANDB_BASE_URL '${raw}' is not a URL: set it like https://api.wandb.ai`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WandbError("config", `WANDB_BASE_URL '${raw}' must start with http:// or https://`);
  }
  const baseUrl = url.toString().replace(/\/+$/, "");
  let apiKey = options.apiKey;
  let keySource: WandbSettings["keySource"] = "option";
  if (!apiKey) {
    apiKey = readEnv("WANDB_API_KEY", env);
    keySource = "WANDB_API_KEY";
  }
  if (!apiKey) {
    apiKey = netrcKey(url, env, options.home);
    keySource = "netrc";
  }
  if (!apiKey) {
    throw new WandbError(
      "config",
      `No W&B API key for ${url.host}: set WANDB_API_KEY, or add 'machine ${url.host} login user password <key>' to ~/.netrc`,
    );
  }
  const settings = {
    baseUrl,
    keySource,
    entity: options.entity ?? readEnv("WANDB_ENTITY", env) ?? null,
    project: options.project ?? readEnv("WANDB_PROJECT", env) ?? null,
  } as WandbSettings;
  Object.defineProperty(settings, "apiKey", { value: apiKey.trim(), enumerable: false });
  return settings;
}
