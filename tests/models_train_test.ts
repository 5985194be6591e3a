import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { trainClassifier, type TrainClassifierOptions } from "../lib/training/train_classifier.ts";
import { readTrainRecipe } from "../lib/training/read_train_recipe.ts";
import { trainTracked } from "../lib/training/train_tracked.ts";
import { loadOnnxModel } from "../lib/models/onnx_model.ts";
import { mulberry32 } from "../lib/training/_prng.ts";
import { buildCorpus, createSgdTrainer } from "../lib/training/_sgd.ts";
import { createFeaturizer, defaultFeatureSpec } from "../lib/models/_features.ts";
import { getHistory, getOutput, getRun, listRuns } from "../lib/tracking/mod.ts";

const POS = ["love", "great", "excellent", "wonderful", "happy", "amazing", "fantastic", "enjoyed"];
const NEG = ["hate", "terrible", "awful", "horrible", "sad", "worst", "disappointing", "broken"];
const TOPIC = ["the phone", "this film", "the hotel", "our team", "the new album", "the service", "dinner"];
const NEU = [
  "is scheduled for release on tuesday",
  "was announced in a statement this morning",
  "will be discussed at the meeting at noon",
  "reported quarterly figures on monday",
  "moved its office to the second floor",
];

/** A small 3-class corpus (and a binary one) from templates, reproducible from a seed. */
function makeRows(n: number, seed: number, binary = false): { text: string; label: string }[] {
  const rand = mulberry32(seed);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
  const rows: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const k = binary ? (i % 2 === 0 ? 0 : 2) : i % 3;
    const t = pick(TOPIC);
    if (k === 0) rows.push({ text: `I ${pick(NEG)} ${t}, it was ${pick(NEG)}`, label: "negative" });
    else if (k === 2) rows.push({ text: `I ${pick(POS)} ${t}, it was ${pick(POS)}!`, label: "positive" });
    else rows.push({ text: `${t} ${pick(NEU)}`, label: "neutral" });
  }
  return rows;
}

