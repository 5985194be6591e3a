// Shared by the read functions: which store to read.
import { Store } from "./_store.ts";
import { flushLive } from "./_journal.ts";

import type { ReadOptions } from "./types.ts";

export type { ReadOptions };

/** The existing store for `options.dir`. */
export function readStore(options: ReadOptions = {}): Store {
  const store = Store.openExisting(options.dir);
  flushLive(store.dir);
  return store;
}
