/**
 * The model card of a trained classifier: card.json (buildCard) and model_card.md rendered from it.
 * @module
 */
import { LABELS } from "../models/types.ts";
import type { FeatureSpec } from "../models/_features.ts";
import type { Chosen, Trial } from "./_search.ts";
import type { DataRecord, SearchSpace, SplitMetrics, TrainClassifierResult } from "./types.ts";

/** What {@linkcode buildCard} records. */
export interface CardInput {
  name: string;
  description?: string;
  recipe?: string;
  selectionProtocol?: string;
  seed: number;
  spec: FeatureSpec;
  numFeatures: number;
  chosen: Chosen;
  search: SearchSpace;
  trials: Trial[];
  data: TrainClassifierResult["data"];
  metrics: TrainClassifierResult["metrics"];
  baselines: Record<string, Record<string, SplitMetrics>>;
  seconds: number;
}

/** The card.json object of a trained classifier: files, features, hyperparameters, data, metrics. */
export function buildCard(input: CardInput): Record<string, unknown> {
  const { name, seed, spec, numFeatures, chosen, search, trials, metrics, baselines } = input;
  // deno-lint-ignore no-unused-vars
  const { lexicons, markers, ...featureSummary } = spec;
  return {
    name,
    type: "onnx",
    description: input.description ??
      "Sparse linear sentiment classifier (hashed word 1-2-grams, character n-grams, AFINN/VADER lexicon " +
        "features) trained by sentilab's `deno task train`.",
    labels: [...LABELS],
    created: new Date().toISOString(),
    recipe: input.recipe ?? null,
    seed,
    files: {
      model: "model.onnx",
      features: "features.json",
      labels: "labels.json",
      onnx: {
        inputs: { indices: "int64 [N, K]", values: "float32 [N, K]" },
        outputs: { probabilities: "float32 [N, 3]" },
        ir_version: 8,
        opset: 13,
      },
    },
    features: {
      ...featureSummary,
      ...(markers
        ? {
          markers: {
            positive: markers.positive,
            negative: markers.negative,
            entries: Object.keys(markers.entries).length,
            source: "npm:sentiment@5.0.2 build/emoji.json (emoji) + npm:vader-sentiment@1.1.3 emoticons",
          },
        }
        : {}),
      numFeatures,
      lexicons: spec.lexicons.map((l) => ({
        name: l.name,
        source: l.source,
        entries: Object.keys(l.entries).length,
      })),
    },
    hyperparameters: {
      model: "multinomial logistic regression, Adagrad, per-file class balancing" +
        (chosen.trial.average ? ", weights averaged over every update" : ""),
      learningRate: chosen.trial.learningRate,
      averaged: chosen.trial.average,
      l2: chosen.trial.l2,
      epochs: chosen.trial.bestEpoch,
      neutralBiasOffset: chosen.neutralBias,
      selection: "mean over validation sources of macro-recall (binary gold: balanced accuracy, argmax " +
        "over negative/positive), every source weighted equally so no domain can collapse unnoticed",
      selectionProtocol: input.selectionProtocol ?? null,
      validationScore: chosen.score,
      search,
      trials,
    },
    rules: {
      binary_gold:
        "binary (positive/negative) gold is scored by argmax over the negative and positive scores only " +
        "(neutral ignored); ties go to positive",
      binary_training: "binary files are trained with the partial-label loss -log(p_y / (p_neg + p_pos))",
      limits: `texts are read up to ${spec.maxChars} UTF-16 code units and ${spec.maxTokens} tokens; ` +
        "empty text is scored from the bias and lexicon 'no hit' features",
      baselines: "lexicon libraries: 3-class by score sign (0 = neutral; VADER: compound within ±0.05 = " +
        "neutral); binary: score >= 0 → positive",
    },
    data: {
      train: input.data.train,
      val: input.data.val,
      test: input.data.test,
    },
    metrics,
    baselines,
    training_seconds: Math.round(input.seconds),
  };
}

function fmt(x: number): string {
  return x.toFixed(4);
}

function markersNote(card: Record<string, unknown>): string | null {
  const m =
    (card.features as { markers?: { entries: number; positive: string; negative: string } } | undefined)
      ?.markers;
  if (!m) return null;
  return ` Emoji and emoticons: ${m.entries} of them (emoji polarity from the Emoji Sentiment Ranking ` +
    `list of npm:sentiment, emoticons from VADER) read as "${m.positive}" or "${m.negative}", which the ` +
    "training tweets teach; an emoji missing from that list (e.g. newer ones such as 🙂) carries no learned " +
    "sentiment.";
}

