/**
 * Reads a training recipe (YAML): the data files, their roles and weights, the feature spec changes and
 * the hyperparameter grid of {@linkcode trainClassifier}.
 * @module
 */
import * as yaml from "npm:js-yaml@5.5.0";
import { isAbsolute, join } from "node:path";
import type { EvalSource, SearchSpace, TrainClassifierOptions, TrainSource } from "./types.ts";

/** Options of {@linkcode readTrainRecipe}. */
export interface ReadTrainRecipeOptions {
  /** Folder the recipe's data paths are relative to (overrides the recipe's `dataDir`). */
  dataDir?: string;
}

/** A parsed recipe: everything {@linkcode trainClassifier} needs except `out`. */
export type TrainRecipe = Omit<TrainClassifierOptions, "out" | "onMetrics" | "log" | "progress"> & {
  /** The data folder the paths were resolved against. */
  dataDir: string;
};

/**
 * Reads and checks a recipe such as `config/train_default.yaml`.
 *
 * Shape: `name`, `description`, `seed`, `dataDir` (relative to the working directory), `features`
 * (changes to the feature spec), `search` (learningRates, l2, maxEpochs, patience, neutralBias, average),
 * `selectionProtocol` (how the weights were chosen, for the model card) and the lists `train`, `val`,
 * `test` of `{ name, file, weight?, mode?, slice?, maxChars?, balance? }` (val/test also `unseen?`: an
 * unseen-domain proxy) with `file` relative to `dataDir`.
 * @param path The YAML file.
 * @param options Override of the data folder.
 * @returns The recipe, file paths resolved.
 * @throws {Error} when the file is missing or invalid (naming the field), or when the data folder or a
 *   data file does not exist (saying what to pass instead).
 * @example
 * ```ts ignore
 * import { readTrainRecipe } from "./read_train_recipe.ts";
 * const recipe = await readTrainRecipe("config/train_default.yaml");
 * console.log(recipe.train.map((s) => s.name));
 * ```
 */
export async function readTrainRecipe(
  path: string,
  options: ReadTrainRecipeOptions = {},
): Promise<TrainRecipe> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`Recipe file not found: ${path}`);
    throw e;
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new Error(`Recipe ${path} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error(`Recipe ${path}: expected a YAML mapping at the top level`);
  }
  const r = doc as Record<string, unknown>;
  const fail = (field: string, what: string): never => {
    throw new Error(`Recipe ${path}: field '${field}' ${what}`);
  };
  const dataDir = options.dataDir ??
    (typeof r.dataDir === "string" ? r.dataDir : fail("dataDir", "must be a string (the data folder)"));
  try {
    const st = await Deno.stat(dataDir);
    if (!st.isDirectory) throw new Deno.errors.NotFound();
  } catch {
    throw new Error(
      `Recipe ${path} needs the data folder '${dataDir}', which does not exist here. ` +
        `Get the shared data (see the README) or pass --data-dir DIR.`,
    );
  }
  const sources = async (key: string, forTrain: boolean) => {
    const list = r[key];
    if (list === undefined && key === "test") return [];
    if (!Array.isArray(list) || list.length === 0) return fail(key, "must be a non-empty list");
    const out: (TrainSource & EvalSource)[] = [];
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as Record<string, unknown>;
      const f = `${key}[${i}]`;
      if (typeof e !== "object" || e === null) fail(f, "must be a mapping");
      if (typeof e.name !== "string" || !e.name) fail(`${f}.name`, "must be a non-empty string");
      if (typeof e.file !== "string") fail(`${f}.file`, "must be a string (path relative to dataDir)");
      const file = isAbsolute(e.file as string) ? (e.file as string) : join(dataDir, e.file as string);
      try {
        await Deno.stat(file);
      } catch {
        fail(`${f}.file`, `names ${file}, which does not exist`);
      }
      if (e.mode !== undefined && !["auto", "full", "binary"].includes(e.mode as string)) {
        fail(`${f}.mode`, `must be auto, full or binary, got ${JSON.stringify(e.mode)}`);
      }
      if (e.slice !== undefined) {
        const s = e.slice as number[];
        if (!Array.isArray(s) || s.length !== 2 || !(s[0] >= 0 && s[1] <= 1 && s[0] < s[1])) {
          fail(`${f}.slice`, "must be [from, to] with 0 <= from < to <= 1");
        }
      }
      if (forTrain && e.weight !== undefined && !(typeof e.weight === "number" && e.weight > 0)) {
        fail(`${f}.weight`, "must be a number > 0");
      }
      if (e.unseen !== undefined && (forTrain || typeof e.unseen !== "boolean")) {
        fail(
          `${f}.unseen`,
          forTrain
            ? "is only for val/test sources (an unseen-domain proxy is never trained on)"
            : "must be true or false",
        );
      }
      if (e.maxChars !== undefined && !(Number.isInteger(e.maxChars) && (e.maxChars as number) > 0)) {
        fail(`${f}.maxChars`, "must be a positive integer");
      }
      out.push({
        name: e.name as string,
        path: file,
        ...(e.weight !== undefined ? { weight: e.weight as number } : {}),
        ...(e.mode !== undefined ? { mode: e.mode as "auto" | "full" | "binary" } : {}),
        ...(e.slice !== undefined ? { slice: e.slice as [number, number] } : {}),
        ...(e.maxChars !== undefined ? { maxChars: e.maxChars as number } : {}),
        ...(e.balance !== undefined ? { balance: Boolean(e.balance) } : {}),
        ...(e.unseen !== undefined ? { unseen: e.unseen as boolean } : {}),
      });
    }
    return out;
  };
  if (r.seed !== undefined && !Number.isInteger(r.seed)) fail("seed", "must be an integer");
  if (r.features !== undefined && (typeof r.features !== "object" || r.features === null)) {
    fail("features", "must be a mapping");
  }
  if (r.search !== undefined && (typeof r.search !== "object" || r.search === null)) {
    fail("search", "must be a mapping");
  }
  const nb = (r.search as Record<string, unknown> | undefined)?.neutralBias;
  if (nb !== undefined && !(Array.isArray(nb) && nb.length > 0 && nb.every((x) => Number.isFinite(x)))) {
    fail("search.neutralBias", "must be a non-empty list of numbers (offsets added to the neutral bias)");
  }
  const av = (r.search as Record<string, unknown> | undefined)?.average;
  if (av !== undefined && !(Array.isArray(av) && av.length > 0 && av.every((x) => typeof x === "boolean"))) {
    fail("search.average", "must be a non-empty list of true/false (score the averaged weights or not)");
  }
  if (r.selectionProtocol !== undefined && typeof r.selectionProtocol !== "string") {
    fail("selectionProtocol", "must be a string (how the recipe's weights were chosen)");
  }
  return {
    dataDir,
    name: typeof r.name === "string" ? r.name : undefined,
    description: typeof r.description === "string" ? r.description.trim() : undefined,
    recipe: path,
    selectionProtocol: typeof r.selectionProtocol === "string" ? r.selectionProtocol.trim() : undefined,
    seed: (r.seed as number | undefined) ?? 13,
    features: (r.features as TrainClassifierOptions["features"]) ?? {},
    search: (r.search as Partial<SearchSpace>) ?? {},
    train: await sources("train", true),
    val: await sources("val", false),
    test: await sources("test", false),
  };
}