async function writeJsonl(path: string, rows: unknown[]): Promise<void> {
  await Deno.writeTextFile(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_train_" });
  const train = join(dir, "train.jsonl");
  const val = join(dir, "val.jsonl");
  const bin = join(dir, "binary.jsonl");
  await writeJsonl(train, makeRows(240, 1));
  await writeJsonl(val, makeRows(60, 2));
  await writeJsonl(bin, makeRows(80, 3, true));
  return { dir, train, val, bin };
}

function options(f: { dir: string; train: string; val: string }, out: string): TrainClassifierOptions {
  return {
    train: [{ name: "train", path: f.train }],
    val: [{ name: "val", path: f.val }],
    out,
    seed: 7,
    features: { hashBits: 12 },
    search: { learningRates: [0.2], l2: [0], maxEpochs: 3, patience: 1 },
    baselines: false,
    progress: false,
  };
}

Deno.test("trainClassifier writes a complete model folder that onnxruntime loads and that is right on obvious texts", async () => {
  const f = await fixture();
  try {
    const out = join(f.dir, "models", "tiny");
    const curves: Record<string, number>[] = [];
    const result = await trainClassifier({
      ...options(f, out),
      train: [{ name: "train", path: f.train }, { name: "binary", path: f.bin, weight: 0.5 }],
      test: [{ name: "test_binary", path: f.bin }],
      onMetrics: (v) => {
        curves.push(v);
      },
    });
    assert.equal(result.dir, out);
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(files, ["card.json", "features.json", "labels.json", "model.onnx", "model_card.md"]);
    // no temp folders left next to the output
    assert.deepEqual([...Deno.readDirSync(join(f.dir, "models"))].map((e) => e.name), ["tiny"]);
    assert.ok(curves.length >= 1 && curves.every((c) => Number.isFinite(c.train_loss) && "val_score" in c));

    const card = JSON.parse(await Deno.readTextFile(join(out, "card.json")));
    assert.deepEqual(card.labels, ["negative", "neutral", "positive"]);
    const digest = createHash("sha256").update(await Deno.readFile(f.train)).digest("hex");
    assert.equal(card.data.train[0].sha256, digest);
    assert.equal(card.data.train[0].rows, 240);
    assert.equal(card.data.train[1].mode, "binary");
    assert.equal(card.data.test[0].mode, "binary");
    assert.ok(card.metrics.val.macro_recall > 0.9, `val macro-recall ${card.metrics.val.macro_recall}`);
    assert.ok(card.hyperparameters.epochs >= 1);
    const md = await Deno.readTextFile(join(out, "model_card.md"));
    assert.match(md, /\| val \| val \| 60 \|/);
    // the card states the selection protocol and marks the test source that shares rows with training
    assert.match(md, /## Selection protocol/);
    assert.match(md, /\| test_binary \(seen in training\) \| test \|/);
    assert.deepEqual(card.data.test[0].overlapsTraining, ["binary"]);
    assert.deepEqual(card.data.val[0].overlapsTraining, []);

    const model = await loadOnnxModel(out);
    try {
      assert.equal(model.type, "onnx");
      assert.equal(model.name, "tiny");
      const texts = [
        "I love the hotel, it was wonderful!",
        "I hate the service, it was awful",
        "the new album is scheduled for release on tuesday",
        "",
      ];
      const scores = await model.scoreBatch(texts);
      assert.equal(scores.length, 4);
      for (const row of scores) {
        assert.equal(row.length, 3);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      }
      const argmax = (r: Float32Array) => model.labels[r.indexOf(Math.max(...r))];
      assert.deepEqual(scores.slice(0, 3).map(argmax), ["positive", "negative", "neutral"]);
    } finally {
      await model.close();
    }
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("training is deterministic: same seed gives a byte-identical model.onnx", async () => {
  const f = await fixture();
  try {
    await trainClassifier(options(f, join(f.dir, "a")));
    await trainClassifier(options(f, join(f.dir, "b")));
    const a = await Deno.readFile(join(f.dir, "a", "model.onnx"));
    const b = await Deno.readFile(join(f.dir, "b", "model.onnx"));
    assert.ok(a.length > 12 * 1024);
    assert.deepEqual(a, b);
    // retraining into an existing folder replaces it
    await trainClassifier({ ...options(f, join(f.dir, "a")), seed: 8 });
    assert.ok((await Deno.readFile(join(f.dir, "a", "model.onnx"))).length === a.length);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("bad training input fails with the file and line, and writes nothing", async () => {
  const f = await fixture();
  try {
    const out = join(f.dir, "out");
    await assert.rejects(
      trainClassifier({ ...options(f, out), train: [{ name: "x", path: join(f.dir, "missing.jsonl") }] }),
      /not found: .*missing\.jsonl/,
    );
    const bad = join(f.dir, "bad.jsonl");
    await Deno.writeTextFile(
      bad,
      '{"text":"fine","label":"positive"}\n\n{"text":"meh","label":"meh"}\n',
    );
    await assert.rejects(
      trainClassifier({ ...options(f, out), train: [{ name: "bad", path: bad }] }),
      (e: Error) => e.message.includes(`${bad}:3`) && e.message.includes('unknown label "meh"'),
    );
    const broken = join(f.dir, "broken.jsonl");
    await Deno.writeTextFile(broken, '{"text":"ok","label":"neutral"}\n{"text": "unterminated\n');
    await assert.rejects(
      trainClassifier({ ...options(f, out), val: [{ name: "v", path: broken }] }),
      (e: Error) => e.message.includes(`${broken}:2`) && e.message.includes("not valid JSON"),
    );
    const notext = join(f.dir, "notext.jsonl");
    await Deno.writeTextFile(notext, '{"label":"neutral"}\n');
    await assert.rejects(
      trainClassifier({ ...options(f, out), train: [{ name: "n", path: notext }] }),
      /notext\.jsonl:1: field "text" must be a string/,
    );
    await assert.rejects(
      trainClassifier({ ...options(f, out), train: [{ name: "t", path: f.train, weight: -1 }] }),
      /weight must be > 0/,
    );
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("honest selection: validation rows never overlap training rows; unseen proxies and the neutral-bias offset reach the card", async () => {
  const f = await fixture();
  try {
    const out = join(f.dir, "out");
    // a val slice that overlaps a training slice of the same file is refused, naming both
    await assert.rejects(
      trainClassifier({
        ...options(f, out),
        train: [{ name: "t", path: f.train, slice: [0, 0.8] }],
        val: [{ name: "v", path: f.train, slice: [0.7, 1] }],
      }),
      (e: Error) => e.message.includes("'v'") && e.message.includes("'t'") && e.message.includes("disjoint"),
    );
    await assert.rejects(
      trainClassifier({
        ...options(f, out),
        train: [{ name: "t", path: f.train, slice: [0, 0.8] }],
        val: [{ name: "v", path: f.val }],
        test: [{ name: "u", path: f.train, slice: [0.8, 1], unseen: true }],
      }),
      /'u' .*marked unseen/,
    );
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
    // disjoint slices are fine; an offset that moves nothing important still gets chosen deterministically
    const result = await trainClassifier({
      ...options(f, out),
      train: [{ name: "t", path: f.train, slice: [0, 0.8] }],
      val: [{ name: "v", path: f.train, slice: [0.8, 1] }, { name: "bin", path: f.bin, unseen: true }],
      search: { learningRates: [0.2], l2: [0], maxEpochs: 2, patience: 1, neutralBias: [-50, 0] },
      selectionProtocol: "weights fixed by hand for this test",
    });
    const hp = result.card.hyperparameters as Record<string, unknown>;
    // -50 on the neutral logit would erase the neutral class and lose macro-recall on 'v'
    assert.equal(hp.neutralBiasOffset, 0);
    assert.equal(result.data.val[1].unseen, true);
    const md = await Deno.readTextFile(join(out, "model_card.md"));
    assert.match(md, /Unseen-domain proxies \(no training rows from their files\): bin\./);
    assert.match(md, /Recipe choices: weights fixed by hand for this test/);
    assert.match(md, /\| bin \(unseen domain\) \| val \|/);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("emoji read as emoticons: a model trained on ':)' and ':(' (no emoji) scores emoji by their polarity", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_emoji_" });
  try {
    // tweets-like rows: emoticons but not a single emoji (like the TweetEval training file)
    const rand = mulberry32(5);
    const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => {
        const t = pick(TOPIC);
        if (i % 3 === 0) return { text: `${t} today ${pick([":(", ":-(", ":'(", ""])}`, label: "negative" };
        if (i % 3 === 2) return { text: `${t} today ${pick([":)", ":-)", ":D", ""])}`, label: "positive" };
        return { text: `${t} ${pick(NEU)}`, label: "neutral" };
      });
    const train = join(dir, "train.jsonl"), val = join(dir, "val.jsonl");
    await writeJsonl(train, rows(300));
    await writeJsonl(val, rows(60));
    const base: TrainClassifierOptions = {
      train: [{ name: "train", path: train }],
      val: [{ name: "val", path: val }],
      out: join(dir, "with"),
      seed: 3,
      features: { hashBits: 12 },
      search: { learningRates: [0.2], l2: [0], maxEpochs: 3, patience: 1 },
      baselines: false,
      progress: false,
    };
    const withMarkers = await trainClassifier(base);
    const features = withMarkers.card.features as { version: number; markers: { entries: number } };
    assert.equal(features.version, 2);
    assert.ok(features.markers.entries > 500, `markers: ${features.markers.entries}`);
    // the same training without marker entries: emoji are then only lexicon hits
    await trainClassifier({
      ...base,
      out: join(dir, "without"),
      features: { hashBits: 12, markers: { positive: ":)", negative: ":(", entries: {} } },
    });
    const texts = ["😡", "the hotel today 😡", "😀", "the hotel today ❤️", "👍🏽"];
    const a = await loadOnnxModel(join(dir, "with"));
    const b = await loadOnnxModel(join(dir, "without"));
    try {
      const sa = await a.scoreBatch(texts), sb = await b.scoreBatch(texts);
      const label = (r: Float32Array) => a.labels[r.indexOf(Math.max(...r))];
      assert.deepEqual(sa.map(label), ["negative", "negative", "positive", "positive", "positive"]);
      // the markers are what moves the emoji: more of the emoji's polarity than without them
      assert.ok(sa[0][0] > sb[0][0] + 0.1, `😡 negative ${sa[0][0]} vs ${sb[0][0]}`);
      assert.ok(sa[2][2] > sb[2][2] + 0.1, `😀 positive ${sa[2][2]} vs ${sb[2][2]}`);
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("averaged SGD: averaged() is the mean of the weights after every step; the grid can choose it", async () => {
  const featurizer = createFeaturizer(defaultFeatureSpec([], { hashBits: 8, charNgrams: null }));
  const rows = makeRows(30, 9);
  const corpus = buildCorpus(featurizer, [{
    texts: rows.map((r) => r.text),
    labels: rows.map((r) => ["negative", "neutral", "positive"].indexOf(r.label)),
    binary: false,
    weights: rows.map(() => 1),
  }]);
  const F = featurizer.numFeatures;
  const trainer = createSgdTrainer(corpus, F, { learningRate: 0.3, l2: 1e-3, average: true }, 4);
  const sum = new Float64Array(F * 3), sumB = new Float64Array(3);
  let steps = 0;
  const onRow = () => {
    steps++;
    trainer.params.weight.forEach((x, i) => sum[i] += x);
    trainer.params.bias.forEach((x, i) => sumB[i] += x);
  };
  trainer.epoch(onRow);
  trainer.epoch(onRow);
  const avg = trainer.averaged();
  let maxDiff = 0;
  sum.forEach((x, i) => maxDiff = Math.max(maxDiff, Math.abs(x / steps - avg.weight[i])));
  sumB.forEach((x, i) => maxDiff = Math.max(maxDiff, Math.abs(x / steps - avg.bias[i])));
  assert.ok(maxDiff < 1e-9, `averaged() differs from the mean of the steps by ${maxDiff}`);
  // the average is not the last weights (so the test can tell them apart)
  assert.ok(avg.weight.some((x, i) => Math.abs(x - trainer.params.weight[i]) > 1e-3));

  const f = await fixture();
  try {
    const result = await trainClassifier({
      ...options(f, join(f.dir, "avg")),
      search: { learningRates: [0.2], l2: [0], maxEpochs: 2, patience: 1, average: [false, true] },
    });
    const hp = result.card.hyperparameters as { averaged: boolean; trials: { average: boolean }[] };
    assert.deepEqual(hp.trials.map((t) => t.average), [false, true]);
    assert.equal(typeof hp.averaged, "boolean");
    await assert.rejects(
      trainClassifier({ ...options(f, join(f.dir, "x")), search: { average: [] } }),
      /average as a list of true\/false/,
    );
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("readTrainRecipe resolves files against dataDir and names what is missing", async () => {
  const f = await fixture();
  try {
    const recipe = join(f.dir, "recipe.yaml");
    await Deno.writeTextFile(
      recipe,
      [
        "seed: 3",
        `dataDir: ${f.dir}`,
        "search: { learningRates: [0.2], l2: [0], maxEpochs: 1, neutralBias: [-0.2, 0] }",
        "selectionProtocol: chosen on v only",
        "train:",
        "  - { name: t, file: train.jsonl, weight: 2, slice: [0, 0.5] }",
        "val:",
        "  - { name: v, file: val.jsonl, unseen: true }",
      ].join("\n"),
    );
    const r = await readTrainRecipe(recipe);
    assert.equal(r.seed, 3);
    assert.deepEqual(r.search?.neutralBias, [-0.2, 0]);
    assert.equal(r.selectionProtocol, "chosen on v only");
    assert.equal(r.val[0].unseen, true);
    assert.equal(r.train[0].path, join(f.dir, "train.jsonl"));
    assert.deepEqual(r.train[0].slice, [0, 0.5]);
    assert.deepEqual(r.test, []);
    await assert.rejects(
      readTrainRecipe(recipe, { dataDir: join(f.dir, "nope") }),
      /needs the data folder '.*nope', which does not exist here.*--data-dir/,
    );
    await Deno.writeTextFile(
      recipe,
      `dataDir: ${f.dir}\ntrain:\n  - { name: t, file: gone.jsonl }\nval: []\n`,
    );
    await assert.rejects(readTrainRecipe(recipe), /field 'train\[0\]\.file' names .*gone\.jsonl/);
    await Deno.writeTextFile(
      recipe,
      `dataDir: ${f.dir}\ntrain:\n  - { name: t, file: train.jsonl, unseen: true }\nval:\n  - { name: v, file: val.jsonl }\n`,
    );
    await assert.rejects(readTrainRecipe(recipe), /field 'train\[0\]\.unseen' is only for val\/test/);
    await Deno.writeTextFile(
      recipe,
      `dataDir: ${f.dir}\nsearch: { neutralBias: [] }\ntrain:\n  - { name: t, file: train.jsonl }\nval:\n  - { name: v, file: val.jsonl }\n`,
    );
    await assert.rejects(readTrainRecipe(recipe), /field 'search\.neutralBias' must be a non-empty list/);
    await Deno.writeTextFile(
      recipe,
      `dataDir: ${f.dir}\nsearch: { average: [yes please] }\ntrain:\n  - { name: t, file: train.jsonl }\nval:\n  - { name: v, file: val.jsonl }\n`,
    );
    await assert.rejects(
      readTrainRecipe(recipe),
      /field 'search\.average' must be a non-empty list of true\/false/,
    );
    await Deno.writeTextFile(recipe, "train: [unclosed\n");
    await assert.rejects(readTrainRecipe(recipe), /not valid YAML/);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("deno task train: single-file mode writes a model; bad input exits 1 with a message", async () => {
  const f = await fixture();
  try {
    const task = new URL("../tasks/train.ts", import.meta.url).pathname;
    const run = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", task, ...args],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const out = join(f.dir, "m");
    const ok = await run([
      "--train",
      f.train,
      "--val",
      f.val,
      "--out",
      out,
      "--seed",
      "3",
      "--max-epochs",
      "1",
      "--tracker",
      "disabled",
      "--json",
    ]);
    const stdout = new TextDecoder().decode(ok.stdout);
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    const res = JSON.parse(stdout.trim().split("\n").pop()!);
    assert.equal(res.dir, out);
    // source names from file names, without a doubled prefix (val.jsonl is "val", not "val_val")
    assert.equal(res.metrics.val.n, 60);
    assert.ok(!Object.keys(res.metrics).some((k) => /^(val_val|test_test|train_train)/.test(k)));
    await Deno.stat(join(out, "model.onnx"));

    const bad = await run(["--train", join(f.dir, "nope.jsonl"), "--val", f.val, "--out", join(f.dir, "x")]);
    assert.equal(bad.code, 1);
    assert.match(new TextDecoder().decode(bad.stderr), /error: Training data file not found: .*nope\.jsonl/);
    const noOut = await run(["--train", f.train, "--val", f.val]);
    assert.equal(noOut.code, 1);
    assert.match(new TextDecoder().decode(noOut.stderr), /--out is required/);
    await assert.rejects(Deno.stat(join(f.dir, "x")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("deno task train tracks the run: data files as used datasets, curves as metrics, the model as output", async () => {
  const f = await fixture();
  try {
    const store = join(f.dir, "store");
    const out = join(f.dir, "tracked");
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../tasks/train.ts", import.meta.url).pathname,
        "--train",
        f.train,
        "--train",
        f.bin,
        "--val",
        f.val,
        "--out",
        out,
        "--max-epochs",
        "2",
        "--tracker",
        "local",
        "--quiet",
      ],
      env: { NO_COLOR: "1", SENTILAB_DIR: store },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(res.code, 0, new TextDecoder().decode(res.stderr));
    const all = listRuns({ dir: store });
    const run = all.find((r) => r.jobType === "train")!;
    // the closing lines every tracked task prints, and how to use the new model
    const stdout = new TextDecoder().decode(res.stdout);
    assert.match(stdout, new RegExp(`\\nrun ${run.id} \\(.*\\) stored in ${store} \\[local\\]\\n`));
    assert.match(stdout, new RegExp(`\\nlook at it: deno task runs ${run.id} .*deno task ui\\)\\n`));
    assert.match(stdout, /\nuse the model: deno task evaluate --model tracked:latest /);
    // the results table: every value starts under its column's heading
    const lines = stdout.split("\n");
    const head = lines.findIndex((l) => l.startsWith("source "));
    assert.ok(head >= 0, stdout);
    const first = lines[head + 2];
    for (const col of ["rows", "accuracy", "macro-recall", "macro-F1", "scored as"]) {
      const at = lines[head].indexOf(col);
      assert.notEqual(first[at], " ", `a value under "${col}":\n${lines[head]}\n${first}`);
      assert.equal(first[at - 1], " ", `a value under "${col}":\n${lines[head]}\n${first}`);
    }
    const details = getRun(run.id, { dir: store })!;
    assert.equal(details.status, "finished");
    // The closing lines are printed before the run ends: its output keeps them.
    assert.match(
      getOutput(run.id, { dir: store }).map((o) => o.text).join("\n"),
      /use the model: deno task evaluate/,
    );
    assert.deepEqual(details.used.map((a) => a.type).sort(), ["dataset", "dataset", "dataset"]);
    assert.deepEqual(details.produced.map((a) => `${a.type}:${a.name}`), ["model:tracked"]);
    // every grid trial is a child run in the training run's group, its history over its own epochs
    const trials = all.filter((r) => r.jobType === "train-trial").reverse();
    assert.ok(trials.length >= 2, `${trials.length} trials`);
    assert.ok(run.group && trials.every((t) => t.group === run.group && t.status === "finished"));
    for (const t of trials) {
      const h = getHistory(t.id, { dir: store });
      assert.deepEqual(h.map((r) => r.values.epoch), h.map((_, i) => i + 1), "epochs count up once");
      assert.ok(h.every((r) => Number.isFinite(r.values.train_loss) && "val_score" in r.values));
    }
    // the training run: one history row per trial; the summary describes the chosen model
    const history = getHistory(run.id, { dir: store });
    assert.deepEqual(history.map((h) => h.values.trial), trials.map((_, i) => i + 1));
    const card = JSON.parse(await Deno.readTextFile(join(out, "card.json")));
    assert.equal(details.summary.learning_rate, card.hyperparameters.learningRate);
    assert.equal(details.summary.l2, card.hyperparameters.l2);
    assert.equal(details.summary.best_epoch, card.hyperparameters.epochs);
    assert.equal(details.summary.best_val_score, card.hyperparameters.validationScore);
    // the summary is the chosen trial's row of the history, not the last trial's
    const row = history.find((h) => h.values.trial === details.summary.trial)!;
    assert.equal(row.values.learning_rate, card.hyperparameters.learningRate);
    assert.equal(row.values.best_epoch, card.hyperparameters.epochs);
    assert.equal(
      details.summary.best_val_score,
      Math.max(...history.map((h) => h.values.best_val_score as number)),
    );
    assert.ok(typeof details.summary["val/macro_recall"] === "number");
    assert.ok(!Object.keys(details.summary).some((k) => k.startsWith("val_val")));

    // bad data: exit 1 naming file:line, and the store gets no run and no dataset artifact
    const broken = join(f.dir, "broken.jsonl");
    await Deno.writeTextFile(broken, '{"text":"fine","label":"positive"}\n{"text":"meh","label":"happy"}\n');
    const badStore = join(f.dir, "bad-store");
    const bad = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../tasks/train.ts", import.meta.url).pathname,
        "--train",
        broken,
        "--val",
        f.val,
        "--out",
        join(f.dir, "never"),
        "--tracker",
        "local",
        "--quiet",
      ],
      env: { NO_COLOR: "1", SENTILAB_DIR: badStore },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 1);
    assert.match(new TextDecoder().decode(bad.stderr), /broken\.jsonl:2/);
    let runs = 0;
    try {
      runs = listRuns({ dir: badStore }).length;
    } catch { /* no store at all: nothing tracked */ }
    assert.equal(runs, 0);
    await assert.rejects(Deno.stat(join(f.dir, "never")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("trainTracked (the train workflow a notebook can call): a finished run, its trials, the model artifact", async () => {
  const f = await fixture();
  try {
    const dir = join(f.dir, "store");
    const trained = await trainTracked({
      ...options(f, join(f.dir, "nb-model")),
      search: { learningRates: [0.2, 0.05], l2: [0], maxEpochs: 2, patience: 1 },
      tracking: { tracker: "local", dir, project: "nb" },
    });
    const run = getRun(trained.run.id, { dir })!;
    assert.equal(run.status, "finished", "finished by default");
    assert.equal(run.project, "nb");
    assert.equal(trained.modelRef, "nb-model:v0");
    assert.deepEqual(run.produced.map((a) => a.ref), ["nb-model:v0"]);
    assert.equal(trained.trials.length, 2);
    assert.ok(trained.trials.every((t) => getRun(t.runId, { dir })?.group === run.group));
    assert.equal(run.summary.best_val_score, trained.summary.best_val_score);
    assert.ok(
      trained.trials.some((t) =>
        t.trial === run.summary.trial && t.learningRate === run.summary.learning_rate
      ),
    );

    // bad data: the error names the file and line, and no run exists
    const broken = join(f.dir, "broken.jsonl");
    await Deno.writeTextFile(broken, '{"text":"meh","label":"happy"}\n');
    const bad = join(f.dir, "bad-store");
    await assert.rejects(
      trainTracked({
        ...options(f, join(f.dir, "never")),
        train: [{ name: "b", path: broken }],
        tracking: { dir: bad },
      }),
      /broken\.jsonl:1/,
    );
    await assert.rejects(Deno.stat(bad), Deno.errors.NotFound);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});
