package sentences

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"

	"lesionui/internal/files"
)

// EvalSection is the header of the evaluation section of a sentence file.
const EvalSection = "[eval]"

// BuiltinEvalName is the Name of the built-in evaluation set.
const BuiltinEvalName = "builtin: him/her evaluation set"

//go:embed builtin_eval.txt
var builtinEval string

// EvalItem is one item of an evaluation set: a text with exactly one [MASK], and the group word
// that belongs there.
type EvalItem struct {
	Word string // the answer: one of the two group words
	Text string
	Line int // 1-based line in the source file
}

// EvalSet is a held-out set of masked items on which a lesion's effect on the two words' margin is
// measured.
//
// # The [eval] section
//
// An evaluation set is the [eval] section of a file in the sentence-file format, alone in its file or
// next to the contrast set's sections (then one file serves as both --sentences and --eval):
//
//	[eval]
//	her: She asked me to call [MASK] back.
//	him: Omar missed the last bus, so a neighbor drove [MASK] to work.
//
// Every line up to the next section header is one item, "word: text": the word is the answer and must
// be one of the contrast set's two group words (CheckWords), the text holds exactly one [MASK] where
// that word belongs. Comments, blank lines and trimming follow the rest of the format; other sections
// are skipped. A file needs exactly one [eval] section with at least 2 items.
type EvalSet struct {
	Name   string // BuiltinEvalName, or the file path
	Source string // the file path, or "" for the built-in set
	Items  []EvalItem
}

// BuiltinEval returns a fresh copy of lesionui's built-in evaluation set (sentences/builtin_eval.txt:
// 160 items, 80 answering "him" and 80 answering "her", none of them the notebook's sentences).
func BuiltinEval() *EvalSet {
	e, err := ParseEval(strings.NewReader(builtinEval), BuiltinEvalName)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	e.Source = ""
	return e
}

// LoadEval reads the [eval] section of the file at path.
func LoadEval(path string) (*EvalSet, error) {
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("evaluation set: %w", err)
	}
	defer f.Close()
	return ParseEval(f, path)
}

// ParseEval reads the [eval] section of a sentence file; name is the file name used in errors and as
// the set's Name and Source. It checks the structure only: see CheckWords and Validate. Errors are
// *Error values with the file and line; the items' problems are reported all at once, joined.
func ParseEval(r io.Reader, name string) (*EvalSet, error) {
	e := &EvalSet{Name: name, Source: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line, header, in := 0, 0, false
	var errs []error // the items' problems, all of them
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		text = strings.TrimSpace(text)
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
		case strings.HasPrefix(text, "["):
			in = sectionName(text) == EvalSection
			if in && header != 0 {
				return nil, &Error{name, line, fmt.Sprintf("second %s section (first at line %d)", EvalSection, header)}
			}
			if in {
				header = line
			}
		case in:
			item, err := parseEvalItem(text)
			if err != nil {
				errs = append(errs, &Error{name, line, err.Error()})
				continue
			}
			item.Line = line
			e.Items = append(e.Items, item)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{name, line + 1, fmt.Sprintf("reading: %v", err)}
	}
	switch {
	case len(errs) > 0:
		return nil, errors.Join(errs...)
	case header == 0:
		return nil, &Error{name, max(line, 1), fmt.Sprintf("end of file: no %s section", EvalSection)}
	case len(e.Items) < 2:
		return nil, &Error{name, header, fmt.Sprintf("%s has %d item(s); the interval over items needs at least 2", EvalSection, len(e.Items))}
	}
	return e, nil
}

// sectionName returns a header line without its trailing comment, e.g. "[eval]".
func sectionName(text string) string {
	if i := strings.Index(text, "#"); i >= 0 {
		text = text[:i]
	}
	return strings.TrimSpace(text)
}

// parseEvalItem reads "word: text" with exactly one [MASK] in the text.
func parseEvalItem(line string) (EvalItem, error) {
	word, text, ok := strings.Cut(line, ":")
	word, text = strings.TrimSpace(word), strings.TrimSpace(text)
	switch masks := strings.Count(text, Mask); {
	case !ok || word == "" || strings.ContainsAny(word, " \t"):
		return EvalItem{}, fmt.Errorf("want \"word: text with %s\" (the answer word, a colon, the text)", Mask)
	case text == "":
		return EvalItem{}, fmt.Errorf("empty text for %q", word)
	case masks == 0:
		return EvalItem{}, fmt.Errorf("no %s in the text: mark where %q belongs", Mask, word)
	case masks > 1:
		return EvalItem{}, fmt.Errorf("%d %s in the text, want exactly 1", masks, Mask)
	}
	return EvalItem{Word: word, Text: text}, nil
}

// CheckWords checks that every item's answer is one of the two group words, so that each item can be
// lesioned with its word's units. It returns all problems, joined, each an *Error at the item's line.
func (e *EvalSet) CheckWords(words [2]string) error {
	var errs []error
	for _, it := range e.Items {
		if it.Word != words[0] && it.Word != words[1] {
			errs = append(errs, &Error{e.Name, it.Line, fmt.Sprintf("answer %q is not one of the group words %q and %q", it.Word, words[0], words[1])})
		}
	}
	return errors.Join(errs...)
}

// Validate checks the items against the group words (CheckWords) and the model's vocabulary: each
// answer is a single vocabulary token and each text tokenizes with exactly one [MASK]. It returns all
// problems, joined, each an *Error at the item's line.
func (e *EvalSet) Validate(v Vocabulary, words [2]string) error {
	errs := []error{e.CheckWords(words)}
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{e.Name, line, fmt.Sprintf(format, args...)})
	}
	for _, it := range e.Items {
		if _, err := v.WordToken(it.Word); err != nil {
			toks, _ := v.Tokens(it.Word)
			fail(it.Line, "answer %q is not a single vocabulary token (it tokenizes as %s)", it.Word, quoteAll(toks))
		}
		toks, err := v.Tokens(it.Text)
		if err != nil {
			fail(it.Line, "tokenizing %q: %v", it.Text, err)
			continue
		}
		if c := count(toks, Mask); c != 1 {
			fail(it.Line, "%q tokenizes with %d %s, want exactly 1", it.Text, c, Mask)
		}
	}
	return errors.Join(errs...)
}
