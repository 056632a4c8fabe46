package tokenize

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sugarme/tokenizer/spm"

	"lesionui/internal/filestest"
)

// mkDir writes files into a fresh directory.
func mkDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, []byte(content))
	}
	return dir
}

// copyDir copies the files of src into a fresh directory, plus extra ones.
func copyDir(t *testing.T, src string, extra map[string]string) string {
	t.Helper()
	dir := filestest.CopyDir(t, src)
	for name, content := range extra {
		writeFile(t, dir, name, []byte(content))
	}
	return dir
}

func wantError(t *testing.T, name, dir string, want ...string) {
	t.Helper()
	_, err := Load(dir)
	if err == nil {
		t.Errorf("%s: Load succeeded", name)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not contain %q", name, err, w)
		}
	}
}

// TestHostileTokenizerFiles: absurd ids and sizes are errors before anything is allocated.
func TestHostileTokenizerFiles(t *testing.T) {
	wp := func(vocab, added string) string {
		return `{"added_tokens": [` + added + `], "normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
			"post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
			"model": {"unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": ` + vocab + `}}`
	}
	const vocab = `{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}`
	const mask = `{"id": 4, "content": "[MASK]", "special": true}`
	for _, c := range []struct {
		name, json string
		want       []string
	}{
		{"vocab id 1e10", wp(`{"[PAD]": 0, "[MASK]": 1e10}`, mask), []string{"tokenizer.json", "model.vocab", "1e10"}},
		{"vocab id 2^63-1", wp(`{"[PAD]": 0, "[MASK]": 9223372036854775807}`, mask), []string{`token "[MASK]" has id 9223372036854775807`}},
		{"vocab id 2^64", wp(`{"[PAD]": 0, "[MASK]": 18446744073709551616}`, mask), []string{"tokenizer.json", "18446744073709551616"}},
		{"negative id", wp(`{"[PAD]": -1}`, mask), []string{`has id -1`}},
		{"added id 2^63-1", wp(vocab, `{"id": 9223372036854775807, "content": "[MASK]", "special": true}`), []string{`added token "[MASK]" has id 9223372036854775807`}},
		{"added id 1e10", wp(vocab, `{"id": 1e10, "content": "[MASK]"}`), []string{"1e10"}},
		{"mask not added", wp(vocab, ``), []string{`mask token "[MASK]" is in the vocabulary but not among added_tokens`, `add {"id": 4`}},
		{"shared id", wp(`{"a": 0, "b": 0}`, ``), []string{`tokens "a" and "b" share id 0`}},
		{"untyped unknown", `{"model": {"vocab": {"a": 0}}}`, []string{`no "type"`}},
		{"unigram unk_id", `{"model": {"type": "Unigram", "unk_id": 99, "vocab": [["a", -1]]}}`, []string{"unk_id 99 is outside the 1 pieces"}},
		{"unigram entry", `{"model": {"type": "Unigram", "vocab": [["a"]]}}`, []string{"[piece, score]"}},
		{"bpe merge", `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}, "pre_tokenizer": {"type": "ByteLevel"}}`, []string{`merge 1 "a" + "b"`}},
		{"charsmap header", `{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAA"}, "model": {"type": "Unigram", "vocab": [["a", -1]]}}`, []string{"4-byte header"}},
		{"charsmap empty", `{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAAAA=="}, "model": {"type": "Unigram", "vocab": [["a", -1]]}}`, []string{"empty trie"}},
		{"charsmap size", `{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "/////w=="}, "model": {"type": "Unigram", "vocab": [["a", -1]]}}`, []string{"does not fit"}},
		{"max chars", wp(vocab, mask)[:0] + strings.Replace(wp(vocab, mask), `"max_input_chars_per_word": 100`, `"max_input_chars_per_word": 0`, 1), []string{"max_input_chars_per_word 0"}},
	} {
		wantError(t, c.name, mkDir(t, map[string]string{"tokenizer.json": c.json}), c.want...)
	}
}

