package tokenize

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSpecialsAndVocab(t *testing.T) {
	for name, dir := range map[string]string{"tokenizer.json": vocabDir, "vocab.txt": vocabTxtDir(t, "")} {
		tok := load(t, dir)
		want := SpecialIDs{Pad: 0, Unk: 100, CLS: 101, SEP: 102, Mask: 103}
		if got := tok.Specials(); got != want {
			t.Errorf("%s: Specials() = %+v, want %+v", name, got, want)
		}
		if tok.PadID() != 0 || tok.UnkID() != 100 || tok.CLSID() != 101 || tok.SEPID() != 102 || tok.MaskID() != 103 {
			t.Errorf("%s: special id accessors disagree with %+v", name, want)
		}
		if got := tok.VocabSize(); got != 30522 {
			t.Errorf("%s: VocabSize() = %d, want 30522", name, got)
		}
		for id, s := range map[int]string{1: "[unused0]", 999: "!", 1996: "the", 2032: "him", 2014: "her", -1: "", 30522: ""} {
			if got := tok.Token(id); got != s {
				t.Errorf("%s: Token(%d) = %q, want %q", name, id, got, s)
			}
		}
	}
}

func TestTokenID(t *testing.T) {
	tok := load(t, vocabDir)
	for word, want := range map[string]int{"him": 2032, "Him": 2032, "HER": 2014, " she ": 2016, "[MASK]": 103, "[UNK]": 100, "!": 999} {
		got, err := tok.TokenID(word)
		if err != nil || got != want {
			t.Errorf("TokenID(%q) = %d, %v; want %d", word, got, err, want)
		}
	}
	for word, msg := range map[string]string{
		"lesioning": `"lesioning" is not a single vocabulary token: it splits into 3 pieces les ##ion ##ing`,
		"":          "empty word",
		"   ":       "empty word",
		"him.":      "2 pieces him .",
		"∰":         "not in the vocabulary (it becomes [UNK])",
	} {
		if _, err := tok.TokenID(word); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("TokenID(%q) error = %v, want it to contain %q", word, err, msg)
		}
	}
	// Cased: no lower-casing, so "Him" is unknown to the uncased vocabulary.
	cased := load(t, vocabTxtDir(t, `{"do_lower_case": false}`))
	if _, err := cased.TokenID("Him"); err == nil {
		t.Error(`cased TokenID("Him") succeeded on an uncased vocabulary`)
	}
}

func TestEncodeBatchPadding(t *testing.T) {
	tok := load(t, vocabDir)
	b, err := tok.EncodeBatch([]string{"him", "I saw her."})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := [][]int{{101, 2032, 102, 0, 0, 0}, {101, 1045, 2387, 2014, 1012, 102}}
	wantMask := [][]int{{1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1}}
	for i := range wantIDs {
		if !slices.Equal(b.IDs[i], wantIDs[i]) || !slices.Equal(b.AttentionMask[i], wantMask[i]) {
			t.Errorf("row %d: %v %v, want %v %v", i, b.IDs[i], b.AttentionMask[i], wantIDs[i], wantMask[i])
		}
	}
	if !slices.Equal(b.Lengths, []int{3, 6}) || !slices.Equal(b.Tokens[0], []string{"[CLS]", "him", "[SEP]", "[PAD]", "[PAD]", "[PAD]"}) {
		t.Errorf("lengths %v tokens %q", b.Lengths, b.Tokens[0])
	}
	if b, err := tok.EncodeBatch(nil); err != nil || len(b.IDs) != 0 {
		t.Errorf("EncodeBatch(nil) = %v, %v", b, err)
	}
}

// TestNormalizerBeyondJS covers cases where the JavaScript reference differs
// from HF's Rust and Python tokenizers; expected values follow tokenizers
// (Rust) and were derived by hand from its source.
func TestNormalizerBeyondJS(t *testing.T) {
	uncased := bertNormalizer{cleanText: true, chineseChars: true, stripAccents: true, lowercase: true}
	lowerOnly := bertNormalizer{lowercase: true}
	for _, c := range []struct {
		n        bertNormalizer
		in, want string
	}{
		{uncased, "a\U00020000b", "a \U00020000 b"}, // CJK Extension B (JS misses surrogate pairs)
		{uncased, "a\u0378b\U000E0001c", "abc"},     // unassigned U+0378 (Cn) and tag U+E0001 (Cf) dropped
		{uncased, "a\uE000b", "ab"},                 // private use (Co) dropped
		{uncased, "ΟΔΟΣ", "οδοσ"},                   // no final-sigma rule, as Rust
		{lowerOnly, "İ", "i\u0307"},                 // Rust's multi-rune lower case of U+0130
		{uncased, "İstanbul", "istanbul"},
		{uncased, "x\u2028y\u3000z", "x y z"}, // Unicode whitespace becomes a space
		{bertNormalizer{}, "Ab\tC", "Ab\tC"},  // everything off: unchanged
	} {
		if got := c.n.normalize(c.in); got != c.want {
			t.Errorf("%+v.normalize(%q) = %q, want %q", c.n, c.in, got, c.want)
		}
	}
	// Without clean_text the pre-tokenizer still splits on Unicode whitespace.
	if got := (bertPre{}).split("a\u3000b\u00a0c,d", true); !slices.Equal(got, []string{"a", "b", "c", ",", "d"}) {
		t.Errorf("preTokenize = %q", got)
	}
}

