// Metric definitions (defineMetric, like W&B's run.define_metric) and the summary they give.
//
// The rules follow the W&B SDK: a name ending in `*` is a glob matching every metric that starts with the
// rest (globs only as a suffix: wandb/sdk/wandb_run.py _define_metric; matching in
// core/internal/runmetric/runmetric.go matchGlobMetric); `summary` is a comma list of min, max, mean,
// last, first or none (wandb_run.py _define_metric; `best` and `copy` are accepted there but ignored by
// wandb-core, so not here); a metric with summary types gets a summary object of those values
// ({ min: 0.1 }), "none" gives it no summary, and a metric without a definition keeps its last value
// (core/internal/runsummary/metricsummary.go ToMarshallableValue).
import { TrackingError } from "./_errors.ts";

/** A summary statistic a metric definition can ask for ("none": no summary at all). */
export type SummaryKind = "min" | "max" | "mean" | "last" | "first" | "none";

/** Every {@linkcode SummaryKind}. */
export const SUMMARY_KINDS: readonly SummaryKind[] = ["min", "max", "mean", "last", "first", "none"];

/** A metric definition as stored with the run (and sent to W&B). */
export interface StoredMetric {
  /** Metric name, or a glob (`val/*`). */
  name: string;
  /** The metric this one is plotted against, or null. */
  stepMetric: string | null;
  /** Summary statistics asked for (empty: the last value). */
  summary: SummaryKind[];
  /** Whether a lower or a higher value is better, or null. */
  goal: "minimize" | "maximize" | null;
  /** Whether the metric is hidden in W&B's charts. */
  hidden: boolean;
}

interface Stat {
  last: number;
  first: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Checks a definition's options; throws a TrackingError naming the bad one. */
export function checkDefinition(
  name: unknown,
  options: { stepMetric?: unknown; summary?: unknown; goal?: unknown; hidden?: unknown },
): StoredMetric {
  const ctx = "Cannot define metric";
  if (typeof name !== "string" || name.length === 0 || name.length > 128) {
    throw new TrackingError(`${ctx}: the name must be 1 to 128 characters, got ${JSON.stringify(name)}`);
  }
  if (name.slice(0, -1).includes("*")) {
    throw new TrackingError(`${ctx} '${name}': a glob may only end in '*' (like 'val/*')`);
  }
  if (options.stepMetric !== undefined && (typeof options.stepMetric !== "string" || !options.stepMetric)) {
    throw new TrackingError(`${ctx} '${name}': stepMetric must be a metric name`);
  }
  let summary: SummaryKind[] = [];
  if (options.summary !== undefined) {
    if (typeof options.summary !== "string") {
      throw new TrackingError(`${ctx} '${name}': summary must be a string like "min" or "min,max"`);
    }
    summary = options.summary.split(",").map((s) => s.trim().toLowerCase()) as SummaryKind[];
    for (const s of summary) {
      if (!SUMMARY_KINDS.includes(s)) {
        throw new TrackingError(
          `${ctx} '${name}': summary '${s}' is not one of ${SUMMARY_KINDS.join(", ")}`,
        );
      }
    }
    summary = [...new Set(summary)];
  }
  let goal: StoredMetric["goal"] = null;
  if (options.goal !== undefined) {
    // As the W&B SDK: the first three letters decide ("min..." / "max...").
    const g = typeof options.goal === "string" ? options.goal.slice(0, 3).toLowerCase() : "";
    if (g !== "min" && g !== "max") {
      throw new TrackingError(`${ctx} '${name}': goal must be "minimize" or "maximize"`);
    }
    goal = g === "min" ? "minimize" : "maximize";
  }
  if (options.hidden !== undefined && typeof options.hidden !== "boolean") {
    throw new TrackingError(`${ctx} '${name}': hidden must be true or false`);
  }
  return {
    name,
    stepMetric: (options.stepMetric as string | undefined) ?? null,
    summary,
    goal,
    hidden: options.hidden === true,
  };
}

/** The definitions of one run and the statistics of every metric it logged. */
export class Metrics {
  #defs = new Map<string, StoredMetric>();
  #stats = new Map<string, Stat>();
  /** The history row still open: its step and values (the statistics count it once committed). */
  #row: { step: number; values: Record<string, number> } | null = null;

  constructor(definitions: StoredMetric[] = []) {
    for (const d of definitions) this.#defs.set(d.name, d);
  }

  /** Adds (or replaces) a definition. */
  define(def: StoredMetric): void {
    this.#defs.set(def.name, def);
  }

  /** Every definition, in the order they were made. */
  definitions(): StoredMetric[] {
    return [...this.#defs.values()];
  }

  /** The definition that applies to `key`: its own, else the first glob matching it, else null. */
  definitionOf(key: string): StoredMetric | null {
    const own = this.#defs.get(key);
    if (own && !own.name.endsWith("*")) return own;
    for (const d of this.#defs.values()) {
      if (d.name.endsWith("*") && key.startsWith(d.name.slice(0, -1))) return d;
    }
    return null;
  }

  /**
   * Takes the values of one logMetrics call at `step`. As in W&B (core/internal/stream/handler.go
   * flushPartialHistory) the statistics count history rows: a call adds to the open row (a key given
   * again replaces its value there), and the row counts once it is committed (`commit`, or a call at
   * another step), as the journal commits it.
   */
  observe(step: number, values: Record<string, number>, commit: boolean): void {
    if (this.#row && this.#row.step !== step) this.#commitRow();
    this.#row ??= { step, values: {} };
    Object.assign(this.#row.values, values);
    if (commit) this.#commitRow();
  }

  #commitRow(): void {
    const values = this.#row?.values ?? {};
    this.#row = null;
    for (const key in values) {
      const v = values[key];
      const s = this.#stats.get(key);
      if (!s) this.#stats.set(key, { last: v, first: v, min: v, max: v, sum: v, count: 1 });
      else {
        s.last = v;
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
        s.sum += v;
        s.count++;
      }
    }
  }

  /** The summary every logged metric gets by its definition (explicit setSummary values win over it). */
  summary(): Record<string, unknown> {
    this.#commitRow(); // the run is ending: its open row is committed with it
    const out: Record<string, unknown> = {};
    for (const [key, s] of this.#stats) {
      const def = this.definitionOf(key);
      if (!def || def.summary.length === 0) {
        out[key] = s.last;
        continue;
      }
      if (def.summary.includes("none")) continue;
      const value: Record<string, number> = {};
      for (const kind of def.summary) {
        if (kind === "none") continue;
        value[kind] = kind === "mean" ? s.sum / s.count : s[kind];
      }
      out[key] = value;
    }
    return out;
  }
}
