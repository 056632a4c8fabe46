// family_tokens.mjs tokenises texts with HuggingFace's JavaScript port (transformers.js,
// @huggingface/transformers, whose tokenizers follow the Rust `tokenizers` library) for the family
// study goldens of make_family_fixtures.py, which runs it; it is the independent reference for the
// token ids of byte-level BPE (RoBERTa) and Unigram (ALBERT, XLM-RoBERTa) tokenizer.json files.
//
// stdin:  {"tokenizers": [{"dir": "<directory with tokenizer.json>", "texts": ["...", ...]}, ...]}
// stdout: {"version": "<transformers.js version>", "tokenizers": [{
//          "encodings": [{"ids": [...], "tokens": [...]}, ...]}, ...]}  (special tokens added)
//
// The package comes from scripts/tokref (cd scripts/tokref && npm ci --ignore-scripts).
import { readFileSync, mkdtempSync, mkdirSync, readdirSync, copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "tokref", "node_modules", "@huggingface", "transformers");
const { AutoTokenizer, env } = await import(pathToFileURL(join(pkg, "dist", "transformers.node.mjs")).href);
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;

// load reads a tokenizer directory from a copy with the tokenizer_config.json transformers.js
// insists on (roberta-base ships none).
async function load(dir) {
  const copy = join(mkdtempSync(join(tmpdir(), "family-tokens-")), "tok");
  mkdirSync(copy);
  for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(copy, f));
  if (!existsSync(join(copy, "tokenizer_config.json"))) writeFileSync(join(copy, "tokenizer_config.json"), "{}");
  env.allowRemoteModels = false;
  env.localModelPath = dirname(copy);
  return AutoTokenizer.from_pretrained("tok");
}

const request = JSON.parse(readFileSync(0, "utf8"));
const out = { version, tokenizers: [] };
for (const { dir, texts } of request.tokenizers) {
  const tok = await load(dir);
  const encodings = texts.map((text) => {
    const ids = tok.encode(text).map(Number);
    const tokens = tok.tokenize(text, { add_special_tokens: true });
    if (tokens.length !== ids.length) throw new Error(`${dir}: ${JSON.stringify(text)}: ${tokens.length} tokens, ${ids.length} ids`);
    return { ids, tokens };
  });
  out.tokenizers.push({ encodings });
}
process.stdout.write(JSON.stringify(out));
