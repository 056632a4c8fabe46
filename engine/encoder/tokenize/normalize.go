package tokenize

import (
	"regexp"
	"strings"
	"unicode"

	sgnorm "github.com/sugarme/tokenizer/normalizer"
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
func (n *bertNormalizer) normalize(s string) string {
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
		if sgnorm.IsChinese(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripAccents decomposes s to NFD and removes non-spacing marks (Mn), as BertNormalizer does.
func stripAccents(s string) string { return removeRunes(norm.NFD.String(s), unicode.Mn) }

// removeRunes drops the runes of s that are in table.
func removeRunes(s string, table *unicode.RangeTable) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(table, r) {
			return -1
		}
		return r
	}, s)
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

// normalizer is one of tokenizers' normalizers: it rewrites a piece of text before it is split.
type normalizer interface {
	normalize(s string) string
}

// sequence applies normalizers in turn (tokenizers' Sequence).
type sequence []normalizer

func (q sequence) normalize(s string) string {
	for _, n := range q {
		s = n.normalize(s)
	}
	return s
}

// unicodeForm is one of the NFC, NFD, NFKC, NFKD normalizers.
type unicodeForm struct{ form norm.Form }

func (u unicodeForm) normalize(s string) string { return u.form.String(s) }

// lowercaser is tokenizers' Lowercase (Rust's char::to_lowercase, see lowercase).
type lowercaser struct{}

func (lowercaser) normalize(s string) string { return lowercase(s) }

// accentStripper is tokenizers' StripAccents: it removes every combining mark (M*), without
// decomposing first (the NFKD before it in ALBERT's chain does that).
type accentStripper struct{}

func (accentStripper) normalize(s string) string { return removeRunes(s, unicode.M) }

// stripper is tokenizers' Strip: whitespace removed on the left and/or right.
type stripper struct{ left, right bool }

func (p stripper) normalize(s string) string {
	if p.left {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
	}
	if p.right {
		s = strings.TrimRightFunc(s, unicode.IsSpace)
	}
	return s
}

// prepender is tokenizers' Prepend: a prefix put before any non-empty text.
type prepender struct{ prefix string }

func (p prepender) normalize(s string) string {
	if s == "" {
		return s
	}
	return p.prefix + s
}

// replacer is tokenizers' Replace: every match of a literal string or a regular expression is
// replaced by content.
type replacer struct {
	literal string         // when re is nil
	re      *regexp.Regexp // a Regex pattern
	content string
}

func (r replacer) normalize(s string) string {
	if r.re != nil {
		return r.re.ReplaceAllLiteralString(s, r.content)
	}
	if r.literal == "" {
		return s
	}
	return strings.ReplaceAll(s, r.literal, r.content)
}
