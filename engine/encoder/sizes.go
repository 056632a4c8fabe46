package encoder

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"lesionui/engine/encoder/safetensors"
)

// checkSizes checks config.json's sizes against the checkpoint's tensors before anything
// sized by them is allocated, so that an absurd value (num_hidden_layers of 10¹²) is an
// error naming the field instead of an exhausted memory: each size must be the one the
// tensor that stores it has, and the checkpoint must hold num_hidden_layers layers.
func (r *weightReader) checkSizes() error {
	c := r.cfg
	configErr := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", filepath.Join(r.ckpt.Dir(), "config.json"), fmt.Sprintf(format, args...))
	}
	for _, s := range []struct {
		tensor string
		dims   []sizeField
	}{
		{"bert.embeddings.word_embeddings.weight", []sizeField{{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}}},
		{"bert.embeddings.position_embeddings.weight", []sizeField{{"max_position_embeddings", c.MaxPositionEmbeddings}}},
		{"bert.embeddings.token_type_embeddings.weight", []sizeField{{"type_vocab_size", c.TypeVocabSize}}},
		{"bert.encoder.layer.0.intermediate.dense.weight", []sizeField{{"intermediate_size", c.IntermediateSize}}},
	} {
		name := r.find(s.tensor)
		if name == "" {
			continue // reported as missing by readWeights
		}
		info, _ := r.ckpt.Info(name)
		for i, d := range s.dims {
			if len(info.Shape) <= i || info.Shape[i] != d.value {
				return configErr("%s is %d, but the checkpoint's %s has shape %v", d.name, d.value, name, info.Shape)
			}
		}
	}
	if n := encoderLayers(r.ckpt); n > 0 && c.NumHiddenLayers > n {
		return configErr("num_hidden_layers is %d, but the checkpoint holds %d encoder layers", c.NumHiddenLayers, n)
	}
	return nil
}

// sizeField is a size config.json gives, by its field name.
type sizeField struct {
	name  string
	value int
}

// encoderLayers is how many encoder layers ckpt holds: one more than the largest N of its
// "encoder.layer.N." tensor names (0 for a checkpoint that names its layers otherwise).
func encoderLayers(ckpt *safetensors.Checkpoint) int {
	n := 0
	for _, name := range ckpt.Names() {
		_, rest, ok := strings.Cut(name, "encoder.layer.")
		digits, _, ok2 := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(digits); ok && ok2 && err == nil && i >= n {
			n = i + 1
		}
	}
	return n
}
