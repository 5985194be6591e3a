// Downloads the `hf:` model named in the first argument with no options, so that everything comes from the
// environment (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, XDG_CACHE_HOME, HF_TOKEN, HF_HUB_OFFLINE,
// TRANSFORMERS_OFFLINE), and prints what it got (or the error) as JSON on one line. Run as a subprocess by
// tests/models_hf_hub_test.ts: the variables are set in the child only, never in the test process, where
// `deno test --parallel` would let them reach other test files.
import { downloadHfModel } from "../lib/models/mod.ts";

try {
  const got = await downloadHfModel(Deno.args[0]);
  console.log(JSON.stringify({ dir: got.dir, commit: got.commit, files: got.files.map((f) => f.path) }));
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message }));
}