// TestLFSPointerTokenizer: what `git clone` without git-lfs leaves of xlm-roberta-base's
// tokenizer.json (9 MB, stored in LFS) is explained, not reported as bad JSON.
func TestLFSPointerTokenizer(t *testing.T) {
	pointer := "version https://git-lfs.github.com/spec/v1\n" +
		"oid sha256:62c24cdc13d4c9952d63718d6c9fa4c287974249e16b7ade6d5a85e7bbb75626\nsize 9096718\n"
	for _, name := range []string{"tokenizer.json", "vocab.txt"} {
		wantError(t, name, mkDir(t, map[string]string{name: pointer}), name, "Git LFS pointer", "9096718 bytes", "git lfs pull")
	}
}

func TestHostileVocabFiles(t *testing.T) {
	wantError(t, "added_tokens_decoder id 2^63-1", mkDir(t, map[string]string{"vocab.txt": tinyVocab,
		"tokenizer_config.json": `{"added_tokens_decoder": {"9223372036854775807": {"content": "[X]"}}}`}), `key "9223372036854775807" is not an id from 0 to 8`)
	wantError(t, "BertJapaneseTokenizer", mkDir(t, map[string]string{"vocab.txt": tinyVocab,
		"tokenizer_config.json": `{"tokenizer_class": "BertJapaneseTokenizer"}`}), `tokenizer_class "BertJapaneseTokenizer" is not a tokenizer lesionui implements`)
	wantError(t, "mecab", mkDir(t, map[string]string{"vocab.txt": tinyVocab,
		"tokenizer_config.json": `{"word_tokenizer_type": "mecab", "subword_tokenizer_type": "wordpiece"}`}), `"mecab"`, "BertJapaneseTokenizer")
	wantError(t, "spiece only", mkDir(t, map[string]string{"spiece.model": "x", "config.json": `{"model_type": "albert"}`}),
		"spiece.model", "no tokenizer.json", "AutoTokenizer.from_pretrained", "save_pretrained")
	wantError(t, "merges without vocab", mkDir(t, map[string]string{"merges.txt": "a b\n"}), "vocab.json")
	rob, err := os.ReadFile(filepath.Join(fixturesDir, "roberta-base-reduced", "vocab.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "bad merges.txt", mkDir(t, map[string]string{"vocab.json": string(rob), "merges.txt": "#version: 0.2\nĠ t x\n"}), "merges.txt:2")
	wantError(t, "huge tokenizer.json", func() string {
		dir := t.TempDir()
		f, err := os.Create(filepath.Join(dir, "tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(maxTokenizerJSON + 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return dir
	}(), "tokenizer.json", "refusing to read it")

	// A byte-order mark before [PAD] is dropped.
	tok := load(t, mkDir(t, map[string]string{"vocab.txt": "\uFEFF" + tinyVocab}))
	if tok.PadID() != 0 || tok.Token(0) != "[PAD]" {
		t.Errorf("BOM: PadID %d Token(0) %q", tok.PadID(), tok.Token(0))
	}
}

// TestEmptyTokenizerJSON: an empty tokenizer.json is a JSON error, not a fallback.
func TestEmptyTokenizerJSON(t *testing.T) {
	wantError(t, "empty", mkDir(t, map[string]string{"tokenizer.json": ""}), "tokenizer.json", "unexpected end")
}

// TestTransformersOverrides: what transformers' tokenizer classes change over the files.
func TestTransformersOverrides(t *testing.T) {
	g := readGolden(t)
	// BertTokenizerFast lower-cases when do_lower_case (default true) says so, whatever
	// tokenizer.json's normalizer says; with tokenizer_class or config.json's model_type.
	cased := casedJSONDir(t)
	for name, extra := range map[string]map[string]string{
		"class":      {"tokenizer_config.json": `{"tokenizer_class": "BertTokenizerFast"}`},
		"model_type": {"config.json": `{"model_type": "bert"}`},
	} {
		t.Run("lowercase-"+name, func(t *testing.T) { checkCases(t, load(t, copyDir(t, cased, extra)), g.Cases) })
	}
	t.Run("legacy-do_lower_case-false", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(fixturesDir, "bert-base-uncased-legacy"), map[string]string{"tokenizer_config.json": `{"do_lower_case": false}`})
		checkCases(t, load(t, dir), g.Cased)
	})
	// A directory saved without tokenizer.json after add_tokens(["[NEW]"]): vocab.txt and the
	// current tokenizer_config.json with added_tokens_decoder.
	t.Run("new-token", func(t *testing.T) {
		dir := vocabTxtDir(t, `{"added_tokens_decoder": {
			"0": {"content": "[PAD]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
			"100": {"content": "[UNK]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
			"101": {"content": "[CLS]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
			"102": {"content": "[SEP]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
			"103": {"content": "[MASK]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
			"30522": {"content": "[NEW]", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": false}},
			"clean_up_tokenization_spaces": true, "cls_token": "[CLS]", "do_lower_case": true, "mask_token": "[MASK]",
			"model_max_length": 512, "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": null,
			"tokenize_chinese_chars": true, "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]"}`)
		tok := load(t, dir)
		if tok.VocabSize() != 30523 || tok.Token(30522) != "[NEW]" {
			t.Errorf("VocabSize %d Token(30522) %q", tok.VocabSize(), tok.Token(30522))
		}
		checkCases(t, tok, readCases(t, "bert-new-token"))
	})
	// RoBERTa from vocab.json + merges.txt equals its tokenizer.json, <mask>'s lstrip included.
	t.Run("roberta-vocab-merges", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(fixturesDir, "roberta-base-reduced"), nil)
		if err := os.Remove(filepath.Join(dir, "tokenizer.json")); err != nil {
			t.Fatal(err)
		}
		checkCases(t, load(t, dir), readCases(t, "roberta-base-reduced"))
	})
	// RobertaTokenizerFast's add_prefix_space from tokenizer_config.json.
	t.Run("roberta-add_prefix_space", func(t *testing.T) {
		tok := load(t, copyDir(t, filepath.Join(fixturesDir, "roberta-base-reduced"), map[string]string{"tokenizer_config.json": `{"add_prefix_space": true}`}))
		enc, err := tok.Encode("him")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"<s>", "Ġhim", "</s>"}; !slices.Equal(enc.Tokens, want) {
			t.Errorf("tokens %q, want %q", enc.Tokens, want)
		}
	})
}

