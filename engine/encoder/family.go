package encoder

import (
	"fmt"
	"slices"
	"strings"
)

// A family is one architecture of post-LN encoder masked LMs as HuggingFace implements it: every
// family runs the same forward pass (embeddings, then per layer an attention block and a feed-forward
// block whose first linear layer is the expansion the study records and lesions, then an MLM head),
// and differs in what config.json calls its fields, what its checkpoints call their tensors, how it
// embeds tokens, and its head. Each family lives in its own file (family_<name>.go) and registers
// itself; adding one is that file plus fixtures.
type family struct {
	Architecture
	// prefix is the base-model prefix of the family's parameter names ("roberta" in
	// "roberta.encoder.layer.0..."). HF's from_pretrained loads names with or without it, and so
	// does lesionui.
	prefix string
	// decode reads config.json in the family's field names, with its configuration class's
	// defaults for absent fields.
	decode func(raw []byte) (Config, error)
	// fields maps Config's JSON names to the family's own where they differ, for messages.
	fields map[string]string
	// check applies the family's own rules to a decoded config; nil when it has none.
	check func(c Config) error
	// weights maps the family's parameters onto the shared model.
	weights func(r *weightReader) (embeddings, []layer, mlmHead)
}

// Architecture says which family a model belongs to and what the study's layers and units are in it,
// for the explorer and reports.
type Architecture struct {
	// Family is the display name: "BERT", "RoBERTa", "XLM-RoBERTa", "DistilBERT", "ELECTRA
	// generator", "ALBERT".
	Family string
	// ModelType is config.json's model_type.
	ModelType string
	// Expansion names the module whose outputs are the study's units, with L standing for the
	// layer: "bert.encoder.layer.L.intermediate.dense".
	Expansion string
	// SharedLayer is set when one layer's weights run NumHiddenLayers times (ALBERT): study layer L
	// is the L-th run of that one layer, and its units are the same neurons in every study layer.
	SharedLayer bool
}

// LayerLabel names study layer l (0-based) for people: "layer 3", or for a shared layer
// "repetition 3 of the shared layer". The numbers shown are 0-based, as everywhere in lesionui.
func (a Architecture) LayerLabel(l int) string {
	if a.SharedLayer {
		return fmt.Sprintf("repetition %d of the shared layer", l)
	}
	return fmt.Sprintf("layer %d", l)
}

// field is config.json's name in this family for the Config field of JSON name name.
func (f *family) field(name string) string {
	if n, ok := f.fields[name]; ok {
		return n
	}
	return name
}

// families holds every registered family by model_type.
var families = map[string]*family{}

// register adds a family; family files call it from init.
func register(f *family) {
	if _, dup := families[f.ModelType]; dup {
		panic("encoder: family " + f.ModelType + " registered twice")
	}
	families[f.ModelType] = f
}

// otherFamilies names encoder families lesionui does not run, by model_type, so that the error can
// say what the model is.
var otherFamilies = map[string]string{
	"modernbert": "ModernBERT", "deberta": "DeBERTa", "deberta-v2": "DeBERTa-v2 / v3", "mpnet": "MPNet",
	"camembert": "CamemBERT", "xlm-roberta-xl": "XLM-RoBERTa-XL", "longformer": "Longformer",
	"big_bird": "BigBird", "megatron-bert": "Megatron-BERT", "mobilebert": "MobileBERT", "funnel": "Funnel Transformer",
	"roformer": "RoFormer", "esm": "ESM", "nomic_bert": "Nomic BERT",
	"squeezebert": "SqueezeBERT", "convbert": "ConvBERT", "ernie": "ERNIE", "xlm": "XLM", "flaubert": "FlauBERT",
}

// supportedFamilies lists the registered families for messages: `bert (BERT), ...`.
func supportedFamilies() string {
	types := make([]string, 0, len(families))
	for t := range families {
		types = append(types, t)
	}
	slices.Sort(types)
	for i, t := range types {
		types[i] = fmt.Sprintf("%s (%s)", t, families[t].Family)
	}
	return strings.Join(types, ", ")
}

// familyOf finds the family of a config.json model_type; an empty model_type is BERT (configs written
// before transformers recorded it are all BertConfig).
func familyOf(modelType string) (*family, error) {
	if modelType == "" {
		modelType = "bert"
	}
	if f, ok := families[modelType]; ok {
		return f, nil
	}
	what := fmt.Sprintf("model_type %q", modelType)
	if name, ok := otherFamilies[modelType]; ok {
		what += " (" + name + ")"
	}
	return nil, fmt.Errorf("%s is not supported; lesionui runs the masked-LM encoders %s", what, supportedFamilies())
}
