package tokenize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// vocabDir is the committed bert-base-uncased tokenizer directory.
var vocabDir = filepath.Join("..", "..", "..", "testdata", "vocab", "bert-base-uncased")

// goldenCase is one reference tokenisation from scripts/tokref/golden.mjs.
type goldenCase struct {
	Name   string   `json:"name"`
	Text   string   `json:"text"`
	IDs    []int    `json:"ids"`
	Tokens []string `json:"tokens"`
}

type goldenFile struct {
	Cases []goldenCase `json:"cases"`
	Batch struct {
		Texts         []string `json:"texts"`
		InputIDs      [][]int  `json:"input_ids"`
		AttentionMask [][]int  `json:"attention_mask"`
	} `json:"batch"`
	Cased []goldenCase `json:"cased"`
}

func readGolden(t *testing.T) *goldenFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 137 || len(g.Cased) == 0 || len(g.Batch.Texts) == 0 {
		t.Fatalf("golden.json incomplete: %d cases, %d cased, %d batch texts", len(g.Cases), len(g.Cased), len(g.Batch.Texts))
	}
	return &g
}

// writeFile writes content to dir/name.
func writeFile(t *testing.T, dir, name string, content []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// vocabTxtDir returns a fresh directory with the committed vocab.txt and the
// given tokenizer_config.json (none when config is "").
func vocabTxtDir(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(vocabDir, "vocab.txt"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "vocab.txt", b)
	if config != "" {
		writeFile(t, dir, "tokenizer_config.json", []byte(config))
	}
	return dir
}

// casedJSONDir returns a directory whose tokenizer.json is the committed one
// with the normalizer's lowercase switched off, like golden.mjs does.
func casedJSONDir(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vocabDir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tj map[string]any
	if err := json.Unmarshal(b, &tj); err != nil {
		t.Fatal(err)
	}
	tj["normalizer"].(map[string]any)["lowercase"] = false
	if b, err = json.Marshal(tj); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "tokenizer.json", b)
	return dir
}

func load(t *testing.T, dir string) *Tokenizer {
	t.Helper()
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func checkCases(t *testing.T, tok *Tokenizer, cases []goldenCase) {
	t.Helper()
	for _, c := range cases {
		enc, err := tok.Encode(c.Text)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if !slices.Equal(enc.IDs, c.IDs) || !slices.Equal(enc.Tokens, c.Tokens) {
			t.Errorf("%s: Encode(%q)\n got %v %q\nwant %v %q", c.Name, c.Text, enc.IDs, enc.Tokens, c.IDs, c.Tokens)
		}
	}
}

func TestGoldenUncased(t *testing.T) {
	g := readGolden(t)
	t.Run("tokenizer.json", func(t *testing.T) { checkCases(t, load(t, vocabDir), g.Cases) })
	t.Run("vocab.txt", func(t *testing.T) {
		checkCases(t, load(t, vocabTxtDir(t, `{"do_lower_case": true}`)), g.Cases)
	})
	t.Run("vocab.txt-no-config", func(t *testing.T) { checkCases(t, load(t, vocabTxtDir(t, "")), g.Cases) })
}

func TestGoldenCased(t *testing.T) {
	g := readGolden(t)
	t.Run("tokenizer.json", func(t *testing.T) { checkCases(t, load(t, casedJSONDir(t)), g.Cased) })
	t.Run("vocab.txt", func(t *testing.T) {
		checkCases(t, load(t, vocabTxtDir(t, `{"do_lower_case": false}`)), g.Cased)
	})
}

func TestGoldenBatch(t *testing.T) {
	g := readGolden(t)
	for name, dir := range map[string]string{"tokenizer.json": vocabDir, "vocab.txt": vocabTxtDir(t, "")} {
		b, err := load(t, dir).EncodeBatch(g.Batch.Texts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range g.Batch.Texts {
			if !slices.Equal(b.IDs[i], g.Batch.InputIDs[i]) || !slices.Equal(b.AttentionMask[i], g.Batch.AttentionMask[i]) {
				t.Errorf("%s row %d: got %v mask %v, want %v mask %v", name, i,
					b.IDs[i], b.AttentionMask[i], g.Batch.InputIDs[i], g.Batch.AttentionMask[i])
			}
			n := 0
			for _, m := range g.Batch.AttentionMask[i] {
				n += m
			}
			if b.Lengths[i] != n || len(b.Tokens[i]) != len(b.IDs[i]) {
				t.Errorf("%s row %d: length %d, %d tokens for %d ids; want length %d", name, i, b.Lengths[i], len(b.Tokens[i]), len(b.IDs[i]), n)
			}
		}
	}
}
