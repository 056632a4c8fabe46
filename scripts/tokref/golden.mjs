// golden.mjs writes the reference tokenisations of engine/encoder/tokenize/testdata/, produced
// by HuggingFace's JavaScript port (transformers.js, @huggingface/transformers, whose tokenizers
// follow tokenizers' Rust implementation) for the Go tokenizer tests:
//
//   golden.json                    bert-base-uncased (testdata/vocab, typed tokenizer.json): the
//                                  notebook's texts and hard cases, uncased and cased, a batch
//   bert-base-uncased-legacy.json  the legacy untyped tokenizer.json of google-bert/*
//   bert-new-token.json            a tokenizer with an added token beyond vocab.txt ([NEW] = 30522)
//   <fixture>.json                 each of testdata/tokenizers/{roberta-base,albert-base-v2,
//                                  xlm-roberta-base}-reduced, with their own mask token
//
// Regenerate (from the repository root; needs node >= 18 and the npm registry):
//   cd scripts/tokref && npm ci --ignore-scripts && cd ../..
//   node scripts/tokref/golden.mjs
//
// The texts are in texts.mjs. In the family goldens the notebook's "[MASK]" is replaced by the
// model's mask token, as lesionui does with sentence files. The "cased" section uses
// bert-base-uncased's vocabulary with the BertNormalizer's lowercase=false (strip_accents then
// follows lowercase, so accents are kept); it exercises the cased code path, not a real cased
// model.
//
// Where transformers.js differs from the Rust and Python HF tokenizers the Go tests use
// hand-checked values instead (see tokenize_test.go): CJK Extension B-F ideographs (JS scans
// UTF-16 code units), unassigned code points (JS's control test omits category Cn), a word-final
// capital sigma (JS lower-cases it to "ς", Rust char by char to "σ"), and SentencePiece's
// Precompiled charsmap, which JS approximates with NFKC (the family goldens keep only texts on
// which the two agree; precompiled_test.go checks the charsmap itself).
import { AutoTokenizer, env } from "@huggingface/transformers";
import { readFileSync, writeFileSync, mkdtempSync, copyFileSync, mkdirSync, existsSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { seedTexts, hard, family } from "./texts.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const vocabDir = join(root, "testdata", "vocab", "bert-base-uncased");
const fixturesDir = join(root, "testdata", "tokenizers");
const outDir = join(root, "engine", "encoder", "tokenize", "testdata");
const outFile = join(outDir, "golden.json");
const generator = "scripts/tokref/golden.mjs with @huggingface/transformers " +
  JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "node_modules", "@huggingface", "transformers", "package.json"), "utf8")).version;

// load reads a tokenizer directory with transformers.js, from a copy that has the
// tokenizer_config.json transformers.js insists on (roberta-base ships none).
async function load(dir) {
  const copy = join(mkdtempSync(join(tmpdir(), "tokref-")), "tok");
  mkdirSync(copy);
  for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(copy, f));
  if (!existsSync(join(copy, "tokenizer_config.json"))) writeFileSync(join(copy, "tokenizer_config.json"), "{}");
  env.allowRemoteModels = false;
  env.localModelPath = dirname(copy);
  return AutoTokenizer.from_pretrained("tok");
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
const bertItems = [
  ...sentences.map((s, i) => [`sentence-${String(i).padStart(3, "0")}`, s]),
  ...texts.map((s, i) => [`text-${i}`, s]),
  ...hard,
];

const uncased = await load(vocabDir);
const cases = encodeAll(uncased, bertItems);

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
  generator,
  vocab: "testdata/vocab/bert-base-uncased",
  cases,
  batch,
  cased,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(outFile, JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${cases.length} uncased + ${cased.length} cased cases and a batch of ${batchTexts.length} to ${outFile}`);

// items returns the golden texts with the notebook's [MASK] and texts.mjs's {mask} replaced by mask.
function items(mask) {
  const m = (s) => s.replaceAll("[MASK]", mask);
  return [
    ...sentences.map((s, i) => [`sentence-${String(i).padStart(3, "0")}`, s]),
    ...texts.map((s, i) => [`text-${i}`, m(s)]),
    ...hard,
    ...family.map(([name, text]) => [name, text.replaceAll("{mask}", mask)]),
  ];
}

function writeGolden(name, fixture, cases) {
  writeFileSync(join(outDir, name + ".json"), JSON.stringify({ generator, fixture, cases }, null, 1) + "\n");
  console.log(`wrote ${cases.length} cases to ${name}.json`);
}

// The legacy untyped tokenizer.json must give what the typed one gives.
{
  const dir = join(fixturesDir, "bert-base-uncased-legacy");
  writeGolden("bert-base-uncased-legacy", "testdata/tokenizers/bert-base-uncased-legacy", encodeAll(await load(dir), items("[MASK]")));
}

// An added token beyond vocab.txt: what transformers makes of tokenizer.add_tokens(["[NEW]"])
// followed by save_pretrained (tokenizer_config.json's added_tokens_decoder has "30522").
{
  const dir = join(mkdtempSync(join(tmpdir(), "tokref-")), "new");
  mkdirSync(dir);
  const tj = JSON.parse(readFileSync(join(vocabDir, "tokenizer.json"), "utf8"));
  tj.added_tokens.push({ id: 30522, content: "[NEW]", single_word: false, lstrip: false, rstrip: false, normalized: false, special: false });
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tj));
  writeFileSync(join(dir, "tokenizer_config.json"), "{}");
  const newItems = [["new-alone", "[NEW]"], ["new-in-text", "I saw [NEW] at the [NEW]market."], ["new-and-mask", "[NEW][MASK] [new]"]];
  writeGolden("bert-new-token", "bert-base-uncased + [NEW] = 30522", encodeAll(await load(dir), newItems));
}

for (const [fixture, mask] of [["roberta-base-reduced", "<mask>"], ["albert-base-v2-reduced", "[MASK]"], ["xlm-roberta-base-reduced", "<mask>"]]) {
  const tok = await load(join(fixturesDir, fixture));
  writeGolden(fixture, "testdata/tokenizers/" + fixture, encodeAll(tok, items(mask)));
}
