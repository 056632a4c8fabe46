// golden.mjs writes engine/encoder/tokenize/testdata/golden.json: reference
// tokenisations produced by HuggingFace's JavaScript port (transformers.js,
// @huggingface/transformers, whose BertTokenizer follows tokenizers' Rust
// BertTokenizerFast) for the Go tokenizer tests.
//
// Regenerate (from the repository root; needs node >= 18 and the npm registry):
//   cd scripts/tokref && npm ci --ignore-scripts && cd ../..
//   node scripts/tokref/golden.mjs
//
// Inputs: testdata/vocab/bert-base-uncased/{tokenizer.json,tokenizer_config.json}
// (made by convert-vocab.mjs), the 108 sentences and 3 test texts of the seed
// notebook /work/shared/seed/*.txt (path overridable with SEED=file), and the
// hard cases below. The "cased" section uses the same vocabulary with the
// BertNormalizer's lowercase=false (strip_accents then follows lowercase, so
// accents are kept); it exercises the cased code path, not a real cased model.
//
// Cases deliberately left out because transformers.js differs from the Rust
// and Python HF tokenizers (the Go tests cover them with hand-checked values):
// CJK Extension B-F ideographs (JS scans UTF-16 code units, so it does not see
// surrogate pairs as CJK), unassigned code points (JS's control test omits
// category Cn) and a word-final capital sigma (JS lower-cases it to "ς",
// Rust char-by-char to "σ").
import { AutoTokenizer, env } from "@huggingface/transformers";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, copyFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const vocabDir = join(root, "testdata", "vocab", "bert-base-uncased");
const outFile = join(root, "engine", "encoder", "tokenize", "testdata", "golden.json");

function seedTexts() {
  let file = process.env.SEED;
  if (!file) {
    const dir = "/work/shared/seed";
    const txt = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();
    if (txt.length !== 1) throw new Error(`${dir}: want exactly one .txt, have ${txt}`);
    file = join(dir, txt[0]);
  }
  const src = readFileSync(file, "utf8");
  const block = src.match(/\nsentences = \[\n([\s\S]*?)\n\]/);
  if (!block) throw new Error(`${file}: no "sentences = [" block`);
  const sentences = [...block[1].matchAll(/^\s*"([^"]*)",?\s*$/gm)].map((m) => m[1]);
  const texts = [...src.matchAll(/^\s*(?:texts = \[)?\s*'([^']*)'\s*[,\]]/gm)].map((m) => m[1]);
  if (sentences.length !== 108) throw new Error(`${file}: ${sentences.length} sentences, want 108`);
  if (texts.length !== 3) throw new Error(`${file}: ${texts.length} test texts, want 3`);
  return { sentences, texts };
}

const hard = [
  ["empty", ""],
  ["only-spaces", "   \t\n "],
  ["accents", "Café résumé naïve Ångström"],
  ["accents-decomposed", "Cafe\u0301 Zoe\u0308"],
  ["cjk", "我爱你 東京"],
  ["cjk-mixed", "BERT是一个模型. 日本語テキスト"],
  ["hangul", "한국어 텍스트"],
  ["emoji", "I ❤️ NLP 😀🚀!"],
  ["controls", "a\u0000b\u0007c\u200bd\ufffde\u00adf"],
  ["whitespace", "  tabs\tand\nnewlines\r\nmultiple   spaces\u00a0nbsp\u3000ideo  "],
  ["mask-in-punct", "with ([MASK]), and \"[MASK]\". x[MASK]y [MASK][MASK]"],
  ["mask-lower", "with [mask] project, [Mask]!"],
  ["specials-in-text", "[CLS] a [SEP] b [PAD] c [UNK] d [unused5]"],
  ["unknown-symbols", "∰ ⨌ 𝄞 ☃ ⌘"],
  ["long-word-120", "a".repeat(120)],
  ["word-100", "b".repeat(100)],
  ["word-101", "b".repeat(101)],
  ["apostrophes", "I haven't seen it, they'd've gone; rock 'n' roll ’tis"],
  ["hyphens", "state-of-the-art well–known self—aware e-mail"],
  ["numbers", "3.14159 1,000,000 42nd 2024-05-01 $9.99 50%"],
  ["abbrev", "U.S.A. vs. e.g. Dr. Smith"],
  ["symbols", "a+b=c <tag> ~x^2 `code` {a|b} @user #hash \\path/"],
  ["unicode-punct", "«quoted» ¿qué? ¡hola! …and・dots"],
  ["long-text", "The quick brown fox jumps over the lazy dog. ".repeat(6).trim()],
  ["lesioning", "lesioning unaffordable antidisestablishmentarianism"],
  ["case", "HIM Him him hIm"],
];

async function load(dir) {
  env.allowRemoteModels = false;
  env.localModelPath = dirname(dir);
  return AutoTokenizer.from_pretrained(dir.split("/").pop());
}

function encodeAll(tok, items) {
  return items.map(([name, text]) => {
    const ids = tok.encode(text);
    const tokens = tok.tokenize(text, { add_special_tokens: true });
    if (tokens.length !== ids.length) throw new Error(`${name}: ${tokens.length} tokens vs ${ids.length} ids`);
    return { name, text, ids, tokens };
  });
}

const { sentences, texts } = seedTexts();
const items = [
  ...sentences.map((s, i) => [`sentence-${String(i).padStart(3, "0")}`, s]),
  ...texts.map((s, i) => [`text-${i}`, s]),
  ...hard,
];

const uncased = await load(vocabDir);
const cases = encodeAll(uncased, items);

const batchTexts = [...texts, "", "Café [MASK] 東京!", sentences[0]];
const enc = uncased(batchTexts, { padding: true });
const batch = {
  texts: batchTexts,
  input_ids: enc.input_ids.tolist().map((r) => r.map(Number)),
  attention_mask: enc.attention_mask.tolist().map((r) => r.map(Number)),
};

// Cased variant: same vocabulary, lowercase=false in tokenizer.json.
const casedDir = join(mkdtempSync(join(tmpdir(), "tokref-")), "cased");
mkdirSync(casedDir);
const tj = JSON.parse(readFileSync(join(vocabDir, "tokenizer.json"), "utf8"));
tj.normalizer.lowercase = false;
writeFileSync(join(casedDir, "tokenizer.json"), JSON.stringify(tj));
writeFileSync(join(casedDir, "tokenizer_config.json"), JSON.stringify({ do_lower_case: false }));
copyFileSync(join(vocabDir, "vocab.txt"), join(casedDir, "vocab.txt"));
const cased = encodeAll(await load(casedDir), hard.concat(texts.map((s, i) => [`text-${i}`, s])));

const out = {
  generator: "scripts/tokref/golden.mjs with @huggingface/transformers " +
    JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "node_modules", "@huggingface", "transformers", "package.json"), "utf8")).version,
  vocab: "testdata/vocab/bert-base-uncased",
  cases,
  batch,
  cased,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${cases.length} uncased + ${cased.length} cased cases and a batch of ${batchTexts.length} to ${outFile}`);
