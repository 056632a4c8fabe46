// Package tokenize is a BERT WordPiece tokenizer whose output equals
// HuggingFace's BertTokenizerFast (tokenizers, Rust) and BertTokenizer for
// uncased and cased BERT vocabularies.
//
// The pipeline is HF's: added/special tokens such as "[MASK]" are cut out of
// the raw text first, the rest is normalised (control characters dropped,
// whitespace unified, CJK ideographs isolated, accents stripped, lower-cased),
// split on whitespace and punctuation, and each word is cut into "##"
// word pieces by greedy longest match (github.com/sugarme/tokenizer's
// WordPiece model). A word longer than 100 characters, or one with a
// character sequence no piece covers, becomes a single [UNK]. Encode wraps
// the result in [CLS] ... [SEP].
//
// Where HF's two implementations disagree this package follows the fast
// (Rust) one: no NFC pass before splitting (the slow BertBasicTokenizer
// composes "e\u0301" to "é" first, which matters for cased vocabularies) and
// no final-sigma rule when lower-casing.
//
// Goldens produced with HF's JavaScript port live in testdata/golden.json;
// see scripts/tokref/golden.mjs.
package tokenize

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sugarme/tokenizer/model/wordpiece"
)

// Tokenizer turns text into BERT token ids. It is safe for concurrent use.
type Tokenizer struct {
	model  wordpiece.WordPiece
	tokens []string // id -> token, as written in the vocabulary
	norm   bertNormalizer
	// raw are the added tokens matched before normalisation, normed those
	// matched after it; both sorted longest first.
	raw, normed []addedToken
	special     SpecialIDs
	unkToken    string
	padToken    string
}

// SpecialIDs holds the ids of BERT's special tokens.
type SpecialIDs struct {
	Pad, Unk, CLS, SEP, Mask int
}

// Encoding is one tokenised text: ids and their tokens, [CLS] first and
// [SEP] last.
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

// Encode tokenises text and adds [CLS] and [SEP].
func (t *Tokenizer) Encode(text string) (Encoding, error) {
	ids, toks, err := t.tokenize(text)
	if err != nil {
		return Encoding{}, err
	}
	enc := Encoding{
		IDs:    make([]int, 0, len(ids)+2),
		Tokens: make([]string, 0, len(ids)+2),
	}
	enc.IDs = append(append(append(enc.IDs, t.special.CLS), ids...), t.special.SEP)
	enc.Tokens = append(append(append(enc.Tokens, t.Token(t.special.CLS)), toks...), t.Token(t.special.SEP))
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
			b.Tokens[i] = append(b.Tokens[i], t.padToken)
		}
		b.AttentionMask[i] = mask
	}
	return b, nil
}

// TokenID returns the id of word, normalised like input text (so "Him" is
// "him" for an uncased vocabulary). It fails when word is empty or does not
// tokenise to exactly one known token; the error lists the pieces.
func (t *Tokenizer) TokenID(word string) (int, error) {
	if word == "" {
		return 0, errors.New("tokenize: TokenID: empty word")
	}
	ids, toks, err := t.tokenize(word)
	if err != nil {
		return 0, err
	}
	switch {
	case len(ids) == 0:
		return 0, fmt.Errorf("tokenize: word %q has no tokens after normalisation", word)
	case len(ids) > 1:
		return 0, fmt.Errorf("tokenize: word %q is not a single vocabulary token: it splits into %d pieces %s",
			word, len(ids), strings.Join(toks, " "))
	case ids[0] == t.special.Unk && word != t.unkToken:
		return 0, fmt.Errorf("tokenize: word %q is not in the vocabulary (it becomes %s)", word, t.unkToken)
	}
	return ids[0], nil
}

// Token returns the vocabulary entry for id, or "" when id is out of range.
func (t *Tokenizer) Token(id int) string {
	if id < 0 || id >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// VocabSize is the number of ids (largest id + 1), i.e. the rows of BERT's
// word-embedding matrix.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// Specials returns the ids of the special tokens.
func (t *Tokenizer) Specials() SpecialIDs { return t.special }

// MaskID is the id of the mask token ([MASK]).
func (t *Tokenizer) MaskID() int { return t.special.Mask }

// CLSID is the id of the classifier token ([CLS]) that starts every encoding.
func (t *Tokenizer) CLSID() int { return t.special.CLS }

// SEPID is the id of the separator token ([SEP]) that ends every encoding.
func (t *Tokenizer) SEPID() int { return t.special.SEP }

// PadID is the id of the padding token ([PAD]).
func (t *Tokenizer) PadID() int { return t.special.Pad }

// UnkID is the id of the unknown token ([UNK]).
func (t *Tokenizer) UnkID() int { return t.special.Unk }

// tokenize runs the pipeline without [CLS]/[SEP].
func (t *Tokenizer) tokenize(text string) (ids []int, toks []string, err error) {
	for _, seg := range splitAdded(text, t.raw) {
		if seg.id >= 0 {
			ids, toks = append(ids, seg.id), append(toks, t.Token(seg.id))
			continue
		}
		for _, sub := range splitAdded(t.norm.normalize(seg.text), t.normed) {
			if sub.id >= 0 {
				ids, toks = append(ids, sub.id), append(toks, t.Token(sub.id))
				continue
			}
			for _, word := range preTokenize(sub.text) {
				pieces, err := t.model.Tokenize(word)
				if err != nil {
					return nil, nil, fmt.Errorf("tokenize: word %q: %w", word, err)
				}
				for _, p := range pieces {
					ids, toks = append(ids, p.Id), append(toks, p.Value)
				}
			}
		}
	}
	return ids, toks, nil
}
