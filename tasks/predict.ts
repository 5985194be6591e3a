/**
 * `deno task predict [--model NAME|FOLDER] [--batch-size N] [--replace-invalid] [--keep-empty] "text" ...`
 *
 * Prints one JSON line per text: `{"text", "label", "confidence", "scores"}`, in order. Every argument
 * is a text, even an empty one. Without text arguments, reads one text per line from stdin (UTF-8); blank
 * lines (empty or whitespace only) are skipped by default, and with `--keep-empty` every input line gives
 * exactly one output line (a blank text gets the model's result for it, e.g. `neutral` from the lexicon
 * model), so output line N answers input line N. stdin is streamed: read, scored (by worker threads when
 * there is more than one batch) and written in pieces, in constant memory, so output starts before the
 * input ends (an invalid byte late in a big input fails after the lines before it were printed).
 * `--shard I/N` (or a Kubernetes Indexed Job / Slurm array environment) predicts every N-th line only.
 * Kept light for a fast cold start: no tracking, ONNX runtime loaded only for ONNX models.
 * @module
 */
import { loadModel } from "../lib/models/load_model.ts";
import { openScorer, type Scorer } from "../lib/inference/open_scorer.ts";
import { streamTextLines } from "../lib/data/stream_text_lines.ts";
import { resolveShard, type Shard } from "../lib/data/resolve_shard.ts";
import type { Model, Prediction } from "../lib/models/types.ts";
import { fail, parseTask, positiveNumber, SCORING_FLAGS } from "./_cli.ts";
import { progress as progressDisplay } from "./_progress.ts";

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
    ...SCORING_FLAGS,
    "replace-invalid": {
      type: "boolean",
      help: "replace invalid UTF-8 bytes on stdin with U+FFFD instead of failing",
    },
    shard: {
      type: "string",
      arg: "I/N",
      help:
        "predict only shard I of N of the input (lines i with i % N == I, counted after blank lines are " +
        "dropped); default: from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, else everything",
    },
    "shard-count": {
      type: "string",
      arg: "N",
      help: "number of shards of a Kubernetes Indexed Job (its completions; or set SENTILAB_SHARD_COUNT)",
    },
    progress: {
      type: "boolean",
      help: "show progress (texts/s) on stderr also when it is not a terminal",
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

let shard: Shard | null = null;
try {
  shard = resolveShard({ shard: args.values.shard, shardCount: args.values["shard-count"] });
} catch (e) {
  fail((e as Error).message);
}
if (args.positionals.length === 0 && Deno.stdin.isTerminal()) {
  fail("no text given: pass texts as arguments or pipe one text per line on stdin");
}

/** Texts read and scored per piece: stdin is streamed, memory holds one piece. */
const PIECE = 8192;
const round = (x: number) => Math.round(x * 1e6) / 1e6;
const encoder = new TextEncoder();
const writer = Deno.stdout.writable.getWriter();
let model: Model | undefined;
let scorer: Scorer | undefined;
const show = progressDisplay("predicting", args.values.progress);
let done = 0;
let index = 0; // input row index (for shards)

async function score(texts: string[]): Promise<void> {
  // The whole input is known when it came as arguments or when stdin ended within the first piece.
  const whole = args.positionals.length > 0 || texts.length < PIECE;
  if (shard) texts = texts.filter(() => index++ % shard!.count === shard!.index);
  if (texts.length === 0) return;
  model ??= await loadModel(args.values.model!);
  // Worker threads only for more than one batch (`predict "hello"` starts no worker), and by default only
  // for an input that pays for starting them (50,000 texts, or a stream of unknown length).
  scorer ??= await openScorer(model, {
    batchSize,
    workers: texts.length > batchSize ? workers : 1,
    texts: whole ? texts.length : undefined,
  });
  const predictions: Prediction[] = await scorer.predict(texts, done);
  done += predictions.length;
  show?.(done, args.positionals.length > 0 ? args.positionals.length : null);
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
  await writer.write(encoder.encode(out.join("\n") + "\n"));
}

try {
  if (args.positionals.length > 0) await score(args.positionals);
  else {
    let piece: string[] = [];
    try {
      for await (
        const lines of streamTextLines(Deno.stdin.readable, {
          source: "stdin",
          replaceInvalid: args.values["replace-invalid"],
          keepEmpty: args.values["keep-empty"],
        })
      ) {
        for (const l of lines) piece.push(l);
        if (piece.length >= PIECE) {
          await score(piece);
          piece = [];
        }
      }
    } catch (e) {
      if ((e as Error).message.includes("invalid UTF-8")) {
        throw new Error(`${(e as Error).message}; or pass --replace-invalid`);
      }
      throw e;
    }
    await score(piece);
  }
  show?.stop();
  await scorer?.close();
  await model?.close();
  writer.releaseLock();
} catch (e) {
  show?.stop();
  await scorer?.close().catch(() => {});
  fail((e as Error).message);
}
