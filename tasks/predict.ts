/**
 * `deno task predict [--model NAME|FOLDER] [--batch-size N] [--replace-invalid] [--keep-empty] "text" ...`
 *
 * Prints one JSON line per text: `{"text", "label", "confidence", "scores"}`, in order. Every argument
 * is a text, even an empty one. Without text arguments, reads one text per line from stdin (UTF-8); blank
 * lines (empty or whitespace only) are skipped by default, and with `--keep-empty` every input line gives
 * exactly one output line (a blank text gets the model's result for it, e.g. `neutral` from the lexicon
 * model), so output line N answers input line N. Kept light for a fast cold start: no tracking, ONNX
 * runtime loaded only for ONNX models.
 * @module
 */
import { loadModel } from "../lib/models/load_model.ts";
import { predictBatch } from "../lib/inference/predict_batch.ts";
import { readTextLines } from "../lib/data/read_text_lines.ts";
import { fail, parseTask, positiveNumber } from "./_cli.ts";

const args = parseTask({
  name: "predict",
  usage: ['[options] "text" ...', "[options] < texts.txt   (one text per line on stdin)"],
  about:
    'Prints one JSON line per text: {"text","label","confidence","scores"}, in input order. No tracking.',
  positionals: { min: 0, max: Infinity, arg: "texts" },
  flags: {
    model: {
      type: "string",
      arg: "NAME|FOLDER",
      default: "default",
      help: "registry name (config/models.yaml), model folder or stored model artifact NAME:vN / " +
        "NAME:ALIAS / NAME",
    },
    "batch-size": { type: "string", arg: "N", default: "256", help: "texts per model call" },
    workers: {
      type: "string",
      arg: "N",
      help: "worker threads that score in parallel, each with its own model session (default: the number " +
        "of cores; 1 = score on the main thread)",
    },
    "replace-invalid": {
      type: "boolean",
      help: "replace invalid UTF-8 bytes on stdin with U+FFFD instead of failing",
    },
    "keep-empty": {
      type: "boolean",
      help: "stdin: predict blank lines too, one output line per input line (default: blank lines, empty " +
        "or whitespace only, are skipped)",
    },
  },
});
const batchSize = positiveNumber("batch-size", args.values["batch-size"], true)!;
const workers = positiveNumber("workers", args.values.workers, true);

let texts: string[] = args.positionals;
if (texts.length === 0) {
  if (Deno.stdin.isTerminal()) {
    fail("no text given: pass texts as arguments or pipe one text per line on stdin");
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of Deno.stdin.readable) chunks.push(chunk);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  try {
    texts = readTextLines(bytes, {
      source: "stdin",
      replaceInvalid: args.values["replace-invalid"],
      keepEmpty: args.values["keep-empty"],
    });
  } catch (e) {
    fail(`${(e as Error).message}; or pass --replace-invalid`);
  }
}

try {
  const model = await loadModel(args.values.model!);
  const predictions = await predictBatch(model, texts, { batchSize, workers });
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const out = predictions.map((p) =>
    JSON.stringify({
      text: p.text,
      label: p.label,
      confidence: round(p.confidence),
      scores: {
        negative: round(p.scores.negative),
        neutral: round(p.scores.neutral),
        positive: round(p.scores.positive),
      },
    })
  );
  await model.close();
  if (out.length > 0) await writeAll(out.join("\n") + "\n");
} catch (e) {
  fail((e as Error).message);
}

async function writeAll(text: string): Promise<void> {
  const writer = Deno.stdout.writable.getWriter();
  try {
    await writer.write(new TextEncoder().encode(text));
  } finally {
    writer.releaseLock();
  }
}
