// The hash cache of the store: the digest of a file as long as its size, mtime and inode are unchanged.
import type { Store } from "./_store.ts";

type Row = Record<string, unknown>;

/** Digests of files by path, size, mtime and inode (`store.hashes`). */
export class StoreHashCache {
  readonly #s: Store;

  constructor(store: Store) {
    this.#s = store;
  }

  /** The cached digest of `path` when its size, mtime and inode are unchanged. */
  cachedDigest(path: string, size: number, mtimeNs: string, ino: string): string | null {
    const r = this.#s.stmt("SELECT * FROM hash_cache WHERE path = ?").get(path) as Row | undefined;
    if (!r || Number(r.size) !== size || String(r.mtime_ns) !== mtimeNs || String(r.ino) !== ino) return null;
    return String(r.digest);
  }

  /** Remembers the digest of `path` at this size, mtime and inode. */
  cacheDigest(path: string, size: number, mtimeNs: string, ino: string, digest: string): void {
    this.#s.stmt(
      "INSERT OR REPLACE INTO hash_cache(path, size, mtime_ns, ino, digest) VALUES (?, ?, ?, ?, ?)",
    )
      .run(path, size, mtimeNs, ino, digest);
  }
}
