// Package encoder runs HuggingFace encoder masked-language models in pure Go — BERT, RoBERTa,
// XLM-RoBERTa, DistilBERT, ELECTRA generators and ALBERT (one family description each, see
// family.go) — with the hooks a lesioning study needs: capture of the MLP expansion (intermediate.dense) at chosen
// tokens in every layer, interventions that set or scale chosen expansion units at chosen tokens
// (one seam, used by every kind of lesion), MLM logits only where asked, and traces that let a
// pass with an intervention start at its layer.
//
// The forward pass, shared by every family, reads like the model: embeddings, then per layer
// encoderLayer = attentionBlock, then feedForward (the expansion — BERT's intermediate.dense,
// DistilBERT's ffn.lin1, ALBERT's ffn — where interventions and capture happen, then the output
// block), then the MLM head.
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

// Model is a loaded masked LM with its tokenizer. Its methods are safe for concurrent use.
type Model struct {
	Config Config
	// Arch is the model's family and what the study's layers and units are in it.
	Arch      Architecture
	Dir       string
	Tokenizer *tokenize.Tokenizer

	ckpt   *safetensors.Checkpoint
	emb    embeddings
	layers []layer
	act    activation // of the expansion
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
	cfg, fam, err := loadConfig(filepath.Join(dir, "config.json"))
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
	m, err := openWeights(dir, cfg, fam, func(done, total int) { report("weights", done, total) })
	if err != nil {
		return nil, err
	}
	m.Tokenizer = tok
	return m, nil
}

// openWeights maps the checkpoint in dir onto the family's model (everything but the tokenizer).
func openWeights(dir string, cfg Config, fam *family, progress func(done, total int)) (*Model, error) {
	act, err := parseActivation(fam.field("hidden_act"), cfg.HiddenAct)
	if err != nil {
		return nil, err
	}
	progress(0, 1)
	ckpt, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	emb, layers, head, err := readWeights(ckpt, cfg, fam, progress)
	if err != nil {
		ckpt.Close()
		return nil, err
	}
	return &Model{Config: cfg, Arch: fam.Architecture, Dir: dir, ckpt: ckpt, emb: emb, layers: layers, act: act, head: head}, nil
}

// MaxTokens is the longest sequence the model takes, special tokens included: the position table's
// rows from the first position on (max_position_embeddings, less pad_token_id + 1 in RoBERTa and
// XLM-RoBERTa, whose positions start after the pad id: 512 for roberta-base).
func (m *Model) MaxTokens() int { return m.Config.MaxPositionEmbeddings - m.emb.firstPosition() }

// Close releases the memory-mapped weights. The model must not be used afterwards.
func (m *Model) Close() error { return m.ckpt.Close() }
