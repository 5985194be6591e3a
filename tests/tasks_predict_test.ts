import assert from "node:assert/strict";
import { closedUrl, DENO_DIR, ROOT } from "./_task_env.ts";

/** Runs the task with HOME in a temp dir and W&B pointed at a closed port: it can never reach real W&B. */
async function predict(args: string[], stdin?: Uint8Array | string) {
  const home = await Deno.makeTempDir({ prefix: "sentilab-predict-" });
  try {
    return await run(args, home, stdin);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function run(args: string[], home: string, stdin?: Uint8Array | string) {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/predict.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", HOME: home, DENO_DIR, WANDB_BASE_URL: closedUrl() },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

function lines(stdout: string) {
  return stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
}

Deno.test("predict task: texts as arguments give one JSON line each, in order", async () => {
  const r = await predict([
    "--model",
    "lexicon",
    "What a wonderful film",
    "",
    "The food was awful",
    "会议在三点",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.deepEqual(out.map((o) => o.text), ["What a wonderful film", "", "The food was awful", "会议在三点"]);
  assert.deepEqual(out.map((o) => o.label), ["positive", "neutral", "negative", "neutral"]);
  for (const o of out) {
    assert.deepEqual(Object.keys(o), ["text", "label", "confidence", "scores"]);
    assert.deepEqual(Object.keys(o.scores), ["negative", "neutral", "positive"]);
    assert.equal(o.confidence, o.scores[o.label]);
  }
});

Deno.test("predict task: one text per line on stdin (CRLF, BOM, emoji); empty lines skipped", async () => {
  const r = await predict(
    ["--model", "lexicon", "--batch-size", "2"],
    "\uFEFFI love this 😀\r\n\r\nterrible service\nthe bus leaves at 9\n",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout).map((o) => [o.text, o.label]), [
    ["I love this 😀", "positive"],
    ["terrible service", "negative"],
    ["the bus leaves at 9", "neutral"],
  ]);
});

Deno.test("predict task: blank stdin lines (empty or whitespace) are skipped alike; --keep-empty keeps lines aligned", async () => {
  const input = "good film\n\n   \n\t\r\nawful food\n";
  const skipped = await predict(["--model", "lexicon"], input);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.deepEqual(lines(skipped.stdout).map((o) => o.text), ["good film", "awful food"]);
  const kept = await predict(["--model", "lexicon", "--keep-empty", "--batch-size", "2"], input);
  assert.equal(kept.code, 0, kept.stderr);
  const out = lines(kept.stdout);
  assert.equal(
    kept.stdout.split("\n").length - 1,
    input.split("\n").length - 1,
    "one output line per input line",
  );
  assert.deepEqual(out.map((o) => [o.text, o.label]), [
    ["good film", "positive"],
    ["", "neutral"],
    ["   ", "neutral"],
    ["\t", "neutral"],
    ["awful food", "negative"],
  ]);
});

Deno.test("predict task: invalid UTF-8 on stdin is a clear error, or replaced on request", async () => {
  const bad = new Uint8Array([...new TextEncoder().encode("good\nbad "), 0xff, 0x0a]);
  const r = await predict(["--model", "lexicon"], bad);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /^error: stdin:2: invalid UTF-8 \(byte 0xff at offset 9\); re-encode .*; or pass --replace-invalid/,
  );
  const ok = await predict(["--model", "lexicon", "--replace-invalid"], bad);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(lines(ok.stdout).map((o) => o.text), ["good", "bad \uFFFD"]);
});

Deno.test("predict task: bad flags and unknown models exit 1 with a message", async () => {
  const unknown = await predict(["--modle", "lexicon", "hi"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /error: unknown option --modle \(did you mean --model\?\)/);
  const model = await predict(["--model", "nope", "hi"]);
  assert.equal(model.code, 1);
  assert.match(
    model.stderr,
    /error: Unknown model "nope": not in .*models\.yaml \(known: default, lexicon\)/,
  );
  const batch = await predict(["--model", "lexicon", "--batch-size", "0", "hi"]);
  assert.equal(batch.code, 1);
  assert.match(batch.stderr, /--batch-size must be a positive integer, got "0"/);
});
