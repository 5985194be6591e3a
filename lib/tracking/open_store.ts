import { Store } from "./_store.ts";

/** Options for {@linkcode openStore}. */
export interface OpenStoreOptions {
  /** Store directory (default: SENTILAB_DIR, else `.sentilab` in the working directory). */
  dir?: string;
  /** Create the store when missing (default false: a missing store is an error). */
  create?: boolean;
  /** Open an existing store for reading only: nothing is written (no crash check, no schema set-up). */
  readOnly?: boolean;
}

/** An open local store. */
export interface TrackingStore {
  /** Absolute store directory. */
  readonly dir: string;
  /** Ids of runs found dead while "running" and marked crashed by this call. */
  readonly crashed: string[];
  /** Closes the store's connection in this process (it reopens on the next call that needs it). */
  close(): void;
}

/**
 * Opens the local store, checking it and marking runs whose process died as crashed. The read functions
 * open the store themselves; use this to check a store, find crashed runs, or close the connection.
 *
 * @param options The directory, and whether to create a missing store.
 * @returns The open store.
 * @throws {TrackingError} when there is no store (and `create` is not set) or it cannot be opened.
 *
 * @example
 * ```ts
 * import { openStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const store = openStore({ dir, create: true });
 * console.log(store.dir, store.crashed);
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openStore(options: OpenStoreOptions = {}): TrackingStore {
  const store = options.readOnly
    ? Store.openReadOnly(options.dir)
    : options.create
    ? Store.open(options.dir)
    : Store.openExisting(options.dir);
  const crashed = store.lastCrashed;
  return { dir: store.dir, crashed, close: () => store.close() };
}
