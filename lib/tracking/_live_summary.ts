// A live run's metric summaries over the history lines sent so far, as W&B's SDK keeps them while a run
// goes on: each history line it flushes updates every metric's summary value by the metric's definition
// (last by default; min, max, mean, first per define_metric), and the summary goes out with the line
// (wandb/wandb core/internal/stream/handler.go `flushPartialHistory` -> `updateSummary`;
// core/internal/runsummary/runsummary.go `UpdateSummaries`, metricsummary.go). The rule is Metrics' own,
// the one finishRun stores at the end (_metrics.ts `summary`); here it is fed the stored rows the sender
// posted. The statistics are kept per store and run in this process, so each call reads only the rows sent
// since the last one.
import { Metrics, type StoredMetric } from "./_metrics.ts";
import type { Store } from "./_store.ts";

interface Kept {
  /** Id of the last row counted. */
  upTo: number;
  /** Start (ms) of the session counted: rows from before it belong to earlier sessions. */
  sinceMs: number;
  metrics: Metrics;
}

const kept = new Map<string, Kept>();
const PAGE = 10_000;

/**
 * The metric summaries of a live run over its rows up to row `sentUpTo` (the history cursor) logged from
 * `sinceMs` on (the current session: finishRun summarises this session's rows too).
 */
export function liveMetricSummary(
  store: Store,
  runId: string,
  sentUpTo: number,
  sinceMs: number,
): Record<string, unknown> {
  const key = `${store.dir}\0${runId}`;
  let k = kept.get(key);
  if (!k || k.upTo > sentUpTo || k.sinceMs !== sinceMs) {
    k = { upTo: 0, sinceMs, metrics: new Metrics() };
    kept.set(key, k);
  }
  let definitions: StoredMetric[] = [];
  try {
    definitions = store.runs.metricDefinitions(runId);
  } catch { /* a store from before defineMetric, read without upgrading it: no definitions */ }
  for (const d of definitions) k.metrics.define(d);
  while (k.upTo < sentUpTo) {
    const rows = store.history.historyAfter(runId, k.upTo, { beforeId: sentUpTo + 1, limit: PAGE });
    if (rows.length === 0) break;
    for (const h of rows) {
      if (h.ts >= sinceMs) k.metrics.observe(h.step, h.values as Record<string, number>, true);
    }
    k.upTo = rows[rows.length - 1].id;
  }
  return k.metrics.summary();
}

/** Forgets the statistics of a run that ended (its summary is the stored one from then on). */
export function forgetLiveSummary(store: Store, runId: string): void {
  kept.delete(`${store.dir}\0${runId}`);
}
