import { logModelArtifact, type Run, safeArtifactName, type UsedArtifact } from "../tracking/mod.ts";
import type { Model } from "./types.ts";
import { fetchModelFiles } from "./_registry.ts";
import { dirname } from "node:path";

/** Options for {@linkcode logModel}. */
export interface LogModelOptions {
  /** Artifact name (default: the model's name with unsafe characters replaced by `-`). */
  name?: string;
  /** Extra metadata merged into the artifact's metadata. */
  metadata?: Record<string, unknown>;
}

/**
 * Records a loaded model as a `model` artifact used by the run (an input): the model's folder, or for a
 * model without a folder (the lexicon model) a `model.json` holding its card. The metadata holds the
 * model type, labels, description and the card's `metrics` when it has them. Logging identical content
 * again adds no version (the tracker deduplicates by content). `loadModel(name, { run })` calls this.
 *
 * @param run The run (tracking's `initRun`).
 * @param model The loaded model.
 * @param options Artifact name and extra metadata.
 * @returns The used artifact version, or null when the run's backend stores nothing.
 * @throws {Error} Only when the tracker was asked to be strict and logging failed.
 *
 * @example
 * ```ts
 * import { finishRun, initRun } from "../tracking/mod.ts";
 * import { loadModel, logModel } from "./mod.ts";
 * const run = await initRun({ tracker: "disabled" });
 * const model = await loadModel("lexicon");
 * await logModel(run, model);
 * await finishRun(run);
 * ```
 */
export async function logModel(
  run: Run,
  model: Model,
  options: LogModelOptions = {},
): Promise<UsedArtifact | null> {
  const name = options.name ?? safeArtifactName(model.name, "model");
  const metadata: Record<string, unknown> = {
    model_type: model.type,
    labels: [...model.labels],
    description: model.description,
  };
  const metrics = model.card?.metrics;
  if (model.card?.hub) metadata.hub = model.card.hub;
  if (metrics && typeof metrics === "object") metadata.metrics = metrics;
  Object.assign(metadata, options.metadata);
  if (model.dir !== null && /^https?:\/\//i.test(model.dir) && model.files) {
    // A model loaded from a URL: the tracker logs folders from disk (it stats, hashes and copies files),
    // so its fetched files are written to a temp folder under the same names and that folder is logged.
    // A local folder written by deno task train holds exactly these files, so the same model logged from
    // disk or from a URL has the same manifest digest and deduplicates to one version.
    // The optional files a load without a run did not fetch (model_card.md) are fetched now: a few KB,
    // not the model again.
    const files = new Map(model.files);
    const missing = ["card.json", "model_card.md"].filter((f) => !files.has(f));
    if (missing.length) {
      const more = await fetchModelFiles(model.dir.replace(/\/+$/, ""), { required: [], optional: missing });
      for (const [file, bytes] of more) files.set(file, bytes);
    }
    const tmp = await Deno.makeTempDir({ prefix: "sentilab-remote-model-" });
    try {
      for (const [file, bytes] of files) await Deno.writeFile(`${tmp}/${file}`, bytes);
      return await logModelArtifact(run, tmp, { name, use: true, description: model.description, metadata });
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  }
  const hub = model.card?.hub as { files?: Record<string, string> } | undefined;
  if (model.dir !== null && hub?.files) {
    // A Hugging Face cache snapshot links its files to ../../blobs: log copies of exactly those files.
    const tmp = await Deno.makeTempDir({ prefix: "sentilab-hf-model-" });
    try {
      for (const file of Object.keys(hub.files)) {
        await Deno.mkdir(dirname(`${tmp}/${file}`), { recursive: true });
        await Deno.copyFile(`${model.dir}/${file}`, `${tmp}/${file}`);
      }
      return await logModelArtifact(run, tmp, { name, use: true, description: model.description, metadata });
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  }
  if (model.dir !== null) {
    return await logModelArtifact(run, model.dir, {
      name,
      use: true,
      description: model.description,
      metadata,
    });
  }
  // No folder: the artifact is a model.json describing the model exactly (deterministic content, so the
  // same model always deduplicates to the same version).
  const tmp = await Deno.makeTempDir({ prefix: "sentilab-model-" });
  try {
    const card = { ...model.card, name: model.name, type: model.type, labels: model.labels };
    await Deno.writeTextFile(`${tmp}/model.json`, JSON.stringify(card, null, 2) + "\n");
    return await logModelArtifact(run, tmp, { name, use: true, description: model.description, metadata });
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
