// train --out replaces only a sentilab model folder or an empty folder; a user's file or folder is an
// error naming it and --force, and stays as it was.
import assert from "node:assert/strict";
import { join } from "node:path";
import { trainClassifier, type TrainClassifierOptions } from "../lib/training/train_classifier.ts";

const WORDS = {
  positive: ["love", "great", "wonderful"],
  negative: ["hate", "awful", "terrible"],
  neutral: ["scheduled", "announced", "reported"],
};

async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_out_" });
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const label = (["negative", "neutral", "positive"] as const)[i % 3];
      return JSON.stringify({ text: `the film was ${WORDS[label][i % 3]} ${i}`, label });
    }).join("\n") + "\n";
  await Deno.writeTextFile(join(dir, "train.jsonl"), rows(60));
  await Deno.writeTextFile(join(dir, "val.jsonl"), rows(30));
  return dir;
}

function options(dir: string, out: string, force = false): TrainClassifierOptions {
  return {
    train: [{ name: "train", path: join(dir, "train.jsonl") }],
    val: [{ name: "val", path: join(dir, "val.jsonl") }],
    out,
    force,
    seed: 1,
    features: { hashBits: 10 },
    search: { learningRates: [0.2], l2: [0], maxEpochs: 1, patience: 1 },
    baselines: false,
    progress: false,
  };
}

async function train(dir: string, out: string, extra: string[] = []) {
  const out_ = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../tasks/train.ts", import.meta.url).pathname,
      ...["--train", join(dir, "train.jsonl"), "--val", join(dir, "val.jsonl"), "--out", out],
      ...["--max-epochs", "1", "--tracker", "disabled", "--quiet", ...extra],
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out_.code, stderr: new TextDecoder().decode(out_.stderr) };
}

Deno.test("deno task train --out on a folder with the user's files refuses, names it and --force, keeps it", async () => {
  const dir = await fixture();
  try {
    const u = join(dir, "u");
    await Deno.mkdir(join(u, "sub"), { recursive: true });
    await Deno.writeTextFile(join(u, "thesis.txt"), "draft\n");
    const r = await train(dir, u);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error: --out ${u} is not a sentilab model folder \\(it holds sub/, thesis\\.txt\\)`),
    );
    assert.match(r.stderr, /--force/);
    assert.equal(await Deno.readTextFile(join(u, "thesis.txt")), "draft\n");
    assert.ok((await Deno.stat(join(u, "sub"))).isDirectory);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["train.jsonl", "u", "val.jsonl"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train --out on a regular file refuses and keeps the file", async () => {
  const dir = await fixture();
  try {
    const file = join(dir, "notes.txt");
    await Deno.writeTextFile(file, "mine\n");
    const r = await train(dir, file);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`--out ${file} is a file.*--force`));
    assert.equal(await Deno.readTextFile(file), "mine\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--out may be a model folder (retrained in place), an empty folder, or anything with force", async () => {
  const dir = await fixture();
  try {
    const m = join(dir, "m");
    await trainClassifier(options(dir, m));
    const first = await Deno.readFile(join(m, "model.onnx"));
    await trainClassifier(options(dir, m)); // a model folder: replaced
    assert.deepEqual(await Deno.readFile(join(m, "model.onnx")), first);
    const empty = join(dir, "empty");
    await Deno.mkdir(empty);
    await trainClassifier(options(dir, empty));
    await Deno.stat(join(empty, "model.onnx"));
    const u = join(dir, "u");
    await Deno.mkdir(u);
    await Deno.writeTextFile(join(u, "thesis.txt"), "draft\n");
    await assert.rejects(trainClassifier(options(dir, u)), /is not a sentilab model folder.*force: true/);
    await trainClassifier(options(dir, u, true));
    await Deno.stat(join(u, "model.onnx"));
    await assert.rejects(Deno.stat(join(u, "thesis.txt")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
