// Package encoder runs HuggingFace BERT masked-language models (BertForMaskedLM) in pure Go, with
// the hooks a lesioning study needs: capture of the MLP expansion (intermediate.dense) at chosen
// tokens in every layer, lesions that zero chosen expansion units at chosen tokens, MLM logits
// only where asked, and traces that let a lesioned pass start at the lesioned layer.
//
// A model directory has HF's layout: config.json, model.safetensors (or a sharded
// model.safetensors.index.json) in F32, F16 or BF16, and tokenizer.json or vocab.txt. F32 weights
// are used in place from the memory-mapped file; weights stay in their stored [out, in] layout
// and every matrix product goes through package linalg.
package encoder

import (
	"fmt"
	"path/filepath"

	"lesionui/engine/encoder/safetensors"
	"lesionui/engine/encoder/tokenize"
)

// Model is a loaded BertForMaskedLM with its tokenizer. Its methods are safe for concurrent use.
type Model struct {
	Config    Config
	Dir       string
	Tokenizer *tokenize.Tokenizer

	ckpt   *safetensors.Checkpoint
	emb    embeddings
	layers []layer
	head   mlmHead
}

// LoadProgress reports how far Load has come: Stage names the part being read.
type LoadProgress struct {
	Stage       string
	Done, Total int
}

// Load opens the model in dir. progress may be nil.
func Load(dir string, progress func(LoadProgress)) (*Model, error) {
	report := func(stage string, done, total int) {
		if progress != nil {
			progress(LoadProgress{Stage: stage, Done: done, Total: total})
		}
	}
	report("config", 0, 1)
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	report("tokenizer", 0, 1)
	tok, err := tokenize.Load(dir)
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() > cfg.VocabSize {
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens but config.json's vocab_size is %d", dir, tok.VocabSize(), cfg.VocabSize)
	}
	report("weights", 0, 1)
	ckpt, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	emb, layers, head, err := readWeights(ckpt, cfg, func(done, total int) { report("weights", done, total) })
	if err != nil {
		ckpt.Close()
		return nil, err
	}
	return &Model{Config: cfg, Dir: dir, Tokenizer: tok, ckpt: ckpt, emb: emb, layers: layers, head: head}, nil
}

// Close releases the memory-mapped weights. The model must not be used afterwards.
func (m *Model) Close() error { return m.ckpt.Close() }
