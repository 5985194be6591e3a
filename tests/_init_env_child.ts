// Starts a run with the options given as JSON in the first argument (the rest comes from the
// environment), prints a line, logs one metric and prints what the run got as JSON on its last line.
// Run as a subprocess by tests/tracking_resume_test.ts, so each case has its own environment.
import { finishRun, initRun, logMetrics } from "../lib/tracking/mod.ts";

const run = await initRun(JSON.parse(Deno.args[0] ?? "{}"));
console.log("printed while the run records");
logMetrics(run, { x: 1 });
await finishRun(run);
const { id, name, notes, tags, group, jobType, project, storeDir, resumed, backend } = run;
console.log(JSON.stringify({ id, name, notes, tags, group, jobType, project, storeDir, resumed, backend }));
