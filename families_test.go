package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"lesionui/engine"
	"lesionui/tui"
)

// TestRunJSONMatchesReferenceOnEveryFamily: `lesionui run --json` on a random checkpoint of each
// family beyond BERT, in its real naming and with its real tokenizer files, reproduces the
// independent study (scripts/reference/make_family_fixtures.py: transformers.js token ids, the
// PyTorch re-statements of the HF modeling files, scipy, statsmodels) on the notebook's contrast
// set: the significant sets exactly, t and logits within 1e-4.
func TestRunJSONMatchesReferenceOnEveryFamily(t *testing.T) {
	for _, name := range []string{
		"tiny-roberta",                 // vocab.json + merges.txt
		"tiny-roberta-full",            // tokenizer.json (byte-level BPE)
		"tiny-xlm-roberta",             // tokenizer.json (Unigram, Precompiled charsmap)
		"tiny-distilbert",              // vocab.txt
		"tiny-distilbert-sinusoidal",   // vocab.txt, relu
		"tiny-electra-generator",       // vocab.txt
		"tiny-electra-small-generator", // vocab.txt, sharded BF16
		"tiny-albert",                  // tokenizer.json (Unigram), one shared layer
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("engine", "encoder", "testdata", name)
			checkRunJSON(t, dir, filepath.Join(dir, "..", "golden", name+".study.json"))
		})
	}
}

// TestExplorerOpensRobertaFromHub: `lesionui --model some/model` on a loopback Hub holding a
// RoBERTa repository (tiny-roberta-full: config.json, tokenizer.json, model.safetensors) goes
// through the explorer's own wiring (exploreConfig: the Hub, the cache, the model, the study):
// it downloads the repository, config.json first, and opens the study, RoBERTa's layers shown.
func TestExplorerOpensRobertaFromHub(t *testing.T) {
	h := fakeHub(t, filepath.Join("engine", "encoder", "testdata", "tiny-roberta-full"), false, "")
	cache, _ := hubEnv(t, h.srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := studyFlags{model: "some/model", alpha: engine.DefaultAlpha}
	tm := teatest.NewTestModel(t, tui.New(exploreConfig(ctx, &f, engine.Design{}, -1)), teatest.WithInitialTermSize(120, 32))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Layers")) && bytes.Contains(b, []byte("him")) },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
	for _, file := range []string{"config.json", "tokenizer.json", "model.safetensors"} {
		if len(h.asked(file)) == 0 {
			t.Errorf("the Hub was not asked for %s", file)
		}
	}
	if first := h.paths[0]; !strings.HasSuffix(first, "/config.json") {
		t.Errorf("first request %q, want config.json", first)
	}
	if _, err := os.Stat(filepath.Join(cache, "models--some--model", "refs", "main")); err != nil {
		t.Errorf("the repository is not in the cache: %v", err)
	}
}
