package sentences

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeVocab is a word-level tokenizer: lower-cased words and single punctuation marks, [MASK] kept whole,
// and the words in split broken into word pieces.
type fakeVocab struct{ split map[string][]string }

var wordRE = regexp.MustCompile(`\[MASK\]|[a-z0-9]+|[^a-z0-9\s]`)

func (f fakeVocab) Tokens(text string) ([]string, error) {
	if strings.Contains(text, "\x00") {
		return nil, errors.New("NUL in text")
	}
	var toks []string
	for _, w := range wordRE.FindAllString(strings.ReplaceAll(strings.ToLower(text), "[mask]", Mask), -1) {
		if pieces, ok := f.split[w]; ok {
			toks = append(toks, pieces...)
		} else {
			toks = append(toks, w)
		}
	}
	return toks, nil
}

// WordToken lower-cases word, as an uncased BERT tokenizer does.
func (f fakeVocab) WordToken(word string) (string, error) {
	toks, err := f.Tokens(word)
	if err != nil {
		return "", err
	}
	if len(toks) != 1 {
		return "", fmt.Errorf("%q is not in the vocabulary", word)
	}
	return toks[0], nil
}

var vocab = fakeVocab{split: map[string][]string{"shim": {"s", "##him"}, "robertson": {"robert", "##son"}}}

const example = `# comments and blank lines are ignored
[him]                       # group A: header names the target word
I saw him at the market.
She gave him the book.

[her]                       # group B
I saw her at the market.
  She gave her the book.
[test]
clean: Robert helped Lucy with her project, and she thanked him for his hard work.
her: Robert helped Lucy with [MASK] project, and she thanked him for his hard work.
him: Robert helped Lucy with her project, and she thanked [MASK] for his hard work.
`

func TestBuiltin(t *testing.T) {
	s := Builtin()
	if s.Name != BuiltinName || s.Source != "" || s.A.Word != "him" || s.B.Word != "her" {
		t.Fatalf("builtin header: %q %q %q %q", s.Name, s.Source, s.A.Word, s.B.Word)
	}
	if len(s.A.Sentences) != 54 || len(s.B.Sentences) != 54 {
		t.Fatalf("builtin sizes %d, %d, want 54, 54", len(s.A.Sentences), len(s.B.Sentences))
	}
	him := regexp.MustCompile(`\bhim\b`)
	for i, a := range s.A.Sentences {
		b := s.B.Sentences[i]
		if len(him.FindAllString(a.Text, -1)) != 1 || him.ReplaceAllString(a.Text, "her") != b.Text {
			t.Errorf("pair %d: %q / %q are not the same sentence with him -> her", i, a.Text, b.Text)
		}
		if a.Line != 0 || b.Line != 0 {
			t.Errorf("pair %d has lines %d, %d; built-in lines are 0", i, a.Line, b.Line)
		}
	}
	for _, c := range []struct{ got, want string }{
		{s.A.Sentences[0].Text, "I saw him at the market."},
		{s.A.Sentences[53].Text, "The author based the character on him."},
		{s.B.Sentences[0].Text, "I saw her at the market."},
		{s.B.Sentences[10].Text, "They congratulated her on his success."},
		{s.B.Sentences[53].Text, "The author based the character on her."},
		{s.Clean.Text, "Robert helped Lucy with her project, and she thanked him for his hard work."},
		{s.Masked[0].Word + "|" + s.Masked[0].Text, "her|Robert helped Lucy with [MASK] project, and she thanked him for his hard work."},
		{s.Masked[1].Word + "|" + s.Masked[1].Text, "him|Robert helped Lucy with her project, and she thanked [MASK] for his hard work."},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if err := s.Validate(vocab); err != nil {
		t.Errorf("builtin does not validate: %v", err)
	}
	s.A.Sentences[0].Text = "changed"
	if Builtin().A.Sentences[0].Text != "I saw him at the market." {
		t.Error("Builtin shares its sentences between calls")
	}
}

func TestRoundTrip(t *testing.T) {
	want := Builtin()
	var buf bytes.Buffer
	n, err := want.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, buf.Len())
	}
	got, err := Parse(&buf, "dump.txt")
	if err != nil {
		t.Fatalf("Parse(WriteTo(Builtin())): %v", err)
	}
	if err := got.Validate(vocab); err != nil {
		t.Errorf("re-parsed builtin does not validate: %v", err)
	}
	strip(got)
	got.Name, got.Source = want.Name, want.Source
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("round trip differs:\n got %v\nwant %v", got, want)
	}
}

