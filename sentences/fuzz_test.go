package sentences

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and fails only with an *Error whose line is in the
// file, that a file reads the same with any of its line endings ("\n", "\r\n", "\r"), that an
// accepted set is written back by WriteTo as a file that parses to the same set, and that
// Validate never panics on it. Plain `go test` runs the seeds only; fuzz with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./sentences/
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		example,
		strings.ReplaceAll(example, "\n", "\r\n"),
		strings.ReplaceAll(example, "\n", "\r"),
		"\ufeff" + example,
		groups,
		"[him]\nI saw him.\n[her]\n",
		"[a]\nx a\ny a\n[b]\nx b\ny b\n[test]\nclean: x a b\na: x [MASK] b\nb: x a [MASK]\n",
		"[test]\n", "[", "[]\n", "#\r\r\n\n", "clean: [MASK]", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(strings.NewReader(text), "f.txt")
		lines := strings.Count(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"), "\n") + 1
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.txt" || e.Line < 1 || e.Line > lines+1 {
				t.Fatalf("error %v (%T) is not an *Error at a line of the file's %d", err, err, lines)
			}
		}
		// The same file with other line endings: the same set or the same error.
		if !strings.Contains(text, "\r") {
			for _, eol := range []string{"\r\n", "\r"} {
				s2, err2 := Parse(strings.NewReader(strings.ReplaceAll(text, "\n", eol)), "f.txt")
				if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() || err == nil && !reflect.DeepEqual(s, s2) {
					t.Fatalf("with %q line ends: %v, %v; with \\n: %v, %v", eol, s2, err2, s, err)
				}
			}
		}
		if err != nil {
			return
		}
		_ = s.Validate(vocab)
		var b strings.Builder
		if _, err := s.WriteTo(&b); err != nil {
			return // a sentence that cannot be one line of the format (WriteTo says so)
		}
		back, err := Parse(strings.NewReader(b.String()), "f.txt")
		if err != nil {
			t.Fatalf("WriteTo wrote a file Parse refuses: %v\n%s", err, b.String())
		}
		strip(s)
		strip(back)
		if !reflect.DeepEqual(s, back) {
			t.Fatalf("round trip changed the set:\n%+v\n%+v", s, back)
		}
	})
}
