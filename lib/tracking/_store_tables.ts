// The tables and table_chunks tables of the store: logTable's tables, written in chunks and visible once
// complete; pages for readers, whole tables for the replay, and incomplete ones reclaimed.
import type { Store } from "./_store.ts";
import type { TableInfo, TablePage } from "./types.ts";

type Row = Record<string, unknown>;

/** A complete table as the replay reads it. */
export interface ReplayTable {
  id: number;
  key: string;
  columns: string[];
  step: number;
  /** ISO time it was logged. */
  createdAt: string;
}

/** The tables of the runs of a store (`store.tables`). */
export class StoreTables {
  readonly #s: Store;

  constructor(store: Store) {
    this.#s = store;
  }

  /** Starts a table (hidden from readers until {@linkcode StoreTables.completeTable}). */
  beginTable(runId: string, key: string, columns: string[], step: number): number {
    const r = this.#s.stmt(
      "INSERT INTO tables(run_id, key, columns, step, created_at) VALUES (?, ?, ?, ?, ?)",
    ).run(runId, key, JSON.stringify(columns), step, new Date().toISOString());
    return Number(r.lastInsertRowid);
  }

  /** Inserts chunks of serialised rows (`data` is a JSON array of `nrows` rows), in one transaction. */
  insertChunks(tableId: number, chunks: { first: number; nrows: number; data: string }[]): void {
    const insert = this.#s.stmt(
      "INSERT INTO table_chunks(table_id, first_idx, nrows, data) VALUES (?, ?, ?, ?)",
    );
    this.#s.transaction(() => {
      for (const c of chunks) insert.run(tableId, c.first, c.nrows, c.data);
    });
  }

  /** Makes a table visible with its final row count. */
  completeTable(tableId: number, nrows: number): void {
    this.#s.stmt("UPDATE tables SET nrows = ?, complete = 1 WHERE id = ?").run(nrows, tableId);
  }

  /** Removes a table that could not be completed. */
  dropTable(tableId: number): void {
    this.#s.transaction(() => {
      this.#s.stmt("DELETE FROM table_chunks WHERE table_id = ?").run(tableId);
      this.#s.stmt("DELETE FROM tables WHERE id = ?").run(tableId);
    });
  }

  /** Tables of a run in logging order (latest per key last), each with its version under its key. */
  list(runId: string): TableInfo[] {
    const versions = new Map<string, number>();
    return (this.#s.stmt("SELECT * FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id").all(
      runId,
    ) as Row[])
      .map((r) => {
        const version = versions.get(String(r.key)) ?? 0;
        versions.set(String(r.key), version + 1);
        return this.#tableInfo(r, version);
      });
  }

  #tableInfo(r: Row, version: number): TableInfo {
    return {
      key: String(r.key),
      version,
      columns: JSON.parse(String(r.columns)),
      rowCount: Number(r.nrows),
      step: Number(r.step),
      createdAt: String(r.created_at),
    };
  }

  /**
   * A page of a complete table logged under `key` by a run: version `version` (0 the first logged), by
   * default the latest; null when there is no such table.
   */
  tableRows(runId: string, key: string, offset: number, limit: number, version?: number): TablePage | null {
    const t = (version === undefined
      ? this.#s.stmt(
        "SELECT * FROM tables WHERE run_id = ? AND key = ? AND complete = 1 ORDER BY id DESC LIMIT 1",
      ).get(runId, key)
      : this.#s.stmt(
        "SELECT * FROM tables WHERE run_id = ? AND key = ? AND complete = 1 ORDER BY id LIMIT 1 OFFSET ?",
      ).get(runId, key, version)) as Row | undefined;
    if (!t) return null;
    const before = this.#s.stmt(
      "SELECT COUNT(*) AS n FROM tables WHERE run_id = ? AND key = ? AND complete = 1 AND id < ?",
    ).get(runId, key, Number(t.id)) as Row;
    const chunks = this.#s.stmt(
      `SELECT first_idx, data FROM table_chunks WHERE table_id = ? AND first_idx + nrows > ? AND first_idx < ?
       ORDER BY first_idx`,
    ).all(Number(t.id), offset, offset + limit) as Row[];
    const rows: unknown[][] = [];
    for (const c of chunks) {
      const first = Number(c.first_idx);
      const data = JSON.parse(String(c.data)) as unknown[][];
      const from = Math.max(0, offset - first);
      const to = Math.min(data.length, offset + limit - first);
      for (let i = from; i < to; i++) rows.push(data[i]);
    }
    return { ...this.#tableInfo(t, Number(before.n)), offset, rows };
  }

  /** Complete tables of a run with their ids, in logging order. */
  replayTables(runId: string): ReplayTable[] {
    return (this.#s.stmt("SELECT * FROM tables WHERE run_id = ? AND complete = 1 ORDER BY id").all(
      runId,
    ) as Row[]).map((t) => ({
      id: Number(t.id),
      key: String(t.key),
      columns: JSON.parse(String(t.columns)),
      step: Number(t.step),
      createdAt: String(t.created_at),
    }));
  }

  /**
   * Every row of a table, by table id, read one stored chunk at a time (a sync streams a million-row
   * table without holding its rows).
   */
  *tableRowsById(tableId: number): Generator<unknown[]> {
    const firsts = this.#s.stmt("SELECT first_idx FROM table_chunks WHERE table_id = ? ORDER BY first_idx")
      .all(
        tableId,
      ) as Row[];
    const chunk = this.#s.stmt("SELECT data FROM table_chunks WHERE table_id = ? AND first_idx = ?");
    for (const f of firsts) {
      const c = chunk.get(tableId, Number(f.first_idx)) as Row | undefined;
      if (c) yield* JSON.parse(String(c.data)) as unknown[][];
    }
  }

  /**
   * Deletes tables (and their chunks) that a run that is no longer running left incomplete: a process
   * killed mid-logTable. Readers never saw them; like stale `.part` files they only take space.
   */
  reclaimIncomplete(): void {
    const orphans = this.#s.stmt(
      `SELECT t.id FROM tables t JOIN runs r ON r.id = t.run_id WHERE t.complete = 0 AND r.status != 'running'`,
    ).all() as Row[];
    if (orphans.length === 0) return;
    try {
      this.#s.transaction(() => {
        for (const o of orphans) {
          this.#s.stmt("DELETE FROM table_chunks WHERE table_id = ?").run(Number(o.id));
          this.#s.stmt("DELETE FROM tables WHERE id = ? AND complete = 0").run(Number(o.id));
        }
      });
    } catch { /* reclaimed on a later open */ }
  }
}
