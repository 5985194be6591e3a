// Tokenization of transformer models from their tokenizer.json (npm:@huggingface/tokenizers: WordPiece, BPE,
// Unigram with their normalizers, pre-tokenizers and post-processors), truncated to the model's length.
import { Tokenizer } from "npm:@huggingface/tokenizers@0.2.0";

/** One text as the model reads it. */
export interface HfEncoding {
  ids: number[];
  typeIds: number[];
}

/** A tokenizer that never returns more than `maxLength` ids (special tokens included). */
export interface HfTokenizer {
  maxLength: number;
  padId: number;
  encode(text: string): HfEncoding;
}

/** The `model_max_length` values tokenizer_config.json uses for "no limit" are huge (1e30). */
const NO_LIMIT = 1_000_000;

/**
 * The longest input the model takes: tokenizer.json's `truncation.max_length`, else tokenizer_config.json's
 * `model_max_length`, else config.json's `max_position_embeddings` (less the 2 positions RoBERTa-style models
 * reserve after their padding index), else 512.
 */
export function maxLengthOf(
  tokenizer: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  config: Record<string, unknown>,
): number {
  const t = (tokenizer.truncation as { max_length?: unknown } | null)?.max_length;
  if (typeof t === "number" && t > 0) return t;
  const m = tokenizerConfig.model_max_length;
  if (typeof m === "number" && m > 0 && m < NO_LIMIT) return m;
  const p = config.max_position_embeddings;
  if (typeof p === "number" && p > 0) {
    const offset =
      typeof config.pad_token_id === "number" && /roberta|camembert|bart/i.test(String(config.model_type))
        ? config.pad_token_id + 1
        : 0;
    return p - offset;
  }
  return 512;
}

/**
 * A tokenizer from the parsed tokenizer.json and tokenizer_config.json. Truncation keeps the special tokens
 * the post-processor adds (`[CLS] … [SEP]`, `<s> … </s>`) and cuts the text's tokens from the end, as the
 * Rust tokenizers' `longest_first` does for one sequence.
 * @throws {Error} naming `where` when the tokenizer cannot be built.
 */
export function createHfTokenizer(
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  maxLength: number,
  where: string,
): HfTokenizer {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    throw new Error(`${where}: cannot build the tokenizer: ${(e as Error).message}`);
  }
  const empty = tok.encode("", { return_token_type_ids: true });
  const specials = empty.ids.length;
  if (maxLength <= specials) {
    throw new Error(`${where}: the model's max length ${maxLength} leaves no room for text`);
  }
  const padToken = tokenName(tokenizerConfig.pad_token) ??
    tokenName((tokenizerJson.padding as { pad_token?: unknown } | null)?.pad_token);
  const padId = (padToken !== undefined ? tok.token_to_id(padToken) : undefined) ?? 0;
  return {
    maxLength,
    padId,
    encode(text: string): HfEncoding {
      const full = tok.encode(text, { return_token_type_ids: true });
      const ids = full.ids;
      const typeIds = full.token_type_ids ?? ids.map(() => 0);
      if (ids.length <= maxLength) return { ids, typeIds };
      // the text's own tokens sit between the prefix and suffix specials of the empty encoding
      const prefix = leadingMatch(ids, empty.ids);
      const suffix = specials - prefix;
      const keep = maxLength - specials;
      const cut = (a: number[]) => [...a.slice(0, prefix + keep), ...a.slice(a.length - suffix)];
      return { ids: cut(ids), typeIds: cut(typeIds) };
    },
  };
}

/**
 * A special token of tokenizer_config.json: a string, or (as older transformers save it) an AddedToken
 * object `{"__type": "AddedToken", "content": "<pad>", ...}`.
 */
function tokenName(t: unknown): string | undefined {
  if (typeof t === "string") return t;
  const content = (t as { content?: unknown } | null)?.content;
  return typeof content === "string" ? content : undefined;
}

function leadingMatch(ids: number[], empty: number[]): number {
  let i = 0;
  while (i < empty.length && ids[i] === empty[i]) i++;
  return i;
}