func TestSplitAddedLongestMatch(t *testing.T) {
	tokens := []addedToken{{content: "[MASK]x", id: 2}, {content: "[MASK]", id: 1}}
	got := splitAdded("a[MASK]x[MASK]", tokens)
	want := []segment{{"a", -1, 0}, {"[MASK]x", 2, 1}, {"[MASK]", 1, 8}}
	if !slices.Equal(got, want) {
		t.Errorf("splitAdded = %+v, want %+v", got, want)
	}
}

// tinyVocab is a minimal vocabulary; lines are ids.
const tinyVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhim\n##s\nhim\n"

func TestDuplicateVocabLineKeepsLast(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "vocab.txt", []byte(tinyVocab))
	tok := load(t, dir)
	enc, err := tok.Encode("him hims")
	if err != nil {
		t.Fatal(err)
	}
	// HF (Python load_vocab and Rust WordPiece::read_file) overwrite the map
	// entry, so the later line's id wins.
	if want := []int{2, 7, 7, 6, 3}; !slices.Equal(enc.IDs, want) {
		t.Errorf("ids %v, want %v", enc.IDs, want)
	}
	if tok.VocabSize() != 8 || tok.Token(5) != "him" {
		t.Errorf("VocabSize %d Token(5) %q, want 8 and him", tok.VocabSize(), tok.Token(5))
	}
}

func TestConfigFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "vocab.txt", []byte("<pad>\n<unk>\n<s>\n</s>\n<m>\nÉcole\n##s\necole\n"))
	writeFile(t, dir, "tokenizer_config.json", []byte(`{"do_lower_case": false, "strip_accents": true,
		"unk_token": "<unk>", "cls_token": {"content": "<s>", "__type": "AddedToken"}, "sep_token": "</s>", "pad_token": "<pad>"}`))
	writeFile(t, dir, "special_tokens_map.json", []byte(`{"mask_token": "<m>"}`))
	tok := load(t, dir)
	if want := (SpecialIDs{Pad: 0, Unk: 1, CLS: 2, SEP: 3, Mask: 4}); tok.Specials() != want {
		t.Errorf("Specials() = %+v, want %+v", tok.Specials(), want)
	}
	enc, err := tok.Encode("École<m>écoles")
	if err != nil {
		t.Fatal(err)
	}
	// strip_accents without lower-casing: "École" -> "Ecole", unknown.
	if want := []string{"<s>", "<unk>", "<m>", "ecole", "##s", "</s>"}; !slices.Equal(enc.Tokens, want) {
		t.Errorf("tokens %q, want %q", enc.Tokens, want)
	}
}

