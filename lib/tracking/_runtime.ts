// A run's runtime as W&B's SDK counts it: each session (initRun, each resume) starts its clock at the
// runtime the run had, so the time between sessions is not counted (wandb/wandb
// core/internal/stream/handler.go `handleRequestRunStart`: `timer.New(run.Runtime)`, with the runtime a
// resume read from W&B, core/internal/runbranch/resume.go).

/** One session of a run: when it started (ms) and the runtime (s) it carried in from earlier sessions. */
export interface RunSession {
  startMs: number;
  runtimeBefore: number;
}

/**
 * The runtime (seconds, a float, never negative) of a run at `tsMs`: the runtime the session running
 * then carried in, plus the time since that session started (the last session started by `tsMs`).
 */
export function runtimeAt(sessions: readonly RunSession[], tsMs: number): number {
  let s = sessions[0];
  for (const x of sessions) if (x.startMs <= tsMs) s = x;
  if (!s) return 0;
  return s.runtimeBefore + Math.max(0, (tsMs - s.startMs) / 1000);
}
