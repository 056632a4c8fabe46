// Package sentences holds the contrast set of the lesioning study: two groups of sentences that differ in a
// target word (the t-test compares activations at that word), and the test texts whose [MASK] predictions
// the lesions are measured on. Builtin returns the notebook's set (54 "him" and 54 "her" sentences, kept
// verbatim, typos included); Parse and LoadFile read a user set; WriteTo writes one back out.
//
// # File format
//
//	# comments and blank lines are ignored
//	[him]                       # group A: header names the target word
//	I saw him at the market.
//	...
//	[her]                       # group B
//	I saw her at the market.
//	...
//	[test]
//	clean: Robert helped Lucy with her project, and she thanked him for his hard work.
//	her: Robert helped Lucy with [MASK] project, and she thanked him for his hard work.
//	him: Robert helped Lucy with her project, and she thanked [MASK] for his hard work.
//
// The file holds exactly two group sections, then one [test] section. A group header names its target word (a
// single word, no spaces, not "test", "eval" or "clean"); every following line up to the next header is one sentence
// of that group, and each group needs at least 2 sentences. The t-test direction is first group versus second
// (t > 0: the first group's activations are larger). The [test] section has three labelled lines: "clean:"
// with the unmasked text, and one line per group word with the clean text in which that word is replaced by
// [MASK] (exactly one [MASK]); the order of the two masked lines is the order of ContrastSet.Masked. A line
// whose first non-blank character is '#' is a comment, and headers may carry a trailing "# comment"; inside
// sentences and test texts '#' is ordinary text. A line starting with '[' is always a header. Leading and
// trailing blanks are trimmed. An [eval] section (an evaluation set, see EvalSet) may stand anywhere in
// the file; Parse skips it and ParseEval reads it.
//
// Parse checks the structure; Validate checks, with the model's tokenizer, that every sentence contains its
// target word exactly once as a single token and that each masked text is the clean text with that one token
// replaced by [MASK]. Every error is an *Error carrying the file and line.
package sentences

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"lesionui/internal/files"
)

// Mask is the mask token of the test texts.
const Mask = "[MASK]"

// BuiltinName is the Name of the built-in contrast set.
const BuiltinName = "builtin: him/her (notebook)"

// Sentence is one contrast sentence.
type Sentence struct {
	Text string
	Line int // 1-based line in the source file; 0 for the built-in set
}

// Group is the set of sentences sharing one target word.
type Group struct {
	Word      string // target word, e.g. "him"
	Line      int    // line of the group header; 0 for the built-in set
	Sentences []Sentence
}

// TestText is one of the texts the lesion effects are measured on.
type TestText struct {
	Word string // "" for the clean text, else the group word replaced by [MASK]
	Text string
	Line int // 1-based line in the source file; 0 for the built-in set
}

// ContrastSet is a complete study input: two sentence groups and the test texts.
type ContrastSet struct {
	Name   string // BuiltinName, or the file path
	Source string // the file path, or "" for the built-in set
	A, B   Group  // t-test direction A vs B (t > 0: A > B); built-in: A = him (54), B = her (54)
	Clean  TestText
	// Masked holds the masked test texts in file order; built-in (the notebook's order): Masked[0] masks
	// "her" (text 1), Masked[1] masks "him" (text 2).
	Masked [2]TestText
}

// Error is a problem in a contrast set, located by file and line.
type Error struct {
	File string // file path, or BuiltinName
	Line int    // 1-based line; 0 when the text has no line (built-in set)
	Msg  string
}

// Error formats the error as "file:line: message" (or "file: message" without a line).
func (e *Error) Error() string { return e.Location() + ": " + e.Msg }

// Location is where the error is: "file:line", or "file" without a line.
func (e *Error) Location() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return e.File
}

// Builtin returns a fresh copy of the notebook's contrast set.
func Builtin() *ContrastSet {
	group := func(word string, texts []string) Group {
		g := Group{Word: word, Sentences: make([]Sentence, len(texts))}
		for i, t := range texts {
			g.Sentences[i] = Sentence{Text: t}
		}
		return g
	}
	const clean = "Robert helped Lucy with her project, and she thanked him for his hard work."
	return &ContrastSet{
		Name:  BuiltinName,
		A:     group("him", notebookHim),
		B:     group("her", notebookHer),
		Clean: TestText{Text: clean},
		Masked: [2]TestText{
			{Word: "her", Text: "Robert helped Lucy with [MASK] project, and she thanked him for his hard work."},
			{Word: "him", Text: "Robert helped Lucy with her project, and she thanked [MASK] for his hard work."},
		},
	}
}

