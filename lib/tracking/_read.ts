// Shared by the read functions: which store to read.
import { Store } from "./_store.ts";
import { flushLive } from "./_journal.ts";

import type { ReadOptions } from "./types.ts";

export type { ReadOptions };

/** The existing store for `options.dir` (read-only when `options.readOnly`). */
export function readStore(options: ReadOptions = {}): Store {
  const store = options.readOnly ? Store.openReadOnly(options.dir) : Store.openExisting(options.dir);
  if (!store.readOnly) flushLive(store.dir); // this process's own live runs: read-your-writes
  return store;
}
