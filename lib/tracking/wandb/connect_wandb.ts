/**
 * The capability check: credentials plus a `Viewer` query that answers within a short timeout.
 * @module
 */
import { createWandbClient, type WandbClient, type WandbClientOptions } from "./client.ts";
import { WandbError } from "./errors.ts";
import { resolveWandbSettings, type ResolveWandbSettingsOptions } from "./settings.ts";

/** Options for {@linkcode connectWandb}. */
export interface ConnectWandbOptions extends ResolveWandbSettingsOptions, WandbClientOptions {
  /** Time for the `Viewer` check, all attempts included, in ms (default 5000). */
  timeoutMs?: number;
}

/** A checked connection. */
export interface WandbConnection {
  /** The client, ready for the other operations. */
  client: WandbClient;
  /** Entity to log to: WANDB_ENTITY / `options.entity`, else the viewer's default entity. */
  entity: string;
  /** The viewer's user name. */
  username: string | null;
}

const VIEWER = `query Viewer {
  viewer { id entity username flags teams { edges { node { name } } } }
}`;

/**
 * Resolves credentials and checks that W&B answers a `Viewer` query in time.
 *
 * @param options Settings overrides, retry policy and the check's time budget.
 * @returns The client and the entity to log to.
 * @throws {WandbError} `config` without a key, `auth` for a refused key, `timeout` / `network` / `http`
 *   when W&B does not answer in time, `protocol` when the viewer has no entity.
 * @example
 * ```ts
 * import { connectWandb } from "./mod.ts";
 * try {
 *   const { client, entity } = await connectWandb({ timeoutMs: 3000 });
 *   console.log(`logging to ${client.baseUrl} as ${entity}`);
 * } catch (e) {
 *   console.warn(`W&B not used: ${(e as Error).message}`);
 * }
 * ```
 */
export async function connectWandb(options: ConnectWandbOptions = {}): Promise<WandbConnection> {
  const settings = resolveWandbSettings(options);
  const client = createWandbClient(settings, options);
  const timeoutMs = options.timeoutMs ?? 5000;
  const data = await client.graphql<{ viewer: { entity?: string; username?: string } | null }>(
    "Viewer",
    VIEWER,
    {},
    {
      retry: {
        timeoutMs: Math.min(timeoutMs, options.retry?.timeoutMs ?? timeoutMs),
        deadlineMs: timeoutMs,
        maxAttempts: options.retry?.maxAttempts ?? 3,
        baseDelayMs: options.retry?.baseDelayMs ?? 200,
      },
    },
  );
  const entity = settings.entity ?? data.viewer?.entity;
  if (!entity) {
    throw new WandbError("protocol", "W&B's Viewer has no default entity: set WANDB_ENTITY", {
      op: "Viewer",
    });
  }
  return { client, entity, username: data.viewer?.username ?? null };
}