// maxFileLen bounds a contrast-set file: 16 MB is some 200,000 sentences.
const maxFileLen = 16 << 20

// LoadFile reads and parses the contrast-set file at path, which must be a regular file (a
// FIFO or device is refused rather than waited on) of at most 16 MB.
func LoadFile(path string) (*ContrastSet, error) {
	b, err := files.ReadRegular(path, maxFileLen)
	if err != nil {
		return nil, fmt.Errorf("contrast set: %w", err)
	}
	return Parse(bytes.NewReader(b), path)
}

// parser is the state of Parse.
type parser struct {
	name    string
	set     *ContrastSet
	groups  []*Group
	section string         // "", "group", "test" or "eval"
	test    int            // line of the [test] header, 0 before it
	seen    map[string]int // test label -> line
	masked  int            // masked test lines read so far
}

// Parse reads a contrast set in the file format of the package doc; name is the file name used in errors
// and as the set's Name and Source. It checks the structure only; see Validate for the token-level checks.
// Lines may end in "\n", "\r\n" or a lone "\r" (classic Mac OS), and the file may start with a UTF-8 byte
// order mark.
func Parse(r io.Reader, name string) (*ContrastSet, error) {
	p := &parser{name: name, set: &ContrastSet{Name: name, Source: name}, seen: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	sc.Split(scanLines)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if err := p.line(line, strings.TrimSpace(text)); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{name, line + 1, fmt.Sprintf("reading: %v", err)}
	}
	if err := p.finish(line); err != nil {
		return nil, err
	}
	return p.set, nil
}

// scanLines is bufio.ScanLines for every line ending text files have: "\n" (Unix), "\r\n"
// (Windows) and a lone "\r" (classic Mac OS), so that line numbers are right in each.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i >= 0 && data[i] == '\n':
		return i + 1, data[:i], nil
	case i >= 0 && i+1 < len(data):
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	case i >= 0 && atEOF:
		return i + 1, data[:i], nil
	case i >= 0:
		return 0, nil, nil // a '\r' ends the buffer: the next byte tells "\r" from "\r\n"
	case atEOF && len(data) > 0:
		return len(data), data, nil
	}
	return 0, nil, nil
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{p.name, line, fmt.Sprintf(format, args...)}
}

// line handles one trimmed line.
func (p *parser) line(n int, text string) error {
	switch {
	case text == "" || strings.HasPrefix(text, "#"):
		return nil
	case strings.HasPrefix(text, "["):
		return p.header(n, text)
	case p.section == "":
		return p.errorf(n, "text outside a section (expected a [word] group header first)")
	case p.section == "eval":
		return nil // the evaluation set's section: ParseEval reads it
	case p.section == "group":
		g := p.groups[len(p.groups)-1]
		g.Sentences = append(g.Sentences, Sentence{Text: text, Line: n})
		return nil
	}
	return p.testLine(n, text)
}

// header handles a "[...]" line, with an optional trailing comment.
func (p *parser) header(n int, text string) error {
	if i := strings.Index(text, "#"); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	word, ok := strings.CutPrefix(text, "[")
	word, closed := strings.CutSuffix(word, "]")
	word = strings.TrimSpace(word)
	if !ok || !closed || word == "" || strings.ContainsAny(word, " \t[]") {
		return p.errorf(n, "unknown section %s (want [word] for a group, [test] or [eval])", text)
	}
	if err := p.closeGroup(); err != nil {
		return err
	}
	if word == "eval" {
		p.section = "eval"
		return nil
	}
	if word == "test" {
		if p.test != 0 {
			return p.errorf(n, "second [test] section (first at line %d)", p.test)
		}
		if len(p.groups) < 2 {
			return p.errorf(n, "[test] after %d group(s); two groups come first", len(p.groups))
		}
		p.test, p.section = n, "test"
		return nil
	}
	if p.test != 0 {
		return p.errorf(n, "group [%s] after [test]; the two groups come first", word)
	}
	if word == "clean" {
		return p.errorf(n, "group word \"clean\" is reserved for the clean test line")
	}
	if len(p.groups) == 2 {
		return p.errorf(n, "third group [%s]; a contrast set has exactly two", word)
	}
	for _, g := range p.groups {
		if g.Word == word {
			return p.errorf(n, "group word %q repeated (first at line %d)", word, g.Line)
		}
	}
	g := &p.set.A
	if len(p.groups) == 1 {
		g = &p.set.B
	}
	*g = Group{Word: word, Line: n}
	p.groups = append(p.groups, g)
	p.section = "group"
	return nil
}

