package encoder

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// checkSizes checks config.json's sizes against the checkpoint's tensors before anything
// sized by them is allocated, so that an absurd value (num_hidden_layers of 10¹²) is an
// error naming the field (in the family's own spelling) instead of an exhausted memory: each
// size must be the one the tensor that stores it has, and the checkpoint must hold
// num_hidden_layers layers (a shared layer, ALBERT's, is counted by its config check instead).
// The tensors are the family's embedding tables (under "<prefix>.embeddings") and its first
// layer's expansion; one the checkpoint lacks is reported as missing when the weights are read.
func (r *weightReader) checkSizes(f *family) error {
	c := r.cfg
	configErr := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", filepath.Join(r.ckpt.Dir(), "config.json"), fmt.Sprintf(format, args...))
	}
	emb := f.prefix + ".embeddings."
	expansion := strings.Replace(f.Expansion, ".L.", ".0.", 1) + ".weight"
	for _, s := range []struct {
		tensor string
		dims   []sizeField
	}{
		{emb + "word_embeddings.weight", []sizeField{{"vocab_size", c.VocabSize}, {"embedding_size", c.EmbeddingSize}}},
		{emb + "position_embeddings.weight", []sizeField{{"max_position_embeddings", c.MaxPositionEmbeddings}}},
		{emb + "token_type_embeddings.weight", []sizeField{{"type_vocab_size", c.TypeVocabSize}}},
		{expansion, []sizeField{{"intermediate_size", c.IntermediateSize}}},
	} {
		name := r.find(s.tensor)
		if name == "" {
			continue // reported as missing by readWeights
		}
		info, _ := r.ckpt.Info(name)
		for i, d := range s.dims {
			if len(info.Shape) <= i || info.Shape[i] != d.value {
				return configErr("%s is %d, but the checkpoint's %s has shape %v", f.field(d.name), d.value, name, info.Shape)
			}
		}
	}
	if layer, _, ok := strings.Cut(f.Expansion, ".L."); ok {
		if n := storedLayers(r, layer+"."); n > 0 && c.NumHiddenLayers > n {
			return configErr("%s is %d, but the checkpoint holds %d encoder layers", f.field("num_hidden_layers"), c.NumHiddenLayers, n)
		}
	}
	return nil
}

// sizeField is a size config.json gives, by its field name.
type sizeField struct {
	name  string
	value int
}

// storedLayers is how many layers the checkpoint holds under the layer-name prefix
// ("bert.encoder.layer."), with or without the base-model prefix: one more than the largest N of
// its "<prefix>N." tensor names (0 for none).
func storedLayers(r *weightReader, prefix string) int {
	short := strings.TrimPrefix(prefix, r.prefix)
	n := 0
	for _, name := range r.ckpt.Names() {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			rest, ok = strings.CutPrefix(name, short)
		}
		digits, _, ok2 := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(digits); ok && ok2 && err == nil && i >= n {
			n = i + 1
		}
	}
	return n
}
