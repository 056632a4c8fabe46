package sentences

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinEval(t *testing.T) {
	e := BuiltinEval()
	if e.Name != BuiltinEvalName || e.Source != "" {
		t.Errorf("name %q source %q", e.Name, e.Source)
	}
	counts := map[string]int{}
	notebook := map[string]bool{}
	for _, s := range append(append([]string{}, notebookHim...), notebookHer...) {
		notebook[s] = true
	}
	for _, it := range e.Items {
		counts[it.Word]++
		if it.Line == 0 || strings.Count(it.Text, Mask) != 1 {
			t.Errorf("item %+v", it)
		}
		if notebook[strings.Replace(it.Text, Mask, it.Word, 1)] {
			t.Errorf("line %d is one of the notebook's sentences", it.Line)
		}
	}
	if len(e.Items) < 120 || counts["him"] != counts["her"] || counts["him"]+counts["her"] != len(e.Items) {
		t.Errorf("%d items, %v", len(e.Items), counts)
	}
	if err := e.Validate(vocab, [2]string{"him", "her"}); err != nil {
		t.Error(err)
	}
	if e2 := BuiltinEval(); &e2.Items[0] == &e.Items[0] {
		t.Error("BuiltinEval returns a shared copy")
	}
}

// An [eval] section next to the contrast set's sections: Parse skips it, ParseEval reads only it.
func TestEvalBesideContrastSet(t *testing.T) {
	file := groups + "[eval]  # held out\nhim: We met [MASK].\n# a comment\nher: Tell [MASK] the news.\n" + tests
	s, err := Parse(strings.NewReader(file), "both.txt")
	if err != nil {
		t.Fatal(err)
	}
	if s.Clean.Line != 12 || len(s.B.Sentences) != 2 {
		t.Errorf("contrast set: %+v", s)
	}
	e, err := ParseEval(strings.NewReader(file), "both.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []EvalItem{{"him", "We met [MASK].", 8}, {"her", "Tell [MASK] the news.", 10}}
	if len(e.Items) != 2 || e.Items[0] != want[0] || e.Items[1] != want[1] || e.Source != "both.txt" {
		t.Errorf("items %+v", e.Items)
	}
	if err := e.Validate(vocab, [2]string{s.A.Word, s.B.Word}); err != nil {
		t.Error(err)
	}
	if s, err := Parse(strings.NewReader("[eval]\nhim: We met [MASK].\n"+groups+tests), "first.txt"); err != nil || s.A.Line != 3 {
		t.Errorf("an [eval] section before the groups: %+v, %v", s, err)
	}
}

func TestParseEvalErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"no section", groups + tests, "f.txt:10: end of file: no [eval] section"},
		{"empty file", "", "f.txt:1: end of file: no [eval] section"},
		{"no mask", "[eval]\nher: I saw her.\n", `f.txt:2: no [MASK] in the text: mark where "her" belongs`},
		{"two masks", "[eval]\nhim: [MASK] saw [MASK].\n", "f.txt:2: 2 [MASK] in the text, want exactly 1"},
		{"no word", "[eval]\nI saw [MASK].\n", `f.txt:2: want "word: text with [MASK]" (the answer word, a colon, the text)`},
		{"empty word", "[eval]\n: I saw [MASK].\n", `f.txt:2: want "word: text with [MASK]" (the answer word, a colon, the text)`},
		{"word with space", "[eval]\nher or him: I saw [MASK].\n", `f.txt:2: want "word: text with [MASK]" (the answer word, a colon, the text)`},
		{"empty text", "[eval]\nhim:\n", `f.txt:2: empty text for "him"`},
		{"one item", "# x\n[eval]\nhim: I saw [MASK].\n", "f.txt:2: [eval] has 1 item(s); the interval over items needs at least 2"},
		{"second section", "[eval]\nhim: a [MASK].\nher: b [MASK].\n[test]\n[eval]\n", "f.txt:5: second [eval] section (first at line 1)"},
	} {
		_, err := ParseEval(strings.NewReader(c.text), "f.txt")
		var e *Error
		if err == nil || err.Error() != c.want || !errors.As(err, &e) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
}

func TestEvalValidateErrors(t *testing.T) {
	e, err := ParseEval(strings.NewReader("[eval]\nhim: I saw [MASK].\nshe: I saw [MASK].\nshim: A [MASK].\nher: I saw x[MASK]y.\n"), "e.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CheckWords([2]string{"him", "her"}); err == nil || err.Error() != "e.txt:3: answer \"she\" is not one of the group words \"him\" and \"her\"\n"+
		"e.txt:4: answer \"shim\" is not one of the group words \"him\" and \"her\"" {
		t.Errorf("CheckWords: %v", err)
	}
	err = e.Validate(vocab, [2]string{"him", "shim"})
	want := []string{
		`e.txt:3: answer "she" is not one of the group words "him" and "shim"`,
		`e.txt:5: answer "her" is not one of the group words "him" and "shim"`,
		`e.txt:4: answer "shim" is not a single vocabulary token (it tokenizes as ["s" "##him"])`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("Validate =\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestLoadEval(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "e.txt")
	if err := os.WriteFile(p, []byte("[eval]\nhim: a [MASK].\nher: b [MASK].\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := LoadEval(p); err != nil || len(e.Items) != 2 || e.Name != p {
		t.Errorf("LoadEval: %+v, %v", e, err)
	}
	if _, err := LoadEval(filepath.Join(dir, "none.txt")); err == nil || !strings.Contains(err.Error(), "none.txt") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := LoadEval(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("a directory: %v", err)
	}
}
