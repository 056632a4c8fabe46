package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// resetCache forgets Dir's remembered path so a test can point it at a fresh cache.
func resetCache(t *testing.T) {
	t.Helper()
	mu.Lock()
	cached = ""
	mu.Unlock()
	t.Cleanup(func() {
		mu.Lock()
		cached = ""
		mu.Unlock()
	})
}

func assertSameBytes(t *testing.T, dir string) {
	t.Helper()
	files, _, err := contents()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("%s: %d bytes differ from the embedded %d", f.name, len(got), len(f.data))
		}
	}
}

func TestDirWritesEmbeddedFilesIntoXDGCache(t *testing.T) {
	resetCache(t)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != filepath.Join(cache, "lesionui") || !strings.HasPrefix(filepath.Base(dir), "demo-") {
		t.Errorf("Dir() = %s, want %s/lesionui/demo-<hash>", dir, cache)
	}
	for _, name := range []string{"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors", "SOURCES.md"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	assertSameBytes(t, dir)
	again, err := Dir()
	if err != nil || again != dir {
		t.Errorf("second Dir() = %q, %v; want %q", again, err, dir)
	}
	if !IsDemo(dir) {
		t.Errorf("IsDemo(%s) = false", dir)
	}
}

func TestMaterializeReusesAndRepairs(t *testing.T) {
	root := t.TempDir()
	dir, err := materialize(root)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, "model.safetensors"))
	again, err := materialize(root)
	if err != nil || again != dir {
		t.Fatalf("second materialize = %q, %v; want %q", again, err, dir)
	}
	st2, _ := os.Stat(filepath.Join(dir, "model.safetensors"))
	if !st2.ModTime().Equal(st.ModTime()) {
		t.Error("a complete copy was rewritten instead of reused")
	}
	// A damaged copy (truncated weights) is replaced.
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("cut"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, err = materialize(root); err != nil || again != dir {
		t.Fatalf("repairing materialize = %q, %v; want %q", again, err, dir)
	}
	assertSameBytes(t, dir)
}

func TestMaterializeConcurrentCallers(t *testing.T) {
	root := t.TempDir()
	const n = 8
	dirs, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dirs[i], errs[i] = materialize(root) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || dirs[i] != dirs[0] {
			t.Fatalf("caller %d: %q, %v; caller 0: %q", i, dirs[i], errs[i], dirs[0])
		}
	}
	assertSameBytes(t, dirs[0])
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("cache root holds %v, want only %s (temporary folders left behind?)", names, filepath.Base(dirs[0]))
	}
}

func TestEmbeddedModelIsConsistent(t *testing.T) {
	raw, err := embedded.ReadFile("model/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Demo      bool     `json:"lesionui_demo"`
		Arch      []string `json:"architectures"`
		Type      string   `json:"model_type"`
		VocabSize int      `json:"vocab_size"`
		Act       string   `json:"hidden_act"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if !c.Demo || len(c.Arch) != 1 || c.Arch[0] != "BertForMaskedLM" || c.Type != "bert" || c.Act != "gelu" {
		t.Errorf("config.json = %+v", c)
	}
	vocab, err := embedded.ReadFile("model/vocab.txt")
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	sc := bufio.NewScanner(bytes.NewReader(vocab))
	for sc.Scan() {
		toks = append(toks, sc.Text())
	}
	if len(toks) != c.VocabSize {
		t.Errorf("vocab.txt has %d tokens, config says %d", len(toks), c.VocabSize)
	}
	for i, want := range []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"} {
		if i >= len(toks) || toks[i] != want {
			t.Fatalf("token %d is not %s", i, want)
		}
	}
	index := map[string]bool{}
	for _, tok := range toks {
		if index[tok] {
			t.Errorf("duplicate token %q", tok)
		}
		index[tok] = true
	}
	for _, w := range []string{"him", "her", "robert", "lucy", "project", "thanked"} {
		if !index[w] {
			t.Errorf("%q is not a single token", w)
		}
	}
}

func TestIsDemoRejectsOtherDirs(t *testing.T) {
	dir := t.TempDir()
	if IsDemo(dir) {
		t.Error("IsDemo is true without config.json")
	}
	for _, cfg := range []string{`{"model_type": "bert"}`, `{"lesionui_demo": false}`, `{"lesionui_demo": tru`} {
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		if IsDemo(dir) {
			t.Errorf("IsDemo is true for config %s", cfg)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"lesionui_demo": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if !IsDemo(dir) {
		t.Error("IsDemo is false for a marked config")
	}
}
