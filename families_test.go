package main

import (
	"path/filepath"
	"testing"
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
