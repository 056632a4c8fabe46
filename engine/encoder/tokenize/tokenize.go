// Package tokenize turns text into the token ids of a HuggingFace masked LM, equal to what
// transformers' AutoTokenizer (the Rust "fast" tokenizers) gives for the same files. It reads
// the tokenizer files of the encoder families lesionui runs:
//
//   - BERT, DistilBERT, ELECTRA: WordPiece, from tokenizer.json or vocab.txt (+ tokenizer_config.json);
//   - RoBERTa: byte-level BPE, from tokenizer.json or vocab.json + merges.txt;
//   - ALBERT, XLM-RoBERTa: SentencePiece Unigram, from tokenizer.json (a repository with only
//     spiece.model / sentencepiece.bpe.model is refused with the command that writes one).
//
// The pipeline is HF's: added tokens ("[MASK]", "<mask>", ...) are cut out of the raw text
// first, with the whitespace they strip; the rest is normalised (BertNormalizer, or a chain of
// Replace, NFKD, StripAccents, Lowercase, SentencePiece's Precompiled charsmap ...), split into
// words by the pre-tokenizer (BERT's whitespace-and-punctuation split, GPT-2's byte-level regex,
// SentencePiece's "▁" Metaspace), each word is cut into pieces by the model, and the
// post-processor adds the model's own special tokens ([CLS] … [SEP], <s> … </s>).
//
// Where HF's implementations disagree this package follows the Rust one (tokenizers), which is
// what transformers uses: no NFC pass before BERT's splitting and no final-sigma rule when
// lower-casing. Goldens produced with HF's JavaScript port live in testdata/; see
// scripts/tokref/golden.mjs.
package tokenize

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Tokenizer turns text into token ids. It is safe for concurrent use.
type Tokenizer struct {
	tokens []string // id -> token, as written in the vocabulary ("" for an unused id)
	norm   normalizer
	pre    preTokenizer
	model  model
	// raw are the added tokens matched before normalisation, normed those matched after it;
	// both sorted longest first.
	raw, normed []addedToken
	// prefix and suffix are the ids the post-processor puts around a text.
	prefix, suffix []int
	special        SpecialIDs
	names          specialNames
}

// SpecialIDs holds the ids of the special tokens. CLS and SEP are the tokens that open and close
// every encoding ([CLS]/[SEP] in BERT and ALBERT, <s>/</s> in RoBERTa and XLM-R).
type SpecialIDs struct {
	Pad, Unk, CLS, SEP, Mask int
}

// Encoding is one tokenised text: ids and their tokens, with the model's special tokens.
type Encoding struct {
	IDs    []int
	Tokens []string
}

// Batch is a right-padded batch like HF's tokenizer(texts, padding=True):
// every row has the length of the longest encoding, padded with the pad id
// (and pad token); AttentionMask is 1 on real tokens and 0 on padding;
// Lengths holds each text's unpadded length.
type Batch struct {
	IDs           [][]int
	AttentionMask [][]int
	Tokens        [][]string
	Lengths       []int
}

// Encode tokenises text and adds the model's special tokens, as HF's tokenizer(text) does.
func (t *Tokenizer) Encode(text string) (Encoding, error) {
	ids, toks, err := t.tokenize(text)
	if err != nil {
		return Encoding{}, err
	}
	n := len(t.prefix) + len(ids) + len(t.suffix)
	enc := Encoding{IDs: make([]int, 0, n), Tokens: make([]string, 0, n)}
	for _, id := range t.prefix {
		enc.IDs, enc.Tokens = append(enc.IDs, id), append(enc.Tokens, t.Token(id))
	}
	enc.IDs, enc.Tokens = append(enc.IDs, ids...), append(enc.Tokens, toks...)
	for _, id := range t.suffix {
		enc.IDs, enc.Tokens = append(enc.IDs, id), append(enc.Tokens, t.Token(id))
	}
	return enc, nil
}

// EncodeBatch encodes every text and pads the results to a common length.
func (t *Tokenizer) EncodeBatch(texts []string) (*Batch, error) {
	b := &Batch{
		IDs:           make([][]int, len(texts)),
		AttentionMask: make([][]int, len(texts)),
		Tokens:        make([][]string, len(texts)),
		Lengths:       make([]int, len(texts)),
	}
	width := 0
	for i, text := range texts {
		enc, err := t.Encode(text)
		if err != nil {
			return nil, fmt.Errorf("tokenize: batch text %d: %w", i, err)
		}
		b.IDs[i], b.Tokens[i], b.Lengths[i] = enc.IDs, enc.Tokens, len(enc.IDs)
		width = max(width, len(enc.IDs))
	}
	for i, n := range b.Lengths {
		mask := make([]int, width)
		for j := range n {
			mask[j] = 1
		}
		for range width - n {
			b.IDs[i] = append(b.IDs[i], t.special.Pad)
			b.Tokens[i] = append(b.Tokens[i], t.names.pad)
		}
		b.AttentionMask[i] = mask
	}
	return b, nil
}