// closeGroup checks the size of the group section being left, if any.
func (p *parser) closeGroup() error {
	if p.section != "group" {
		return nil
	}
	g := p.groups[len(p.groups)-1]
	if len(g.Sentences) < 2 {
		return p.errorf(g.Line, "group [%s] has %d sentence(s); the t-test needs at least 2", g.Word, len(g.Sentences))
	}
	return nil
}

// testLine handles a "label: text" line of the [test] section.
func (p *parser) testLine(n int, line string) error {
	label, text, ok := strings.Cut(line, ":")
	label, text = strings.TrimSpace(label), strings.TrimSpace(text)
	if !ok || label == "" || strings.ContainsAny(label, " \t") {
		return p.errorf(n, "unlabelled test line (want \"clean: text\", \"%s: text\" or \"%s: text\")",
			p.set.A.Word, p.set.B.Word)
	}
	if label != "clean" && label != p.set.A.Word && label != p.set.B.Word {
		return p.errorf(n, "test label %q is not clean, %s or %s", label, p.set.A.Word, p.set.B.Word)
	}
	if first, dup := p.seen[label]; dup {
		return p.errorf(n, "duplicate test line %q (first at line %d)", label, first)
	}
	p.seen[label] = n
	if text == "" {
		return p.errorf(n, "empty test text for %q", label)
	}
	masks := strings.Count(text, Mask)
	if label == "clean" {
		if masks != 0 {
			return p.errorf(n, "clean test text contains %s", Mask)
		}
		p.set.Clean = TestText{Text: text, Line: n}
		return nil
	}
	if masks != 1 {
		return p.errorf(n, "masked test text for %q has %d %s, want exactly 1", label, masks, Mask)
	}
	p.set.Masked[p.masked] = TestText{Word: label, Text: text, Line: n}
	p.masked++
	return nil
}

// finish checks what must be present at the end of the file (last is its last line number).
func (p *parser) finish(last int) error {
	if err := p.closeGroup(); err != nil {
		return err
	}
	end := max(last, 1)
	if p.test == 0 {
		return p.errorf(end, "end of file: %d group(s) and no [test] section; want two groups then [test]", len(p.groups))
	}
	for _, label := range []string{"clean", p.set.A.Word, p.set.B.Word} {
		if p.seen[label] == 0 {
			return p.errorf(p.test, "[test] lacks the %q line", label)
		}
	}
	return nil
}

