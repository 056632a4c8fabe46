package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	sgnorm "github.com/sugarme/tokenizer/normalizer"
)

// preTokenizer is one of tokenizers' pre-tokenizers: it cuts a normalised piece of text into
// the words the model tokenises one by one. first says that the piece starts the whole text
// (Metaspace's prepend_scheme "first" needs it).
type preTokenizer interface {
	split(s string, first bool) []string
}

// bertPre is HF's BertPreTokenizer: split on whitespace, then split every punctuation
// character (Unicode P* plus the ASCII symbol ranges, see sgnorm.IsBertPunctuation) out as
// a word of its own.
//
// sugarme's pretokenizer.BertPreTokenizer splits on the regexp \s+, which is ASCII-only in Go,
// so U+3000 or U+00A0 would stay inside words when clean text is off; this version uses
// Unicode White_Space like Rust's char::is_whitespace.
type bertPre struct{}

func (bertPre) split(s string, _ bool) []string {
	var words []string
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
		case sgnorm.IsBertPunctuation(r):
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

// whitespaceSplit is tokenizers' WhitespaceSplit: words are the runs between whitespace.
type whitespaceSplit struct{}

func (whitespaceSplit) split(s string, _ bool) []string {
	return strings.FieldsFunc(s, unicode.IsSpace)
}

// preSequence applies pre-tokenizers in turn, each to every word of the one before.
type preSequence []preTokenizer

func (q preSequence) split(s string, first bool) []string {
	words := []string{s}
	for _, p := range q {
		var next []string
		for i, w := range words {
			next = append(next, p.split(w, first && i == 0)...)
		}
		words = next
	}
	return words
}

// prependScheme is when Metaspace puts its replacement character before a piece of text.
type prependScheme int

const (
	prependAlways prependScheme = iota // every piece (the default, and add_prefix_space: true)
	prependFirst                       // only the piece at the start of the text
	prependNever                       // never (add_prefix_space: false)
)

// metaspace is tokenizers' Metaspace, SentencePiece's word marking: every space becomes the
// replacement ("▁"), one is put before the text as the prepend scheme says, and with split the
// text is cut before every replacement ("▁a▁b" → "▁a", "▁b").
type metaspace struct {
	replacement string
	prepend     prependScheme
	splitWords  bool
}

func (m metaspace) split(s string, first bool) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, " ", m.replacement)
	if m.prepend == prependAlways || (m.prepend == prependFirst && first) {
		if !strings.HasPrefix(s, m.replacement) {
			s = m.replacement + s
		}
	}
	if !m.splitWords {
		return []string{s}
	}
	var words []string
	for {
		i := strings.Index(s[1:], m.replacement)
		if i < 0 {
			break
		}
		// s[1:] skips at most one byte of a leading replacement; cut at its real start.
		cut := 1 + i
		words = append(words, s[:cut])
		s = s[cut:]
	}
	return append(words, s)
}

// byteLevel is tokenizers' ByteLevel pre-tokenizer (GPT-2's and RoBERTa's): with
// add_prefix_space a space is put before text that does not start with one, the text is split
// by GPT-2's regular expression (use_regex), and every byte of a word is spelled as the
// printable character GPT-2 maps it to (a space is "Ġ", a newline "Ċ").
type byteLevel struct {
	addPrefixSpace, useRegex bool
}

func (b byteLevel) split(s string, _ bool) []string {
	if b.addPrefixSpace && !strings.HasPrefix(s, " ") {
		s = " " + s
	}
	if s == "" {
		return nil
	}
	words := []string{s}
	if b.useRegex {
		words = gpt2Split(s)
	}
	for i, w := range words {
		words[i] = bytesToUnicode(w)
	}
	return words
}

// byteChar maps each byte to the character GPT-2's bytes_to_unicode gives it: the printable
// Latin-1 bytes stand for themselves, the others are 256 + their rank among them.
var byteChar = func() [256]rune {
	var m [256]rune
	n := 0
	for b := range 256 {
		if ('!' <= b && b <= '~') || ('¡' <= b && b <= '¬') || ('®' <= b && b <= 'ÿ') {
			m[b] = rune(b)
		} else {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}()

// bytesToUnicode spells the bytes of s with byteChar.
func bytesToUnicode(s string) string {
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(byteChar[s[i]])
	}
	return b.String()
}

// gpt2Split splits s as GPT-2's pattern (tokenizers' ByteLevel, matched with Oniguruma) does:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Go's regexp has no lookahead, so the alternatives are matched by hand, in their order, at
// each position.
func gpt2Split(s string) []string {
	var words []string
	for i := 0; i < len(s); {
		n := gpt2Match(s[i:])
		words = append(words, s[i:i+n])
		i += n
	}
	return words
}

// gpt2Match returns the byte length of the pattern's match at the start of s (never 0).
func gpt2Match(s string) int {
	for _, c := range []string{"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"} {
		if strings.HasPrefix(s, c) {
			return len(c)
		}
	}
	r, n := utf8.DecodeRuneInString(s)
	start := 0 // where the class run starts (after an optional space)
	if r == ' ' && len(s) > 1 {
		if r2, _ := utf8.DecodeRuneInString(s[1:]); !unicode.IsSpace(r2) {
			start, r = 1, r2
		}
	}
	if start == 1 || !unicode.IsSpace(r) {
		class := runeClass(r)
		end := start
		for end < len(s) {
			c, w := utf8.DecodeRuneInString(s[end:])
			if runeClass(c) != class {
				break
			}
			end += w
		}
		return end
	}
	// A whitespace run: \s+(?!\S) leaves its last character to the word that follows, unless
	// the run is that one character (then \s+ takes it).
	end, last := 0, 0
	for end < len(s) {
		c, w := utf8.DecodeRuneInString(s[end:])
		if !unicode.IsSpace(c) {
			break
		}
		last = end
		end += w
	}
	if end < len(s) && last > 0 {
		return last
	}
	if end == 0 {
		return n
	}
	return end
}

// Character classes of the GPT-2 pattern: letters, numbers, whitespace and the rest.
const (
	classLetter = iota
	classNumber
	classSpace
	classOther
)

func runeClass(r rune) int {
	switch {
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}