func TestWriteToRejectsUnwritable(t *testing.T) {
	for _, text := range []string{"", " padded", "# looks like a comment", "[looks like a header]", "two\nlines"} {
		s := Builtin()
		s.B.Sentences[1].Text = text
		var buf bytes.Buffer
		n, err := s.WriteTo(&buf)
		want := fmt.Sprintf("contrast set %s: group [her]: sentence %q cannot be written as one line of the file format", BuiltinName, text)
		if err == nil || err.Error() != want || n != 0 || buf.Len() != 0 {
			t.Errorf("WriteTo with sentence %q = %d, %v", text, n, err)
		}
	}
}

// strip zeroes the line numbers of s.
func strip(s *ContrastSet) {
	for _, g := range []*Group{&s.A, &s.B} {
		g.Line = 0
		for i := range g.Sentences {
			g.Sentences[i].Line = 0
		}
	}
	s.Clean.Line, s.Masked[0].Line, s.Masked[1].Line = 0, 0, 0
}

func TestParseExample(t *testing.T) {
	s, err := Parse(strings.NewReader(example), "ex.txt")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "ex.txt" || s.Source != "ex.txt" || s.A.Word != "him" || s.A.Line != 2 || s.B.Word != "her" || s.B.Line != 6 {
		t.Errorf("header fields: %+v %+v", s.A, s.B)
	}
	if got := fmt.Sprint(s.B.Sentences); got != "[{I saw her at the market. 7} {She gave her the book. 8}]" {
		t.Errorf("group B = %s", got)
	}
	if s.Clean.Line != 10 || s.Masked[0].Word != "her" || s.Masked[0].Line != 11 || s.Masked[1].Word != "him" || s.Masked[1].Line != 12 {
		t.Errorf("test texts: %+v %+v", s.Clean, s.Masked)
	}
	// The order of the masked lines defines Masked.
	swapped := strings.Replace(example, "her: Robert", "#", 1) + "her: Robert helped Lucy with [MASK] project, and she thanked him for his hard work.\n"
	s, err = Parse(strings.NewReader(swapped), "ex.txt")
	if err != nil || s.Masked[0].Word != "him" || s.Masked[1].Word != "her" || s.Masked[1].Line != 13 {
		t.Errorf("swapped masked lines: %+v, %v", s, err)
	}
	if err := s.Validate(vocab); err != nil {
		t.Errorf("example does not validate: %v", err)
	}
}

const groups = "[him]\nI saw him.\nThey saw him.\n[her]\nI saw her.\nThey saw her.\n"