// TestFamilyAPI: the mask token, and words as they appear inside a sentence.
func TestFamilyAPI(t *testing.T) {
	for _, c := range []struct {
		dir, mask, him string
	}{
		{vocabDir, "[MASK]", "him"},
		{filepath.Join(fixturesDir, "bert-base-uncased-legacy"), "[MASK]", "him"},
		{filepath.Join(fixturesDir, "roberta-base-reduced"), "<mask>", "Ġhim"},
		{filepath.Join(fixturesDir, "albert-base-v2-reduced"), "[MASK]", "▁him"},
		{filepath.Join(fixturesDir, "xlm-roberta-base-reduced"), "<mask>", "▁him"},
	} {
		tok := load(t, c.dir)
		name := filepath.Base(c.dir)
		if tok.MaskToken() != c.mask || tok.Token(tok.MaskID()) != c.mask {
			t.Errorf("%s: MaskToken %q, Token(MaskID) %q; want %q", name, tok.MaskToken(), tok.Token(tok.MaskID()), c.mask)
		}
		id, err := tok.TokenID("him")
		if err != nil || tok.Token(id) != c.him {
			t.Errorf("%s: TokenID(him) = %d (%q), %v; want %q", name, id, tok.Token(id), err, c.him)
		}
		if id, err := tok.TokenID(c.mask); err != nil || id != tok.MaskID() {
			t.Errorf("%s: TokenID(%s) = %d, %v", name, c.mask, id, err)
		}
		// The masked test text differs from the clean one at exactly the word's position.
		clean, err1 := tok.Encode("Robert helped Lucy with her project, and she thanked him for his hard work.")
		masked, err2 := tok.Encode("Robert helped Lucy with her project, and she thanked " + c.mask + " for his hard work.")
		if err1 != nil || err2 != nil || len(clean.IDs) != len(masked.IDs) {
			t.Errorf("%s: clean %q / masked %q", name, clean.Tokens, masked.Tokens)
			continue
		}
		i := slices.Index(masked.IDs, tok.MaskID())
		if i < 0 || clean.IDs[i] != id {
			t.Errorf("%s: mask at %d of %q, clean has %q", name, i, masked.Tokens, clean.Tokens)
		}
	}
	rob := load(t, filepath.Join(fixturesDir, "roberta-base-reduced"))
	if _, err := rob.TokenID("lesioning"); err == nil || !strings.Contains(err.Error(), "splits into") {
		t.Errorf("RoBERTa TokenID(lesioning) error %v", err)
	}
}

