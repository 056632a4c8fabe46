package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// addedToken is a token matched in the text before the model runs (HF's added tokens:
// [CLS], [MASK], <mask>, ...).
type addedToken struct {
	content string
	id      int
	// lstrip and rstrip make a match take the whitespace on its left / right with it, as
	// RoBERTa's "<mask>" does ("a <mask>" is "a" + "<mask>", not "a" + "Ġ" + "<mask>").
	lstrip, rstrip bool
	// singleWord tokens only match where no word character touches them.
	singleWord bool
}

// segment is a piece of input: either an added token (id >= 0) or text, starting at byte
// start of the string it was cut from.
type segment struct {
	text  string
	id    int
	start int
}

// splitAdded cuts s at every occurrence of the given tokens, as tokenizers' AddedVocabulary
// does: leftmost match first and the longest at a position (a leftmost-longest Aho-Corasick
// match), lstrip/rstrip extending a match over the whitespace beside it, single-word tokens
// skipped inside words. Text between matches is returned with id -1. tokens must be sorted
// longest first.
func splitAdded(s string, tokens []addedToken) []segment {
	if len(tokens) == 0 || s == "" {
		return []segment{{text: s, id: -1}}
	}
	var out []segment
	last := 0 // end of the previous match
	for i := 0; i < len(s); {
		t, ok := matchAt(s, i, tokens)
		if !ok {
			i++
			continue
		}
		start, stop := i, i+len(t.content)
		if t.lstrip {
			start = max(last, len(strings.TrimRightFunc(s[:start], unicode.IsSpace)))
		}
		if t.rstrip {
			stop = len(s) - len(strings.TrimLeftFunc(s[stop:], unicode.IsSpace))
		}
		if start > last {
			out = append(out, segment{text: s[last:start], id: -1, start: last})
		}
		out = append(out, segment{text: s[start:stop], id: t.id, start: start})
		last, i = stop, stop
	}
	if last < len(s) {
		out = append(out, segment{text: s[last:], id: -1, start: last})
	}
	return out
}

// matchAt returns the longest token that occurs at s[i:] and may match there.
func matchAt(s string, i int, tokens []addedToken) (addedToken, bool) {
	for _, t := range tokens {
		if !strings.HasPrefix(s[i:], t.content) {
			continue
		}
		if t.singleWord && (endsWithWord(s[:i]) || startsWithWord(s[i+len(t.content):])) {
			continue
		}
		return t, true
	}
	return addedToken{}, false
}

// isWordChar is tokenizers' word character for single_word tokens.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || r == '_'
}

func endsWithWord(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && isWordChar(r)
}

func startsWithWord(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && isWordChar(r)
}