func TestLoadErrors(t *testing.T) {
	mk := func(files map[string]string) string {
		dir := t.TempDir()
		for name, content := range files {
			writeFile(t, dir, name, []byte(content))
		}
		return dir
	}
	tj := func(edit func(string) string) string {
		b, err := os.ReadFile(filepath.Join(vocabDir, "tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		return edit(string(b))
	}
	for _, c := range []struct {
		name string
		dir  string
		want []string
	}{
		{"missing dir", filepath.Join(t.TempDir(), "nope"), []string{"tokenizer directory", "nope"}},
		{"not a dir", filepath.Join(mk(map[string]string{"f": "x"}), "f"), []string{"not a directory"}},
		{"missing vocab", mk(nil), []string{"has no tokenizer", "vocab.txt", "tokenizer.json"}},
		{"empty vocab", mk(map[string]string{"vocab.txt": ""}), []string{"vocab.txt", "empty vocabulary"}},
		{"bad utf8", mk(map[string]string{"vocab.txt": "[PAD]\nok\n\xff\xfe\n"}), []string{"vocab.txt:3", "UTF-8"}},
		{"no mask", mk(map[string]string{"vocab.txt": "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"}), []string{"vocab.txt", `mask_token "[MASK]" is not in the vocabulary`}},
		{"corrupt config", mk(map[string]string{"vocab.txt": tinyVocab, "tokenizer_config.json": "{\n\"do_lower_case\": tru\n}"}),
			[]string{"tokenizer_config.json", "line 2"}},
		{"config type", mk(map[string]string{"vocab.txt": tinyVocab, "tokenizer_config.json": `{"do_lower_case": "yes"}`}),
			[]string{"tokenizer_config.json", "do_lower_case"}},
		{"corrupt tokenizer.json", mk(map[string]string{"tokenizer.json": tj(func(s string) string { return s[:len(s)/2] })}),
			[]string{"tokenizer.json", "unexpected end"}},
		{"tokenizer.json WordLevel", mk(map[string]string{"tokenizer.json": `{"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}}`}),
			[]string{"tokenizer.json", `model type "WordLevel" is not supported`}},
		{"tokenizer.json empty vocab", mk(map[string]string{"tokenizer.json": `{"model": {"type": "WordPiece", "vocab": {}}}`}),
			[]string{"tokenizer.json", "model.vocab is empty"}},
		{"tokenizer.json normalizer", mk(map[string]string{"tokenizer.json": tj(func(s string) string {
			return strings.Replace(s, `"type":"BertNormalizer"`, `"type":"Nmt"`, 1)
		})}), []string{"tokenizer.json", `normalizer: type "Nmt" is not supported`}},
		{"tokenizer.json post-processor", mk(map[string]string{"tokenizer.json": tj(func(s string) string {
			return strings.Replace(s, `"type":"TemplateProcessing"`, `"type":"Foo"`, 1)
		})}), []string{"tokenizer.json", `post_processor: type "Foo" is not supported`}},
	} {
		_, err := Load(c.dir)
		if err == nil {
			t.Errorf("%s: Load succeeded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
}

func TestBertProcessingJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tokenizer.json", []byte(`{
		"added_tokens": [{"id": 4, "content": "[MASK]", "normalized": false, "special": true}],
		"normalizer": {"type": "BertNormalizer", "lowercase": true},
		"pre_tokenizer": {"type": "BertPreTokenizer"},
		"post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
		"model": {"type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 4,
			"vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "him": 5, "##s": 6}}}`))
	tok := load(t, dir)
	enc, err := tok.Encode("HIMS [MASK] himss")
	if err != nil {
		t.Fatal(err)
	}
	// "himss" has 5 characters > max_input_chars_per_word 4.
	if want := []int{2, 5, 6, 4, 1, 3}; !slices.Equal(enc.IDs, want) {
		t.Errorf("ids %v, want %v", enc.IDs, want)
	}
}

func TestAddedTokens(t *testing.T) {
	// tokenizer_config.json's added_tokens_decoder gives the added tokens on
	// the vocab.txt path; transformers adds the special tokens it lacks.
	dir := t.TempDir()
	writeFile(t, dir, "vocab.txt", []byte(tinyVocab+"xy\n"))
	writeFile(t, dir, "tokenizer_config.json", []byte(`{"added_tokens_decoder": {
		"4": {"content": "[MASK]", "normalized": false, "special": true},
		"8": {"content": "XY", "normalized": true, "special": false}}}`))
	tok := load(t, dir)
	// "[CLS]" is not in added_tokens_decoder, but transformers adds it as a
	// special token (PreTrainedTokenizer.__init__); "XY" is matched after
	// lower-casing.
	enc, err := tok.Encode("[MASK]xYhims [CLS]")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"[CLS]", "[MASK]", "xy", "him", "##s", "[CLS]", "[SEP]"}
	if !slices.Equal(enc.Tokens, want) || enc.IDs[2] != 8 {
		t.Errorf("tokens %q ids %v, want %q with xy=8", enc.Tokens, enc.IDs, want)
	}
	if _, err := Load(func() string {
		d := t.TempDir()
		writeFile(t, d, "vocab.txt", []byte(tinyVocab))
		writeFile(t, d, "tokenizer_config.json", []byte(`{"added_tokens_decoder": {"x": {"content": "[MASK]"}}}`))
		return d
	}()); err == nil || !strings.Contains(err.Error(), `key "x" is not an id`) {
		t.Errorf("bad added_tokens_decoder key: error %v", err)
	}
}