// TestPrecompiledCharsmap checks the nmt_nfkc charsmap against the expectations of HF's
// spm_precompiled tests (which transformers.js cannot serve: it replaces the charsmap by NFKC).
func TestPrecompiledCharsmap(t *testing.T) {
	p, err := parsePrecompiled(spm.NmtNfkc())
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"\ufb01": "fi", "𝔾": "G", "𝕠": "o", "\u200d": " "} {
		if got, ok := p.transform(in); !ok || got != want {
			t.Errorf("transform(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := p.transform(" "); ok {
		t.Error("transform(space) found a rule")
	}
	for in, want := range map[string]string{
		"เขาไม่ได้พูดสักคำ": "เขาไม\u0e48ได\u0e49พ\u0e39ดส\u0e31กค\u0e4dา",
		"ड़ी दुख":                              "ड\u093cी द\u0941ख",
		string([]byte{0xd8, 0xa7, 0xd9, 0x93}): "آ",
		"ＡＢＣ ½ ①":                              "ABC 1⁄2 1",
		"a\xffb":                               "a b", // invalid UTF-8 reads as U+FFFD, which the table maps to a space
	} {
		if got := p.normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
	// Truncated and corrupted charsmaps are errors or no-matches, never a panic.
	full := spm.NmtNfkc()
	for _, n := range []int{0, 3, 4, 5, 100, len(full) / 2} {
		if p, err := parsePrecompiled(full[:n]); err == nil {
			p.normalize("ＡＢＣ ﬁ 𝔾")
		}
	}
	bad := slices.Clone(full)
	for i := 4; i < 4000; i += 7 {
		bad[i] = 0xff
	}
	if p, err := parsePrecompiled(bad); err == nil {
		p.normalize("ＡＢＣ ﬁ 𝔾 abc")
	}
}

// TestRealTokenizers runs the full tokenizer files of the Hub repositories when
// LESIONUI_TOKENIZERS names a directory holding them (roberta-base/, albert-base-v2/,
// xlm-roberta-base/, each as downloaded); they are too large to commit.
func TestRealTokenizers(t *testing.T) {
	root := os.Getenv("LESIONUI_TOKENIZERS")
	if root == "" {
		t.Skip("LESIONUI_TOKENIZERS is not set")
	}
	for _, c := range []struct {
		dir       string
		size      int
		mask, him string
		maskID    int
	}{
		{"roberta-base", 50265, "<mask>", "Ġhim", 50264},
		{"albert-base-v2", 30000, "[MASK]", "▁him", 4},
		{"xlm-roberta-base", 250002, "<mask>", "▁him", 250001},
	} {
		dir := filepath.Join(root, c.dir)
		if _, err := os.Stat(dir); err != nil {
			t.Logf("%s: skipped (%v)", c.dir, err)
			continue
		}
		tok := load(t, dir)
		id, err := tok.TokenID("him")
		if tok.VocabSize() != c.size || tok.MaskID() != c.maskID || tok.MaskToken() != c.mask || err != nil || tok.Token(id) != c.him {
			t.Errorf("%s: VocabSize %d MaskID %d %q TokenID(him) %q %v", c.dir, tok.VocabSize(), tok.MaskID(), tok.MaskToken(), tok.Token(id), err)
		}
	}
}
