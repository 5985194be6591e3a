/**
 * sentilab: sentiment-analysis experiments in TypeScript with first-class experiment tracking.
 *
 * @example
 * ```ts
 * import { initRun, finishRun, logMetrics } from "./mod.ts";
 * const run = await initRun({ project: "demo", tracker: "disabled" });
 * await logMetrics(run, { accuracy: 0.9 });
 * await finishRun(run);
 * ```
 * @module
 */
export * from "./lib/tracking/mod.ts";
export * from "./lib/models/mod.ts";
export * from "./lib/training/mod.ts";
export * from "./lib/inference/mod.ts";
export * from "./lib/evaluation/mod.ts";
export * from "./lib/data/mod.ts";
export * from "./lib/video/mod.ts";
export * from "./lib/display/mod.ts";
