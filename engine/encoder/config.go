package encoder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"lesionui/internal/files"
)

// Config holds the BertConfig fields the engine reads from a model's config.json.
type Config struct {
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	IntermediateSize      int     `json:"intermediate_size"`
	HiddenAct             string  `json:"hidden_act"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TypeVocabSize         int     `json:"type_vocab_size"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	PositionEmbeddingType string  `json:"position_embedding_type"`
	ModelType             string  `json:"model_type"`
}

// Activations the engine implements, by config.json's hidden_act name.
const (
	ActGELU     = "gelu"     // exact: x·Φ(x), with erf
	ActGELUTanh = "gelu_new" // tanh approximation (also spelt gelu_pytorch_tanh)
)

// LoadConfig reads and validates a BertConfig JSON file. Missing optional fields take
// HF's defaults (hidden_act gelu, type_vocab_size 2, layer_norm_eps 1e-12).
func LoadConfig(path string) (Config, error) {
	b, err := files.ReadRegular(path, maxConfigLen) // a FIFO is refused, a huge file not read
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("%s: no config.json: not a HuggingFace model directory", path)
	}
	if err != nil {
		return Config{}, err
	}
	c := Config{HiddenAct: ActGELU, TypeVocabSize: 2, LayerNormEps: 1e-12, PositionEmbeddingType: "absolute"}
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// maxConfigLen bounds config.json: real ones are a few kB, the largest (long label maps)
// well under a MB.
const maxConfigLen = 16 << 20

func (c Config) validate() error {
	if c.ModelType != "" && c.ModelType != "bert" {
		return fmt.Errorf("model_type is %q; lesionui runs BERT models (model_type \"bert\")", c.ModelType)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"type_vocab_size", c.TypeVocabSize},
	} {
		if f.v <= 0 {
			return fmt.Errorf("%s must be a positive integer, got %d", f.name, f.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	switch c.HiddenAct {
	case ActGELU, ActGELUTanh, "gelu_pytorch_tanh":
	default:
		return fmt.Errorf("hidden_act %q is not supported (lesionui implements \"gelu\" and \"gelu_new\")", c.HiddenAct)
	}
	if c.PositionEmbeddingType != "absolute" {
		return fmt.Errorf("position_embedding_type %q is not supported (only \"absolute\")", c.PositionEmbeddingType)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("layer_norm_eps must be positive, got %g", c.LayerNormEps)
	}
	return nil
}

// HeadSize is the width of one attention head.
func (c Config) HeadSize() int { return c.HiddenSize / c.NumAttentionHeads }

// tanhGELU reports whether hidden_act names the tanh approximation.
func (c Config) tanhGELU() bool { return c.HiddenAct != ActGELU }
