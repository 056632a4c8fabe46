// texts.mjs: the texts every golden is made of. The seed notebook's 108 sentences and 3 test
// texts (/work/shared/seed/*.txt, or SEED=file; sentences/notebook.go holds the same), the hard
// cases golden.mjs has always checked, and per-family cases where "{mask}" stands for the
// model's own mask token.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function seedTexts() {
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

// hard are the BERT cases (and are run on every family too).
export const hard = [
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

// family are the cases of the byte-level BPE and SentencePiece families: leading and repeated
// spaces, the mask token with and without a space before it, quotes SentencePiece rewrites,
// compatibility characters the Precompiled charsmap maps.
export const family = [
  ["leading-space", " him"],
  ["leading-spaces", "   him and her  "],
  ["double-space", "saw  him"],
  ["newline-word", "saw\nhim\n"],
  ["mask-space", "Robert helped Lucy with {mask} project."],
  ["mask-nospace", "Robert helped Lucy with{mask} project."],
  ["mask-start", "{mask} helped Lucy."],
  ["mask-end", "she thanked {mask}"],
  ["mask-twice", "{mask} {mask}.{mask}"],
  ["mask-punct", "thanked ({mask})!"],
  ["quotes", "``Hello,'' she said; ''quoted'' and `single'"],
  ["contractions", "it's I'm we'll they've she'd you're DON'T"],
  ["numbers-family", "In 1999, 12 of 345 people paid $6.78 (9%)."],
  ["fullwidth", "ＡＢＣ １２３ ﬁne ½ ①"],
  ["accents-cased", "Émile Zoë Ångström naïve"],
  ["him-her", "him her Him Her HIM HER"],
  ["emoji-words", "him 😀 her 🚀 them"],
];
