package encoder

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata/configs holds config.json files in the form the Hub repositories publish (field for
// field as their model cards and from_pretrained logs show them; ModernBERT's abbreviated).
func TestCheckConfigOfHubModels(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string // error fragments; nil: supported
	}{
		{"FacebookAI_roberta-base.json", nil},
		{"FacebookAI_xlm-roberta-base.json", nil},
		{"distilbert_distilbert-base-uncased.json", nil},
		{"google_electra-base-generator.json", nil},
		{"albert_albert-base-v2.json", nil},
		{"google_electra-base-discriminator.json", []string{"ELECTRA discriminator", "ElectraForPreTraining", "no masked-LM head", "google/electra-base-generator"}},
		{"answerdotai_ModernBERT-base.json", []string{`model_type "modernbert" (ModernBERT) is not supported`, "roberta (RoBERTa)", "albert (ALBERT)", "electra (ELECTRA generator)"}},
		{"microsoft_deberta-v3-base.json", []string{`"deberta-v2" (DeBERTa-v2 / v3)`, "bert (BERT)", "distilbert (DistilBERT)", "xlm-roberta (XLM-RoBERTa)"}},
	} {
		err := CheckConfig(filepath.Join("testdata", "configs", c.file))
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.file, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", c.file)
			continue
		}
		for _, w := range append(c.want, c.file) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.file, err, w)
			}
		}
	}
}

// Each family reads its own field names, with its configuration class's defaults.
func TestConfigOfHubModels(t *testing.T) {
	load := func(file string) Config {
		c, err := LoadConfig(filepath.Join("testdata", "configs", file))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []struct {
		file string
		got  Config
		want Config
	}{
		{"roberta-base", load("FacebookAI_roberta-base.json"), Config{VocabSize: 50265, HiddenSize: 768, EmbeddingSize: 768,
			NumHiddenLayers: 12, IntermediateSize: 3072, MaxPositionEmbeddings: 514, TypeVocabSize: 1, LayerNormEps: 1e-5, PadTokenID: 1, HiddenAct: "gelu"}},
		{"distilbert-base-uncased", load("distilbert_distilbert-base-uncased.json"), Config{VocabSize: 30522, HiddenSize: 768, EmbeddingSize: 768,
			NumHiddenLayers: 6, IntermediateSize: 3072, MaxPositionEmbeddings: 512, TypeVocabSize: 0, LayerNormEps: 1e-12, PadTokenID: 0, HiddenAct: "gelu"}},
		{"electra-base-generator", load("google_electra-base-generator.json"), Config{VocabSize: 30522, HiddenSize: 256, EmbeddingSize: 768,
			NumHiddenLayers: 12, IntermediateSize: 1024, MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12, PadTokenID: 0, HiddenAct: "gelu"}},
		{"albert-base-v2", load("albert_albert-base-v2.json"), Config{VocabSize: 30000, HiddenSize: 768, EmbeddingSize: 128,
			NumHiddenLayers: 12, IntermediateSize: 3072, MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12, PadTokenID: 0, HiddenAct: "gelu_new"}},
	} {
		g, w := c.got, c.want
		if g.VocabSize != w.VocabSize || g.HiddenSize != w.HiddenSize || g.EmbeddingSize != w.EmbeddingSize || g.NumHiddenLayers != w.NumHiddenLayers ||
			g.IntermediateSize != w.IntermediateSize || g.MaxPositionEmbeddings != w.MaxPositionEmbeddings || g.TypeVocabSize != w.TypeVocabSize ||
			g.LayerNormEps != w.LayerNormEps || g.PadTokenID != w.PadTokenID || g.HiddenAct != w.HiddenAct || !g.TieWordEmbeddings {
			t.Errorf("%s: got %+v\nwant (in these fields) %+v", c.file, g, w)
		}
	}
}

// writeConfig writes a config.json built from fields into a temporary directory.
func writeConfig(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckConfigRefusals(t *testing.T) {
	albert := func(k string, v any) map[string]any {
		c := map[string]any{"model_type": "albert", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
			"num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 64}
		c[k] = v
		return c
	}
	distil := map[string]any{"model_type": "distilbert", "vocab_size": 100, "dim": 32, "n_heads": 5, "activation": "gelu"}
	for _, c := range []struct {
		name   string
		fields map[string]any
		want   []string
	}{
		{"ALBERT inner groups", albert("inner_group_num", 2), []string{"ALBERT", "inner_group_num 2", "one shared layer"}},
		{"ALBERT layer groups", albert("num_hidden_groups", 3), []string{"num_hidden_groups 3"}},
		{"ALBERT repetitions", albert("num_hidden_layers", 1e9), []string{"num_hidden_layers 1000000000", "at most 1024"}},
		{"ALBERT activation", albert("hidden_act", "quick_gelu"), []string{`hidden_act "quick_gelu"`, "gelu_new"}},
		{"DistilBERT names", distil, []string{"DistilBERT", "dim 32 is not a multiple of n_heads 5"}},
		{"DistilBERT activation", map[string]any{"model_type": "distilbert", "activation": "tanh"}, []string{`activation "tanh" is not supported`}},
		{"ELECTRA classifier", map[string]any{"model_type": "electra", "architectures": []string{"ElectraForSequenceClassification"}}, []string{"no masked-LM head"}},
		{"BERT classifier", map[string]any{"architectures": []string{"BertForSequenceClassification"}}, []string{`"BertForSequenceClassification"`, "fine-tuned task model", "no masked-LM head"}},
		{"RoBERTa tagger", map[string]any{"model_type": "roberta", "architectures": []string{"RobertaForTokenClassification"}}, []string{"no masked-LM head"}},
		{"decoder", map[string]any{"model_type": "gpt2"}, []string{`model_type "gpt2" is not supported`, "bert (BERT)"}},
		{"relative positions", map[string]any{"model_type": "roberta", "position_embedding_type": "relative_key"}, []string{"position_embedding_type"}},
		{"causal", map[string]any{"model_type": "roberta", "is_decoder": true, "architectures": []string{"RobertaForCausalLM"}}, []string{"is_decoder", "causally"}},
		{"RoBERTa pad", map[string]any{"model_type": "roberta", "pad_token_id": 600}, []string{"pad_token_id 600"}},
	} {
		err := CheckConfig(writeConfig(t, c.fields))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
	// An ELECTRA config without architectures is left to the weights; one without model_type is BERT;
	// a bare encoder, or a task head listed next to a masked-LM head, is left to the weights too.
	for _, fields := range []map[string]any{
		{"model_type": "electra"},
		{"architectures": []string{"BertModel"}},
		{"architectures": []string{"BertForSequenceClassification", "BertForMaskedLM"}},
		{"vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 64},
	} {
		if err := CheckConfig(writeConfig(t, fields)); err != nil {
			t.Errorf("%v: %v", fields, err)
		}
	}
}

func TestArchitectureLayerLabels(t *testing.T) {
	albert, bert := openFixture(t, "tiny-albert"), openFixture(t, "tiny-roberta")
	if !albert.Arch.SharedLayer || albert.Arch.LayerLabel(2) != "repetition 2 of the shared layer" || albert.Arch.Family != "ALBERT" {
		t.Errorf("ALBERT: %+v, %q", albert.Arch, albert.Arch.LayerLabel(2))
	}
	if bert.Arch.SharedLayer || bert.Arch.LayerLabel(2) != "layer 2" || bert.Arch.Expansion != "roberta.encoder.layer.L.intermediate.dense" {
		t.Errorf("RoBERTa: %+v", bert.Arch)
	}
}