const tests = "[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n"

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"unknown section", "[two words]\n", "f.txt:1: unknown section [two words] (want [word] for a group or [test])"},
		{"unclosed header", "# x\n[him\n", "f.txt:2: unknown section [him (want [word] for a group or [test])"},
		{"outside section", "\nI saw him.\n" + groups + tests, "f.txt:2: text outside a section (expected a [word] group header first)"},
		{"group after test", groups + "[test]\n[x]\n", "f.txt:8: group [x] after [test]; the two groups come first"},
		{"small group", "[him]\nI saw him.\n[her]\nI saw her.\nThey saw her.\n" + tests, "f.txt:1: group [him] has 1 sentence(s); the t-test needs at least 2"},
		{"empty last group", "[him]\nI saw him.\nThey saw him.\n[her]\n", "f.txt:4: group [her] has 0 sentence(s); the t-test needs at least 2"},
		{"reserved word", "[clean]\n", "f.txt:1: group word \"clean\" is reserved for the clean test line"},
		{"third group", groups + "[it]\n", "f.txt:7: third group [it]; a contrast set has exactly two"},
		{"same word", "[him]\nI saw him.\nThey saw him.\n[him] # again\n", "f.txt:4: group word \"him\" repeated (first at line 1)"},
		{"no test", groups, "f.txt:6: end of file: 2 group(s) and no [test] section; want two groups then [test]"},
		{"empty file", "", "f.txt:1: end of file: 0 group(s) and no [test] section; want two groups then [test]"},
		{"test too early", "[him]\nI saw him.\nThey saw him.\n[test]\n", "f.txt:4: [test] after 1 group(s); two groups come first"},
		{"second test", groups + tests + "[test]\n", "f.txt:11: second [test] section (first at line 7)"},
		{"clean missing", groups + "[test]\nher: I saw [MASK].\nhim: I saw [MASK].\n", "f.txt:7: [test] lacks the \"clean\" line"},
		{"masked missing", groups + "[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\n", "f.txt:7: [test] lacks the \"him\" line"},
		{"duplicate", groups + tests + "her: x [MASK]\n", "f.txt:11: duplicate test line \"her\" (first at line 9)"},
		{"unlabelled", groups + "[test]\nI saw her.\n", "f.txt:8: unlabelled test line (want \"clean: text\", \"him: text\" or \"her: text\")"},
		{"label with space", groups + "[test]\nmasked her: I saw [MASK].\n", "f.txt:8: unlabelled test line (want \"clean: text\", \"him: text\" or \"her: text\")"},
		{"unknown label", groups + "[test]\nshe: I saw [MASK].\n", "f.txt:8: test label \"she\" is not clean, him or her"},
		{"empty text", groups + "[test]\nclean:\n", "f.txt:8: empty test text for \"clean\""},
		{"no mask", groups + "[test]\nher: I saw her.\n", "f.txt:8: masked test text for \"her\" has 0 [MASK], want exactly 1"},
		{"two masks", groups + "[test]\nhim: I saw [MASK] and [MASK].\n", "f.txt:8: masked test text for \"him\" has 2 [MASK], want exactly 1"},
		{"masked clean", groups + "[test]\nclean: I saw [MASK].\n", "f.txt:8: clean test text contains [MASK]"},
	} {
		_, err := Parse(strings.NewReader(c.text), "f.txt")
		var e *Error
		if err == nil || err.Error() != c.want || !errors.As(err, &e) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	text := "[him]\nI saw him.\nHim and him.\nThey saw her.\n" + // line 3: twice, line 4: missing
		"[shim]\nA shim.\nTwo shim.\n" + // split group word
		"[test]\nclean: I saw her and him with his dog.\n" +
		"him: I saw her and him with [MASK] dog.\n" + // masks "his" instead of "him"
		"shim: I saw [MASK].\n"
	s, err := Parse(strings.NewReader(text), "v.txt")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(vocab)
	want := []string{
		`v.txt:3: sentence "Him and him." contains the token "him" 2 times, want exactly once`,
		`v.txt:4: sentence "They saw her." contains the token "him" 0 times, want exactly once`,
		`v.txt:5: group word "shim" is not a single vocabulary token (it tokenizes as ["s" "##him"])`,
		`v.txt:10: masked test text for "him": token 6 is "[MASK]" where the clean text has "his"; want [MASK] replacing "him"`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("Validate =\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
	var e *Error
	if !errors.As(err, &e) || e.File != "v.txt" || e.Line != 3 {
		t.Errorf("first error is not *Error at v.txt:3: %#v", e)
	}
}

func TestValidateMaskedTexts(t *testing.T) {
	for _, c := range []struct{ name, her, want string }{
		{"length", "her: I saw [MASK] and him too.", `v.txt:9: masked test text for "her": 7 tokens, the clean text has 6; it must be the clean text with one "her" replaced by [MASK]`},
		{"other change", "her: We saw [MASK] and him.", `v.txt:9: masked test text for "her": differs from the clean text at 2 token positions, want exactly one ("her" -> [MASK])`},
		{"wrong word", "her: I saw her and [MASK].", `v.txt:9: masked test text for "her": token 4 is "[MASK]" where the clean text has "him"; want [MASK] replacing "her"`},
	} {
		text := strings.Replace(groups+tests, "her: I saw [MASK] and him.", c.her, 1)
		s, err := Parse(strings.NewReader(text), "v.txt")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := s.Validate(vocab); err == nil || err.Error() != c.want {
			t.Errorf("%s: Validate = %v, want %s", c.name, err, c.want)
		}
	}
	s := Builtin()
	s.Masked[1].Word = "it"
	if err := s.Validate(vocab); err == nil || err.Error() != BuiltinName+`: masked test text for "it": "it" is not a group word (him, her)` {
		t.Errorf("unknown masked word: %v", err)
	}
	s = Builtin()
	s.A.Sentences[2].Text = "bad\x00"
	if err := s.Validate(vocab); err == nil || err.Error() != BuiltinName+`: tokenizing "bad\x00": NUL in text` {
		t.Errorf("tokenizer error: %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "set.txt")
	if err := os.WriteFile(path, []byte(example), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(path)
	if err != nil || s.Source != path || len(s.A.Sentences) != 2 {
		t.Errorf("LoadFile = %+v, %v", s, err)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.txt")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) = %v, want a not-exist error", err)
	}
	if err := os.WriteFile(path, []byte(groups), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err == nil || !strings.HasPrefix(err.Error(), path+":6: ") {
		t.Errorf("LoadFile(no test) = %v", err)
	}
}

// Group words that differ only in case are one token on an uncased model: the groups would be
// identical, so Validate refuses them at the second header.
func TestValidateSameToken(t *testing.T) {
	text := "[him]\nI saw him.\nI met him.\n[Him]\nI saw Him.\nI met Him.\n" +
		"[test]\nclean: I saw him and Him.\nhim: I saw [MASK] and Him.\nHim: I saw him and [MASK].\n"
	s, err := Parse(strings.NewReader(text), "v.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := `v.txt:4: group words "him" and "Him" are the same token "him": the groups would not differ`
	if err := s.Validate(vocab); err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
}

// Files saved on Windows (CRLF) and classic Mac OS (CR alone) give the same set and the same
// line numbers as Unix ones; a lone CR used to make the whole file one line.
func TestLineEndings(t *testing.T) {
	broken := strings.Replace(example, "She gave him the book.", "She gave them the book.", 1) // line 4
	for name, eol := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		t.Run(name, func(t *testing.T) {
			s, err := Parse(strings.NewReader(strings.ReplaceAll(example, "\n", eol)), "set.txt")
			if err != nil {
				t.Fatal(err)
			}
			if s.A.Sentences[1].Line != 4 || s.B.Sentences[1].Text != "She gave her the book." || s.B.Sentences[1].Line != 8 ||
				s.Masked[1].Line != 12 || s.Masked[1].Text != "Robert helped Lucy with her project, and she thanked [MASK] for his hard work." {
				t.Errorf("parsed %+v", s)
			}
			s, err = Parse(strings.NewReader(strings.ReplaceAll(broken, "\n", eol)), "set.txt")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(vocab); err == nil || !strings.HasPrefix(err.Error(), "set.txt:4: ") {
				t.Errorf("Validate = %v, want an error at set.txt:4", err)
			}
		})
	}
	// A mixed file, and a CR at the end of the scanner's buffer (just before its 64 kB mark).
	long := strings.Repeat("x", 64*1024-len("# ")-1) // the CR is the buffer's last byte
	mixed := "# " + long + "\r\n[him]\rI saw him.\nI met him.\r\n[her]\r\rI saw her.\r\nI met her.\n" +
		"[test]\rclean: I saw her and him.\rher: I saw [MASK] and him.\r\nhim: I saw her and [MASK].\r"
	s, err := Parse(strings.NewReader(mixed), "mixed.txt")
	if err != nil {
		t.Fatal(err)
	}
	if s.A.Line != 2 || s.B.Line != 5 || s.B.Sentences[0].Line != 7 || s.Masked[1].Line != 12 {
		t.Errorf("mixed line ends: group lines %d %d, sentence %d, test %d", s.A.Line, s.B.Line, s.B.Sentences[0].Line, s.Masked[1].Line)
	}
}
