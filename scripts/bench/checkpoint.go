package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"lesionui/engine/encoder/safetensors"
)

// shape is the architecture numbers of a BERT checkpoint.
type shape struct{ vocab, hidden, layers, heads, inter, maxPos, types int }

// large is bert-large-uncased's architecture.
var large = shape{vocab: 30522, hidden: 1024, layers: 24, heads: 16, inter: 4096, maxPos: 512, types: 2}

// weightStd is the standard deviation of every random matrix, HF's initializer_range.
const weightStd = 0.02

// tensorSpec says how to fill one tensor: random with weightStd (HF's init for linear and
// embedding weights), ones (LayerNorm gamma) or zeros (biases, LayerNorm beta), as HF's
// _init_weights does.
type tensorSpec struct {
	name  string
	shape []int
	fill  int // fillRandom, fillOnes or fillZeros
}

const (
	fillRandom = iota
	fillOnes
	fillZeros
)

// checkpointSpecs lists BertForMaskedLM's tensors under HF's names; the decoder is tied to the
// word embeddings and so not stored, as in HF's own bert-large-uncased checkpoint.
func checkpointSpecs(s shape) []tensorSpec {
	var specs []tensorSpec
	add := func(name string, fill int, dims ...int) {
		specs = append(specs, tensorSpec{name, dims, fill})
	}
	linear := func(p string, out, in int) {
		add(p+".weight", fillRandom, out, in)
		add(p+".bias", fillZeros, out)
	}
	norm := func(p string) {
		add(p+".weight", fillOnes, s.hidden)
		add(p+".bias", fillZeros, s.hidden)
	}
	add("bert.embeddings.word_embeddings.weight", fillRandom, s.vocab, s.hidden)
	add("bert.embeddings.position_embeddings.weight", fillRandom, s.maxPos, s.hidden)
	add("bert.embeddings.token_type_embeddings.weight", fillRandom, s.types, s.hidden)
	norm("bert.embeddings.LayerNorm")
	for l := range s.layers {
		p := fmt.Sprintf("bert.encoder.layer.%d.", l)
		linear(p+"attention.self.query", s.hidden, s.hidden)
		linear(p+"attention.self.key", s.hidden, s.hidden)
		linear(p+"attention.self.value", s.hidden, s.hidden)
		linear(p+"attention.output.dense", s.hidden, s.hidden)
		norm(p + "attention.output.LayerNorm")
		linear(p+"intermediate.dense", s.inter, s.hidden)
		linear(p+"output.dense", s.hidden, s.inter)
		norm(p + "output.LayerNorm")
	}
	linear("cls.predictions.transform.dense", s.hidden, s.hidden)
	norm("cls.predictions.transform.LayerNorm")
	add("cls.predictions.bias", fillZeros, s.vocab)
	return specs
}

// rng is xorshift64*, seeded through splitmix64 so that nearby seeds give unrelated streams.
type rng uint64

func newRNG(seed uint64) rng {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return rng(z)
}

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 0x2545f4914f6cdd1d
}

// normalish returns an approximately normal value with mean 0 and standard deviation std: the
// Irwin–Hall sum of the four 16-bit uniforms in one draw (variance 4/12), centred and scaled.
func (r *rng) normalish(std float32) float32 {
	x := r.next()
	sum := float32(x&0xffff+x>>16&0xffff+x>>32&0xffff+x>>48) + 2 // +4·½ centres each uniform
	return (sum/65536 - 2) * (std * float32(math.Sqrt(3)))
}

// fillTensor returns the data of spec, random from a stream seeded by the tensor's index.
func fillTensor(spec tensorSpec, index int) []float32 {
	n := 1
	for _, d := range spec.shape {
		n *= d
	}
	data := make([]float32, n)
	switch spec.fill {
	case fillOnes:
		for i := range data {
			data[i] = 1
		}
	case fillRandom:
		r := newRNG(uint64(index))
		for i := range data {
			data[i] = r.normalish(weightStd)
		}
	}
	return data
}

// configJSON is the config.json written next to the weights: HF's BertConfig fields for s.
func configJSON(s shape) []byte {
	b, err := json.MarshalIndent(map[string]any{
		"architectures":           []string{"BertForMaskedLM"},
		"model_type":              "bert",
		"vocab_size":              s.vocab,
		"hidden_size":             s.hidden,
		"num_hidden_layers":       s.layers,
		"num_attention_heads":     s.heads,
		"intermediate_size":       s.inter,
		"hidden_act":              "gelu",
		"max_position_embeddings": s.maxPos,
		"type_vocab_size":         s.types,
		"layer_norm_eps":          1e-12,
		"position_embedding_type": "absolute",
	}, "", "  ")
	if err != nil {
		panic(err) // a fixed map of strings and numbers always encodes
	}
	return append(b, '\n')
}

// checkpointReady reports whether dir already holds the benchmark's checkpoint: the same
// config.json, a vocab.txt and a model.safetensors (written under a temporary name and
// renamed, so one that exists is complete).
func checkpointReady(dir string) bool {
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil || !bytes.Equal(cfg, configJSON(large)) {
		return false
	}
	for _, f := range []string{"vocab.txt", "model.safetensors"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// writeCheckpoint writes the random bert-large-shaped checkpoint, its config.json and a copy of
// the vocabulary at vocab into dir, and returns the number of parameters written.
func writeCheckpoint(dir, vocab string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	if err := copyFile(filepath.Join(dir, "vocab.txt"), vocab); err != nil {
		return 0, err
	}
	specs := checkpointSpecs(large)
	tensors := make([]safetensors.Tensor, len(specs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				tensors[i] = safetensors.Tensor{Name: specs[i].name, DType: safetensors.F32, Shape: specs[i].shape, Data: fillTensor(specs[i], i)}
			}
		})
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	params := 0
	for _, t := range tensors {
		params += len(t.Data)
	}
	meta := map[string]string{"format": "pt", "generator": "lesionui scripts/bench: xorshift64*, std 0.02, HF init"}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, meta); err != nil {
		return 0, err
	}
	// config.json last: checkpointReady trusts a directory only once it is there.
	return params, os.WriteFile(filepath.Join(dir, "config.json"), configJSON(large), 0o644)
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return out.Close()
}