// wordContext is the text a word follows when TokenID looks at it inside a sentence.
const wordContext = "a"

// TokenID returns the id of word as it appears inside a sentence, after a space: "him" in BERT,
// "Ġhim" in RoBERTa, "▁him" in ALBERT and XLM-R (where a sentence-initial word may differ:
// RoBERTa gives "him" there). The word is normalised like any text (so "Him" is "him" for an
// uncased vocabulary). It fails when word is empty or is not exactly one known token there;
// the error lists the pieces. A special token such as the mask token is returned as itself.
func (t *Tokenizer) TokenID(word string) (int, error) {
	if strings.TrimSpace(word) == "" {
		return 0, errors.New("tokenize: TokenID: empty word")
	}
	if id, ok := t.addedID(word); ok {
		return id, nil
	}
	ctx, _, err := t.tokenize(wordContext)
	if err != nil {
		return 0, err
	}
	ids, toks, err := t.tokenize(wordContext + " " + word)
	if err != nil {
		return 0, err
	}
	if len(ids) < len(ctx) || !slices.Equal(ids[:len(ctx)], ctx) {
		return 0, fmt.Errorf("tokenize: word %q merges with the text before it", word)
	}
	ids, toks = ids[len(ctx):], toks[len(ctx):]
	switch {
	case len(ids) == 0:
		return 0, fmt.Errorf("tokenize: word %q has no tokens after normalisation", word)
	case len(ids) > 1:
		return 0, fmt.Errorf("tokenize: word %q is not a single vocabulary token: it splits into %d pieces %s",
			word, len(ids), strings.Join(toks, " "))
	case ids[0] == t.special.Unk:
		return 0, fmt.Errorf("tokenize: word %q is not in the vocabulary (it becomes %s)", word, t.names.unk)
	}
	return ids[0], nil
}

// addedID returns the id of an added token whose content is exactly s.
func (t *Tokenizer) addedID(s string) (int, bool) {
	for _, list := range [][]addedToken{t.raw, t.normed} {
		for _, a := range list {
			if a.content == s {
				return a.id, true
			}
		}
	}
	return 0, false
}

// Token returns the vocabulary entry for id, or "" when id is out of range.
func (t *Tokenizer) Token(id int) string {
	if id < 0 || id >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// VocabSize is the number of ids (largest id + 1), i.e. the rows of the word-embedding matrix.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// Specials returns the ids of the special tokens.
func (t *Tokenizer) Specials() SpecialIDs { return t.special }

// MaskID is the id of the mask token ([MASK] or <mask>).
func (t *Tokenizer) MaskID() int { return t.special.Mask }

// MaskToken is the mask token as it is written in a text: "[MASK]" for BERT and ALBERT,
// "<mask>" for RoBERTa and XLM-R.
func (t *Tokenizer) MaskToken() string { return t.names.mask }

// CLSID is the id of the token that starts every encoding ([CLS] or <s>).
func (t *Tokenizer) CLSID() int { return t.special.CLS }

// SEPID is the id of the token that ends every encoding ([SEP] or </s>).
func (t *Tokenizer) SEPID() int { return t.special.SEP }

// PadID is the id of the padding token.
func (t *Tokenizer) PadID() int { return t.special.Pad }

// UnkID is the id of the unknown token.
func (t *Tokenizer) UnkID() int { return t.special.Unk }

// tokenize runs the pipeline without the post-processor's special tokens.
func (t *Tokenizer) tokenize(text string) (ids []int, toks []string, err error) {
	emit := func(id int) { ids, toks = append(ids, id), append(toks, t.Token(id)) }
	for _, seg := range splitAdded(text, t.raw) {
		if seg.id >= 0 {
			emit(seg.id)
			continue
		}
		normed := seg.text
		if t.norm != nil {
			normed = t.norm.normalize(seg.text)
		}
		for _, sub := range splitAdded(normed, t.normed) {
			if sub.id >= 0 {
				emit(sub.id)
				continue
			}
			// Metaspace's prepend_scheme "first" treats only the text at the very start specially.
			first := seg.start == 0 && sub.start == 0
			for _, word := range t.pre.split(sub.text, first) {
				pieces, err := t.model.tokenize(word)
				if err != nil {
					return nil, nil, fmt.Errorf("tokenize: word %q: %w", word, err)
				}
				for _, p := range pieces {
					ids, toks = append(ids, p.id), append(toks, p.token)
				}
			}
		}
	}
	return ids, toks, nil
}
