import type { LineageEdge, LineageGraph, LineageNode } from "./lineage_graph_svg.ts";

/** The parts of an artifact version (tracking's `ArtifactVersion`) that {@linkcode lineageFromRuns} reads. */
export interface LineageArtifact {
  /** `name:vN`. */
  ref: string;
  /** Artifact type, e.g. "model", "dataset". */
  type: string;
  /** Artifact digest (hex). */
  digest: string;
  /** Aliases (`latest` is not drawn). */
  aliases: readonly string[];
}

/** The parts of a run (tracking's `getRun` result, `RunDetails`) that {@linkcode lineageFromRuns} reads. */
export interface LineageRun {
  /** Run id. */
  id: string;
  /** Run name. */
  name: string;
  /** Kind of job, or null. */
  jobType: string | null;
  /** Run status, e.g. "finished". */
  status: string;
  /** Artifact versions the run logged. */
  produced: readonly LineageArtifact[];
  /** Artifact versions the run used. */
  used: readonly LineageArtifact[];
}

/**
 * Builds the lineage graph of runs for {@linkcode lineageGraphSvg}: one node per run and per artifact
 * version they used or logged, an edge `artifact → run` ("used") for every input and `run → artifact`
 * ("logged") for every output. A version a run both used and logged gets a single "used, logged" edge,
 * so the graph stays acyclic. Versions shared by several runs appear once, which is what shows the chain.
 *
 * @param runs Runs with their artifacts, e.g. `[getRun(id1)!, getRun(id2)!]`.
 * @returns Nodes and edges.
 * @throws {RangeError} When the same run id is given twice.
 *
 * @example
 * ```ts
 * import { lineageFromRuns, lineageGraphSvg } from "./mod.ts";
 * const version = (name: string, type: string) => ({
 *   name, type, version: 0, ref: `${name}:v0`, digest: "0123456789abcdef", aliases: ["latest"],
 *   description: "", metadata: {}, size: 1, fileCount: 1, createdAt: "", createdBy: null,
 *   manifest: { version: 1 as const, storagePolicy: "wandb-storage-policy-v1" as const,
 *     storagePolicyConfig: { storageLayout: "V2" as const }, contents: {} },
 * });
 * const graph = lineageFromRuns([{
 *   id: "r1", name: "evaluate", jobType: "eval", status: "finished",
 *   used: [version("sample", "dataset")], produced: [version("report", "report")],
 * }]);
 * console.assert(lineageGraphSvg(graph).includes("sample:v0"));
 * ```
 */
export function lineageFromRuns(runs: readonly LineageRun[]): LineageGraph {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const seen = new Set<string>();
  const runIds = new Set<string>();
  for (const run of runs) {
    if (runIds.has(run.id)) throw new RangeError(`Run '${run.id}' is given twice: pass each run once`);
    runIds.add(run.id);
  }
  const artifactId = (ref: string) => (runIds.has(ref) ? `artifact ${ref}` : ref);
  for (const run of runs) {
    nodes.push({
      id: run.id,
      label: run.name,
      kind: "run",
      detail: [run.id, run.jobType, run.status === "finished" ? null : run.status].filter(Boolean).join(
        " · ",
      ),
    });
    seen.add(run.id);
  }
  const addVersion = (v: LineageArtifact) => {
    const id = artifactId(v.ref);
    if (seen.has(id)) return id;
    seen.add(id);
    const aliases = v.aliases.filter((a) => a !== "latest");
    nodes.push({
      id,
      label: v.ref,
      kind: v.type,
      detail: `${v.type} · ${v.digest.slice(0, 8)}${aliases.length ? ` · ${aliases.join(",")}` : ""}`,
    });
    return id;
  };
  for (const run of runs) {
    const usedRefs = new Set(run.used.map((v) => v.ref));
    const producedRefs = new Set(run.produced.map((v) => v.ref));
    for (const v of dedupe(run.used)) {
      edges.push({
        from: addVersion(v),
        to: run.id,
        label: producedRefs.has(v.ref) ? "used, logged" : "used",
      });
    }
    for (const v of dedupe(run.produced)) {
      if (usedRefs.has(v.ref)) continue;
      edges.push({ from: run.id, to: addVersion(v), label: "logged" });
    }
  }
  return { nodes, edges };
}

function dedupe<T extends { ref: string }>(versions: readonly T[]): T[] {
  const byRef = new Map<string, T>();
  for (const v of versions) if (!byRef.has(v.ref)) byRef.set(v.ref, v);
  return [...byRef.values()];
}
