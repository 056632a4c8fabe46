package encoder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"lesionui/internal/files"
)

// Config is what the engine reads from a model's config.json, in one vocabulary for every family.
// The JSON names are BertConfig's, which RoBERTa, XLM-RoBERTa, ELECTRA and ALBERT share; a family
// with other names (DistilBERT) maps them onto these fields.
type Config struct {
	ModelType     string   `json:"model_type"`
	Architectures []string `json:"architectures"`

	VocabSize         int `json:"vocab_size"`
	HiddenSize        int `json:"hidden_size"`    // H: the width of the hidden state
	EmbeddingSize     int `json:"embedding_size"` // E: the width of the token tables; H except in ELECTRA and ALBERT
	NumHiddenLayers   int `json:"num_hidden_layers"`
	NumAttentionHeads int `json:"num_attention_heads"`
	IntermediateSize  int `json:"intermediate_size"` // the expansion: units per layer

	HiddenAct             string  `json:"hidden_act"` // the expansion's activation
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TypeVocabSize         int     `json:"type_vocab_size"` // 0: the family has no token types (DistilBERT)
	LayerNormEps          float64 `json:"layer_norm_eps"`
	PositionEmbeddingType string  `json:"position_embedding_type"`
	PadTokenID            int     `json:"pad_token_id"`
	TieWordEmbeddings     bool    `json:"tie_word_embeddings"` // the MLM decoder is the word-embedding table
	IsDecoder             bool    `json:"is_decoder"`          // causal attention (RobertaForCausalLM and kin): refused

	NumHiddenGroups int `json:"num_hidden_groups"` // ALBERT: groups of layers with their own weights
	InnerGroupNum   int `json:"inner_group_num"`   // ALBERT: layers inside a group
}

// decodeBertStyle reads config.json in BertConfig's names over a family's defaults, as
// PretrainedConfig.from_dict fills absent fields from the configuration class.
func decodeBertStyle(defaults Config) func([]byte) (Config, error) {
	return func(raw []byte) (Config, error) {
		c := defaults
		err := json.Unmarshal(raw, &c)
		return c, err
	}
}

// decodeTablesOfWidthH is decodeBertStyle for families whose token tables are hidden_size wide
// (they have no embedding_size; a stray one in config.json is ignored, as HF ignores it).
func decodeTablesOfWidthH(defaults Config) func([]byte) (Config, error) {
	decode := decodeBertStyle(defaults)
	return func(raw []byte) (Config, error) {
		c, err := decode(raw)
		c.EmbeddingSize = c.HiddenSize
		return c, err
	}
}

// LoadConfig reads and validates a model's config.json, in its family's field names and with the
// defaults of its HF configuration class for absent fields (as PretrainedConfig does; a size that
// disagrees with the checkpoint is caught when the weights are read). It needs no weights, so a Hub
// model can be checked before anything large is downloaded.
func LoadConfig(path string) (Config, error) {
	c, _, err := loadConfig(path)
	return c, err
}

// CheckConfig reports whether lesionui can run the model whose config.json is at path, from that
// file alone: an error names the model's family and lists the supported ones (ModernBERT, DeBERTa,
// ...), or says what in the config lesionui does not implement (an ELECTRA discriminator, which has
// no masked-LM head; ALBERT with several layer groups; an unknown activation). It is meant to run on
// a Hub repository's config.json before any weight is fetched.
func CheckConfig(path string) error {
	_, _, err := loadConfig(path)
	return err
}

func loadConfig(path string) (Config, *family, error) {
	b, err := files.ReadRegular(path, maxConfigLen) // a FIFO is refused, a huge file not read
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, nil, fmt.Errorf("%s: no config.json: not a HuggingFace model directory", path)
	}
	if err != nil {
		return Config{}, nil, err
	}
	var head struct {
		ModelType string `json:"model_type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return Config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	f, err := familyOf(head.ModelType)
	if err != nil {
		return Config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := f.decode(b)
	if err != nil {
		return Config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.validate(f); err != nil {
		return Config{}, nil, fmt.Errorf("%s: %s config: %w", path, f.Family, err)
	}
	return c, f, nil
}

// maxConfigLen bounds config.json: real ones are a few kB, the largest (long label maps)
// well under a MB.
const maxConfigLen = 16 << 20

// validate is the one place a decoded config is checked: the rules every family shares, then the
// family's own.
func (c Config) validate(f *family) error {
	for _, v := range []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"embedding_size", c.EmbeddingSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"intermediate_size", c.IntermediateSize}, {"max_position_embeddings", c.MaxPositionEmbeddings},
	} {
		if v.v <= 0 {
			return fmt.Errorf("%s must be a positive integer, got %d", f.field(v.name), v.v)
		}
	}
	if c.TypeVocabSize < 0 {
		return fmt.Errorf("type_vocab_size must not be negative, got %d", c.TypeVocabSize)
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("%s %d is not a multiple of %s %d", f.field("hidden_size"), c.HiddenSize, f.field("num_attention_heads"), c.NumAttentionHeads)
	}
	if _, err := parseActivation(f.field("hidden_act"), c.HiddenAct); err != nil {
		return err
	}
	if c.PositionEmbeddingType != "absolute" {
		return fmt.Errorf("position_embedding_type %q is not supported (only \"absolute\")", c.PositionEmbeddingType)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("layer_norm_eps must be positive, got %g", c.LayerNormEps)
	}
	if c.IsDecoder {
		return errors.New("is_decoder is true: the model attends causally (a decoder such as RobertaForCausalLM); lesionui runs bidirectional masked LMs")
	}
	if err := c.checkTaskHead(); err != nil {
		return err
	}
	if f.check != nil {
		return f.check(c)
	}
	return nil
}

// taskHeads are the suffixes of HF's fine-tuned model classes (BertForSequenceClassification,
// RobertaForTokenClassification, ...), whose save_pretrained keeps the encoder and the task's head
// but not the masked-LM head the study reads.
var taskHeads = []string{"ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering",
	"ForMultipleChoice", "ForNextSentencePrediction"}

// checkTaskHead refuses a config whose architectures are all fine-tuned task heads, before any
// weight is fetched. A bare encoder ("BertModel") is left to the weights: some such checkpoints
// carry the masked-LM head all the same, and HF would load them.
func (c Config) checkTaskHead() error {
	if len(c.Architectures) == 0 {
		return nil
	}
	for _, a := range c.Architectures {
		if !slices.ContainsFunc(taskHeads, func(s string) bool { return strings.HasSuffix(a, s) }) {
			return nil
		}
	}
	return fmt.Errorf("architectures %q: a fine-tuned task model has no masked-LM head (save_pretrained keeps only the task's head); lesionui needs a masked LM (architectures ...ForMaskedLM or ...ForPreTraining), such as the checkpoint it was fine-tuned from", c.Architectures)
}

// HeadSize is the width of one attention head.
func (c Config) HeadSize() int { return c.HiddenSize / c.NumAttentionHeads }
