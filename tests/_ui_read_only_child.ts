// Child of tracking_read_only_test.ts: serves the store given as the first argument (mounted read-only by
// the parent) and prints the status of each page type, one "STATUS PATH" a line.
import { serveUi } from "../lib/ui/mod.ts";

const [dir, runId] = Deno.args;
const ui = serveUi({ dir, port: 0 });
try {
  for (
    const path of [
      "",
      `run/${runId}`,
      `run/${runId}/charts`,
      `run/${runId}/table/preds?q=a&sort=label`,
      `compare?run=${runId}`,
      "artifacts",
      "artifact/notes",
      "artifact/notes/v/0",
      "artifact/notes/v/0/file?path=notes.txt",
      "artifact/notes/v/0/raw?path=notes.txt",
    ]
  ) {
    const res = await fetch(ui.url + path);
    await res.body?.cancel();
    console.log(res.status, path);
  }
} finally {
  await ui.shutdown();
}