/** The markdown model card of `card` (card.json). */
export function renderCard(card: Record<string, unknown>): string {
  const c = card as {
    name: string;
    description: string;
    metrics: Record<string, SplitMetrics & { split: string; mode: string }>;
    baselines: Record<string, Record<string, SplitMetrics>>;
    hyperparameters: Record<string, unknown>;
    data: { train: DataRecord[]; val: DataRecord[]; test: DataRecord[] };
    features: Record<string, unknown>;
    rules: Record<string, string>;
  };
  const lines = [`# ${c.name}`, "", c.description, ""];
  const recipe = (card as { recipe?: string | null }).recipe;
  lines.push(
    "## Reproduce",
    "",
    "```sh",
    recipe
      ? `deno task train --recipe ${recipe} --out <folder>`
      : "deno task train --train <files> --val <files> --out <folder>",
    "```",
    "",
    `Seed ${(card as { seed?: number }).seed}: the same seed and data give a byte-identical model.onnx.`,
    "",
    "## Limitations",
    "",
    "A bag of n-grams with lexicon features: it reads sentiment words and phrases, not irony or " +
      "comparisons. Trained mostly on English; other scripts are featurized but not learned. Binary gold " +
      "data is scored by the rule below. Texts past the character/token caps are truncated." +
      (markersNote(card) ?? ""),
    "",
  );
  lines.push("## Labels", "", `Output order: ${LABELS.join(", ")} (labels.json).`, "");
  const hp = c.hyperparameters as {
    selection?: string;
    selectionProtocol?: string | null;
    validationScore?: number;
    neutralBiasOffset?: number;
  };
  const unseen = [...c.data.val, ...c.data.test].filter((d) => d.unseen).map((d) => d.name);
  const seenTests = c.data.test.filter((d) => d.overlapsTraining?.length);
  lines.push(
    "## Selection protocol",
    "",
    `- Validation sources (${c.data.val.map((d) => d.name).join(", ")}): the trainer checks that none ` +
      "shares rows with a training source. Every hyperparameter-grid point and epoch is scored on them; " +
      `the score is the ${hp.selection ?? "mean validation metric"}. Chosen score: ${
        fmt(hp.validationScore ?? NaN)
      }, neutral bias offset ${hp.neutralBiasOffset ?? 0} (chosen from ${
        JSON.stringify((hp as { search?: { neutralBias?: number[] } }).search?.neutralBias ?? [0])
      }).`,
    `- Unseen-domain proxies (no training rows from their files): ${
      unseen.length ? unseen.join(", ") : "none"
    }.`,
    `- Test sources are measured once, on the exported model, after the choice; they take no part in it.${
      seenTests.length
        ? ` Not blind (they share rows with training): ${seenTests.map((d) => d.name).join(", ")}.`
        : ""
    }`,
  );
  if (hp.selectionProtocol) lines.push(`- Recipe choices: ${hp.selectionProtocol.trim()}`);
  lines.push("");
  lines.push("## Metrics (exported ONNX model)", "");
  const blNames = Object.keys(c.baselines);
  lines.push(
    `| source | split | rows | scored as | accuracy | macro-recall | macro-F1 |${
      blNames.map((b) => ` ${b} |`).join("")
    }`,
  );
  lines.push(`|---|---|---:|---|---:|---:|---:|${blNames.map(() => "---:|").join("")}`);
  const recs = new Map([...c.data.val, ...c.data.test].map((d) => [d.name, d]));
  for (const [name, m] of Object.entries(c.metrics)) {
    const r = recs.get(name);
    const tag = r?.unseen ? " (unseen domain)" : r?.overlapsTraining?.length ? " (seen in training)" : "";
    const bl = blNames.map((b) => {
      const x = c.baselines[b][name];
      if (!x) return " |";
      return m.mode.startsWith("binary")
        ? ` ${fmt(x.accuracy)} |`
        : ` ${fmt(x.accuracy)} / ${fmt(x.macro_recall)} |`;
    }).join("");
    lines.push(
      `| ${name}${tag} | ${m.split} | ${m.n} | ${m.mode} | ${fmt(m.accuracy)} | ${fmt(m.macro_recall)} | ${
        fmt(m.macro_f1)
      } |${bl}`,
    );
  }
  lines.push(
    "",
    "Baseline columns: the library's accuracy on binary sources; accuracy / macro-recall on 3-class sources.",
    "",
  );
  lines.push("## Rules", "");
  for (const [k, v] of Object.entries(c.rules)) lines.push(`- ${k}: ${v}`);
  lines.push("", "## Hyperparameters", "", "```json", JSON.stringify(c.hyperparameters, null, 2), "```", "");
  lines.push("## Features", "", "```json", JSON.stringify(c.features, null, 2), "```", "");
  lines.push("## Data", "", "| role | name | path | rows | of file | slice | mode | weight | sha256 |");
  lines.push("|---|---|---|---:|---:|---|---|---:|---|");
  for (const role of ["train", "val", "test"] as const) {
    for (const d of c.data[role]) {
      lines.push(
        `| ${role} | ${d.name} | ${d.path} | ${d.rows} | ${d.fileRows} | ${
          d.slice ? d.slice.join("-") : "all"
        } | ${d.mode} | ${d.weight ?? ""} | ${d.sha256} |`,
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}
