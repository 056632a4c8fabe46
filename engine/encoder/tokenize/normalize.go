package tokenize

import (
	"strings"
	"unicode"

	"github.com/sugarme/tokenizer/normalizer"
	"golang.org/x/text/unicode/norm"
)

// bertNormalizer is HuggingFace's BertNormalizer (tokenizers, Rust), applied
// in the same order: clean text, pad CJK ideographs, strip accents, lower-case.
//
// sugarme's normalizer.BertNormalizer is not used because it differs from HF:
// its clean-text step only turns a whitespace rune into ' ' when it directly
// precedes a removed control rune (so tabs and newlines survive), it treats
// only Cc and Cf as control characters (HF: every C* category, including
// unassigned and private-use code points), and its accent stripping removes Mn
// runes without first decomposing to NFD (so a precomposed "é" is kept). Its
// CJK table and punctuation predicate are correct and are reused below.
type bertNormalizer struct {
	cleanText    bool
	chineseChars bool
	stripAccents bool
	lowercase    bool
}

// normalize returns s normalised as HF's BertNormalizer does.
func (n bertNormalizer) normalize(s string) string {
	if n.cleanText {
		s = cleanText(s)
	}
	if n.chineseChars {
		s = padChinese(s)
	}
	if n.stripAccents {
		s = stripAccents(s)
	}
	if n.lowercase {
		s = lowercase(s)
	}
	return s
}

// isControl reports whether r is a control character in BERT's sense: any
// Unicode category C* (Cc, Cf, Co, Cs and unassigned Cn) except \t, \n, \r,
// which count as whitespace.
func isControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	if unicode.In(r, unicode.C) {
		return true
	}
	// Go has no table for Cn (unassigned): it is whatever no category holds.
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}

// cleanText drops NUL, U+FFFD and control characters and turns every
// whitespace character into a plain space. Invalid UTF-8 decodes to U+FFFD
// and is therefore dropped too.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0 || r == unicode.ReplacementChar || isControl(r):
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// padChinese surrounds every CJK ideograph with spaces so that each becomes
// its own word.
func padChinese(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if normalizer.IsChinese(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripAccents decomposes s to NFD and removes non-spacing marks (Mn).
func stripAccents(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(s))
}

// lowercase lower-cases rune by rune like Rust's char::to_lowercase, which
// tokenizers uses: U+0130 becomes "i\u0307" and there is no final-sigma rule
// (Python's str.lower and JavaScript's toLowerCase would give "ς" for a
// word-final "Σ"; BertTokenizerFast gives "σ").
func lowercase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\u0130' {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// preTokenize is HF's BertPreTokenizer: split on whitespace, then split every
// punctuation character (Unicode P* plus the ASCII symbol ranges, see
// normalizer.IsBertPunctuation) out as a word of its own.
//
// sugarme's pretokenizer.BertPreTokenizer splits on the regexp \s+, which is
// ASCII-only in Go, so U+3000 or U+00A0 would stay inside words when clean
// text is off; this version uses Unicode White_Space like Rust's
// char::is_whitespace.
func preTokenize(s string) []string {
	var words []string
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
		case normalizer.IsBertPunctuation(r):
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
			words = append(words, string(r))
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}

// addedToken is a token matched in the text before the WordPiece model runs
// (HF's added tokens: [CLS], [SEP], [MASK], ...).
type addedToken struct {
	content string
	id      int
	// normalized tokens are matched in the normalised text, the others
	// (all BERT special tokens) in the raw input.
	normalized bool
}

// segment is a piece of input: either an added token (id >= 0) or text.
type segment struct {
	text string
	id   int
}

// splitAdded cuts s at every occurrence of the given tokens, leftmost first
// and longest at a position (HF uses a leftmost-longest Aho-Corasick match).
// Text between matches is returned with id -1. tokens must be sorted longest
// first.
func splitAdded(s string, tokens []addedToken) []segment {
	if len(tokens) == 0 {
		return []segment{{text: s, id: -1}}
	}
	var out []segment
	last := 0
	for i := 0; i < len(s); {
		matched := false
		for _, t := range tokens {
			if strings.HasPrefix(s[i:], t.content) {
				if i > last {
					out = append(out, segment{text: s[last:i], id: -1})
				}
				out = append(out, segment{text: t.content, id: t.id})
				i += len(t.content)
				last = i
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	if last < len(s) {
		out = append(out, segment{text: s[last:], id: -1})
	}
	return out
}
