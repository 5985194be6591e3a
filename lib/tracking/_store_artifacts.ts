// The artifact tables of the store: versions (artifact_versions), aliases (artifact_aliases) and lineage
// (artifact_links: which run logged or used which version). File contents live in files/ (_blob.ts).
import { TrackingError } from "./_errors.ts";
import type { Store } from "./_store.ts";
import type {
  ArtifactLineage,
  ArtifactManifest,
  ArtifactSummary,
  ArtifactVersion,
  LineageLink,
  RunRecord,
} from "./types.ts";

type Row = Record<string, unknown>;

/** What to commit as an artifact version. */
export interface NewVersion {
  runId: string | null;
  name: string;
  type: string;
  description: string;
  metadataJson: string;
  manifest: ArtifactManifest;
  digest: string;
  size: number;
  fileCount: number;
  aliases: string[];
  direction: "output" | "input";
}

/** A lineage link (an artifact version a run logged or used). */
export interface ReplayLink {
  id: number;
  runId: string;
  name: string;
  version: number;
  direction: "output" | "input";
}

/** The artifact versions, aliases and lineage of a store (`store.artifacts`). */
export class StoreArtifacts {
  readonly #s: Store;

  constructor(store: Store) {
    this.#s = store;
  }

  /**
   * Commits a version (or finds the identical one) in one write transaction: allocates vN, moves aliases,
   * records the lineage link.
   * @throws {TrackingError} when the name already holds another type.
   */
  commitVersion(v: NewVersion): { version: number; deduplicated: boolean } {
    return this.#s.transaction(() => {
      const existingType = this.#s.stmt("SELECT type FROM artifact_versions WHERE name = ? LIMIT 1").get(
        v.name,
      ) as Row | undefined;
      if (existingType && String(existingType.type) !== v.type) {
        throw new TrackingError(
          `Cannot log artifact '${v.name}' as type '${v.type}': '${v.name}' already holds type ` +
            `'${existingType.type}'; use another name or the type '${existingType.type}'`,
        );
      }
      const now = new Date().toISOString();
      const same = this.#s.stmt(
        "SELECT version FROM artifact_versions WHERE name = ? AND digest = ? ORDER BY version LIMIT 1",
      ).get(v.name, v.digest) as Row | undefined;
      let version: number;
      const deduplicated = same !== undefined;
      if (same) {
        version = Number(same.version);
      } else {
        const next = this.#s.stmt(
          "SELECT COALESCE(MAX(version) + 1, 0) AS n FROM artifact_versions WHERE name = ?",
        )
          .get(v.name) as Row;
        version = Number(next.n);
        this.#s.stmt(
          `INSERT INTO artifact_versions(name, version, type, digest, description, metadata, manifest, size,
            file_count, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          v.name,
          version,
          v.type,
          v.digest,
          v.description,
          v.metadataJson,
          JSON.stringify(v.manifest),
          v.size,
          v.fileCount,
          now,
          v.runId,
        );
      }
      const aliases = new Set(v.aliases);
      if (!deduplicated || v.direction === "output") aliases.add("latest");
      const setAlias = this.#s.stmt(
        "INSERT OR REPLACE INTO artifact_aliases(name, alias, version, updated_at) VALUES (?, ?, ?, ?)",
      );
      for (const alias of aliases) setAlias.run(v.name, alias, version, now);
      if (v.runId !== null) {
        this.#s.stmt(
          `INSERT OR IGNORE INTO artifact_links(run_id, name, version, direction, deduplicated, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(v.runId, v.name, version, v.direction, deduplicated ? 1 : 0, now);
      }
      return { version, deduplicated };
    });
  }

  /** Records that a run used an existing version. */
  linkInput(runId: string, name: string, version: number, aliases: string[]): void {
    this.#s.transaction(() => {
      const now = new Date().toISOString();
      for (const alias of aliases) {
        this.#s.stmt(
          "INSERT OR REPLACE INTO artifact_aliases(name, alias, version, updated_at) VALUES (?, ?, ?, ?)",
        )
          .run(name, alias, version, now);
      }
      this.#s.stmt(
        `INSERT OR IGNORE INTO artifact_links(run_id, name, version, direction, deduplicated, created_at)
         VALUES (?, ?, ?, 'input', 0, ?)`,
      ).run(runId, name, version, now);
    });
  }

  /** Points the alias `alias` of `name` at `version` (moving it off any other version). */
  setAlias(name: string, alias: string, version: number): void {
    this.#s.stmt(
      "INSERT OR REPLACE INTO artifact_aliases(name, alias, version, updated_at) VALUES (?, ?, ?, ?)",
    ).run(name, alias, version, new Date().toISOString());
  }

  /** Removes the custom alias `alias` of `name`; returns the version it pointed at, or null when unset. */
  removeAlias(name: string, alias: string): number | null {
    let version: number | null = null;
    this.#s.transaction(() => {
      const row = this.#s.stmt("SELECT version FROM artifact_aliases WHERE name = ? AND alias = ?").get(
        name,
        alias,
      ) as Row | undefined;
      if (!row) return;
      version = Number(row.version);
      this.#s.stmt("DELETE FROM artifact_aliases WHERE name = ? AND alias = ?").run(name, alias);
    });
    return version;
  }

  /** Resolves `version` (a number) or an alias of `name` to a stored version, or null. */
  getVersion(name: string, versionOrAlias: number | string): ArtifactVersion | null {
    let version: number;
    if (typeof versionOrAlias === "number") {
      version = versionOrAlias;
    } else {
      const a = this.#s.stmt("SELECT version FROM artifact_aliases WHERE name = ? AND alias = ?").get(
        name,
        versionOrAlias,
      ) as Row | undefined;
      if (!a) return null;
      version = Number(a.version);
    }
    const r = this.#s.stmt("SELECT * FROM artifact_versions WHERE name = ? AND version = ?").get(
      name,
      version,
    ) as
      | Row
      | undefined;
    return r ? this.#version(r) : null;
  }

  /** All versions of a name, oldest first. */
  versions(name: string): ArtifactVersion[] {
    return (this.#s.stmt("SELECT * FROM artifact_versions WHERE name = ? ORDER BY version").all(
      name,
    ) as Row[])
      .map((r) => this.#version(r));
  }

  #version(r: Row): ArtifactVersion {
    const name = String(r.name);
    const version = Number(r.version);
    const aliases = (this.#s.stmt(
      "SELECT alias FROM artifact_aliases WHERE name = ? AND version = ? ORDER BY alias = 'latest' DESC, alias",
    ).all(name, version) as Row[]).map((a) => String(a.alias));
    return {
      name,
      type: String(r.type),
      version,
      ref: `${name}:v${version}`,
      digest: String(r.digest),
      aliases,
      description: String(r.description),
      metadata: JSON.parse(String(r.metadata)),
      manifest: JSON.parse(String(r.manifest)),
      size: Number(r.size),
      fileCount: Number(r.file_count),
      createdAt: String(r.created_at),
      createdBy: r.created_by === null ? null : String(r.created_by),
    };
  }

  /** All artifact collections, by name. */
  listArtifacts(filter: { type?: string } = {}): ArtifactSummary[] {
    const rows = this.#s.db.prepare(
      `SELECT name, MIN(type) AS type, COUNT(*) AS n, SUM(size) AS size FROM artifact_versions
       ${filter.type ? "WHERE type = ?" : ""} GROUP BY name ORDER BY name`,
    ).all(...(filter.type ? [filter.type] : [])) as Row[];
    return rows.map((r) => {
      const aliases: Record<string, number> = {};
      for (
        const a of this.#s.stmt("SELECT alias, version FROM artifact_aliases WHERE name = ? ORDER BY alias")
          .all(
            String(r.name),
          ) as Row[]
      ) aliases[String(a.alias)] = Number(a.version);
      return {
        name: String(r.name),
        type: String(r.type),
        versionCount: Number(r.n),
        latest: aliases.latest ?? null,
        aliases,
        size: Number(r.size),
      };
    });
  }

  /** Runs that produced and used a version. */
  lineage(name: string, version: number): ArtifactLineage {
    const rows = this.#s.stmt(
      `SELECT l.*, r.name AS run_name, r.project AS project FROM artifact_links l
       LEFT JOIN runs r ON r.id = l.run_id WHERE l.name = ? AND l.version = ? ORDER BY l.id`,
    ).all(name, version) as Row[];
    const links = rows.map((r): LineageLink => ({
      runId: String(r.run_id),
      runName: r.run_name === null ? null : String(r.run_name),
      project: r.project === null ? null : String(r.project),
      direction: String(r.direction) as "output" | "input",
      deduplicated: Number(r.deduplicated) === 1,
      time: String(r.created_at),
    }));
    return {
      ref: `${name}:v${version}`,
      producedBy: links.filter((l) => l.direction === "output"),
      usedBy: links.filter((l) => l.direction === "input"),
    };
  }

  /** Versions a run produced (output) and used (input). */
  runArtifacts(runId: string): { produced: ArtifactVersion[]; used: ArtifactVersion[] } {
    const rows = this.#s.stmt(
      "SELECT name, version, direction FROM artifact_links WHERE run_id = ? ORDER BY id",
    )
      .all(runId) as Row[];
    const produced: ArtifactVersion[] = [];
    const used: ArtifactVersion[] = [];
    for (const r of rows) {
      const v = this.getVersion(String(r.name), Number(r.version));
      if (v) (String(r.direction) === "output" ? produced : used).push(v);
    }
    return { produced, used };
  }

  /** The lineage links of a run, in order. */
  links(runId: string): ReplayLink[] {
    return (this.#s.stmt("SELECT * FROM artifact_links WHERE run_id = ? ORDER BY id").all(runId) as Row[])
      .map((
        l,
      ) => ({
        id: Number(l.id),
        runId: String(l.run_id),
        name: String(l.name),
        version: Number(l.version),
        direction: String(l.direction) as "output" | "input",
      }));
  }

  /**
   * Who brought `name:vN` into `project`: `producer`, the first run that logged it (its output link), and
   * `creator`, the run that stored it by a use (its creator, through its input link); each null when unknown.
   */
  originOf(name: string, version: number, project: string): {
    producer: { link: ReplayLink; run: RunRecord } | null;
    creator: { link: ReplayLink; run: RunRecord } | null;
  } {
    const withRun = (l: Row | undefined) => {
      const run = l ? this.#s.runs.getRun(String(l.run_id)) : null;
      if (!l || !run) return null;
      const link: ReplayLink = {
        id: Number(l.id),
        runId: String(l.run_id),
        name: String(l.name),
        version: Number(l.version),
        direction: String(l.direction) as "output" | "input",
      };
      return { link, run };
    };
    return {
      producer: withRun(
        this.#s.stmt(
          `SELECT l.* FROM artifact_links l JOIN runs r ON r.id = l.run_id
           WHERE l.name = ? AND l.version = ? AND l.direction = 'output' AND r.project = ? ORDER BY l.id LIMIT 1`,
        ).get(name, version, project) as Row | undefined,
      ),
      creator: withRun(
        this.#s.stmt(
          `SELECT l.* FROM artifact_versions v JOIN runs r ON r.id = v.created_by
           JOIN artifact_links l ON l.run_id = r.id AND l.name = v.name AND l.version = v.version
           WHERE v.name = ? AND v.version = ? AND r.project = ? AND l.direction = 'input'`,
        ).get(name, version, project) as Row | undefined,
      ),
    };
  }
}