// WriteTo writes s in the file format of the package doc, so that Parse reads back the same groups and
// texts (line numbers aside). It implements io.WriterTo. It writes nothing and returns an error if a sentence
// could not be read back as written: empty, with surrounding blanks, a line break, or a leading '#' or '['.
func (s *ContrastSet) WriteTo(w io.Writer) (int64, error) {
	for _, g := range []Group{s.A, s.B} {
		for _, t := range g.Sentences {
			if t.Text == "" || t.Text != strings.TrimSpace(t.Text) || strings.ContainsAny(t.Text, "\r\n") ||
				strings.HasPrefix(t.Text, "#") || strings.HasPrefix(t.Text, "[") {
				return 0, fmt.Errorf("contrast set %s: group [%s]: sentence %q cannot be written as one line of the file format",
					s.Name, g.Word, t.Text)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# lesionui contrast set (%s)\n", s.Name)
	b.WriteString("# Two groups of sentences, each with its target word exactly once; the t-test compares\n")
	b.WriteString("# the first group against the second. [test] gives the clean text and, per word, the\n")
	b.WriteString("# text with that word replaced by [MASK].\n")
	for _, g := range []Group{s.A, s.B} {
		fmt.Fprintf(&b, "\n[%s]\n", g.Word)
		for _, t := range g.Sentences {
			b.WriteString(t.Text + "\n")
		}
	}
	fmt.Fprintf(&b, "\n[test]\nclean: %s\n", s.Clean.Text)
	for _, m := range s.Masked {
		fmt.Fprintf(&b, "%s: %s\n", m.Word, m.Text)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Vocabulary is what Validate needs from a tokenizer.
//
// Tokens returns the word pieces of text as the model sees them ("##" continuation pieces included), with
// [MASK] in the text kept as the single piece "[MASK]"; special tokens such as [CLS] and [SEP] may be
// included or not, as long as it is consistent. WordToken returns the single token word is inside a
// sentence, after a space ("him" for BERT, "Ġhim" for RoBERTa, "▁him" for SentencePiece models), as Tokens
// spells it, or an error if word is not a single vocabulary token there.
type Vocabulary interface {
	Tokens(text string) ([]string, error)
	WordToken(word string) (string, error)
}

// Validate checks s against the model's vocabulary: each group word is a single vocabulary token; every
// sentence contains its group's word exactly once as a whole token; and each masked test text tokenizes like
// the clean text except for exactly one position, where the clean text has the masked word and the masked
// text has [MASK]. It returns all problems found, joined, each an *Error with file and line.
func (s *ContrastSet) Validate(v Vocabulary) error {
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{s.Name, line, fmt.Sprintf(format, args...)})
	}
	pieces := map[string]string{} // group word -> its token
	for _, g := range []Group{s.A, s.B} {
		tok, err := v.WordToken(g.Word)
		if err != nil {
			toks, _ := v.Tokens(g.Word)
			fail(g.Line, "group word %q is not a single vocabulary token (it tokenizes as %s)", g.Word, quoteAll(toks))
			continue
		}
		pieces[g.Word] = tok
		for _, sent := range g.Sentences {
			toks, err := v.Tokens(sent.Text)
			if err != nil {
				fail(sent.Line, "tokenizing %q: %v", sent.Text, err)
				continue
			}
			if c := count(toks, tok); c != 1 {
				what := fmt.Sprintf("%q", tok)
				if tok != g.Word { // "Ġhim": the word's token inside a sentence is not the word itself
					what += fmt.Sprintf(" (the word %q inside a sentence)", g.Word)
				}
				fail(sent.Line, "sentence %q contains the token %s %d times, want exactly once", sent.Text, what, c)
			}
		}
	}
	if a, b := pieces[s.A.Word], pieces[s.B.Word]; a != "" && a == b {
		fail(s.B.Line, "group words %q and %q are the same token %q: the groups would not differ", s.A.Word, s.B.Word, a)
		return errors.Join(errs...)
	}
	if err := s.validateTests(v, pieces); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validateTests checks the masked test texts against the clean one; pieces maps group words to their tokens.
func (s *ContrastSet) validateTests(v Vocabulary, pieces map[string]string) error {
	clean, err := v.Tokens(s.Clean.Text)
	if err != nil {
		return &Error{s.Name, s.Clean.Line, fmt.Sprintf("tokenizing the clean test text: %v", err)}
	}
	var errs []error
	for _, m := range s.Masked {
		fail := func(format string, args ...any) {
			errs = append(errs, &Error{s.Name, m.Line, fmt.Sprintf("masked test text for %q: ", m.Word) + fmt.Sprintf(format, args...)})
		}
		word, ok := pieces[m.Word]
		if !ok {
			if m.Word != s.A.Word && m.Word != s.B.Word {
				fail("%q is not a group word (%s, %s)", m.Word, s.A.Word, s.B.Word)
			}
			continue // otherwise the group word itself is already reported
		}
		toks, err := v.Tokens(m.Text)
		if err != nil {
			fail("tokenizing: %v", err)
			continue
		}
		if len(toks) != len(clean) {
			fail("%d tokens, the clean text has %d; it must be the clean text with one %q replaced by %s",
				len(toks), len(clean), m.Word, Mask)
			continue
		}
		var diff []int
		for i := range toks {
			if toks[i] != clean[i] {
				diff = append(diff, i)
			}
		}
		switch {
		case len(diff) != 1:
			fail("differs from the clean text at %d token positions, want exactly one (%q -> %s)", len(diff), m.Word, Mask)
		case toks[diff[0]] != Mask || clean[diff[0]] != word:
			fail("token %d is %q where the clean text has %q; want %s replacing %q",
				diff[0], toks[diff[0]], clean[diff[0]], Mask, m.Word)
		}
	}
	return errors.Join(errs...)
}

func count(toks []string, tok string) int {
	c := 0
	for _, t := range toks {
		if t == tok {
			c++
		}
	}
	return c
}

func quoteAll(toks []string) string {
	q := make([]string, len(toks))
	for i, t := range toks {
		q[i] = fmt.Sprintf("%q", t)
	}
	return "[" + strings.Join(q, " ") + "]"
}
