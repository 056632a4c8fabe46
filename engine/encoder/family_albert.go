package encoder

import "fmt"

// ALBERT: AlbertForMaskedLM and AlbertForPreTraining (src/transformers/models/albert/modeling_albert.py):
// albert/albert-base|large|xlarge|xxlarge-v1|v2. Defaults are AlbertConfig's (configuration_albert.py:
// embedding_size 128, hidden_act "gelu_new", eps 1e-12, num_hidden_groups 1, inner_group_num 1, and
// xxlarge's sizes); the v2 configs set hidden_act "gelu_new".
//
// Factorised embeddings: word, position and token-type tables embedding_size wide, then
// albert.encoder.embedding_hidden_mapping_in to hidden_size. Parameter sharing: AlbertTransformer
// runs its layer groups num_hidden_layers times, and with one group of one layer (every released
// ALBERT) that is ONE layer applied num_hidden_layers times. The study's layer L is the L-th
// application of that layer: its units are the same neurons of the same ffn in every study layer,
// seen at a different depth. Several groups or inner layers (num_hidden_groups or inner_group_num > 1)
// are refused.
//
// Names: albert.embeddings.*, albert.encoder.embedding_hidden_mapping_in,
// albert.encoder.albert_layer_groups.0.albert_layers.0.{attention.{query,key,value,dense,LayerNorm},
// ffn (the expansion), ffn_output, full_layer_layer_norm}, head predictions.dense (hidden →
// embedding) → ACT2FN[hidden_act] → predictions.LayerNorm (eps layer_norm_eps) → predictions.decoder
// (weight tied to the word embeddings) + the bias, stored as predictions.bias and/or
// predictions.decoder.bias. Pretraining checkpoints also hold albert.pooler and sop_classifier: unused.
func init() {
	register(&family{
		Architecture: Architecture{Family: "ALBERT", ModelType: "albert", SharedLayer: true,
			Expansion: "albert.encoder.albert_layer_groups.0.albert_layers.0.ffn"},
		prefix: "albert",
		decode: decodeBertStyle(Config{
			ModelType: "albert", VocabSize: 30000, EmbeddingSize: 128, HiddenSize: 4096, NumHiddenLayers: 12,
			NumAttentionHeads: 64, IntermediateSize: 16384, HiddenAct: "gelu_new", MaxPositionEmbeddings: 512, TypeVocabSize: 2,
			LayerNormEps: 1e-12, PositionEmbeddingType: "absolute", TieWordEmbeddings: true,
			NumHiddenGroups: 1, InnerGroupNum: 1,
		}),
		check:   checkOneSharedLayer,
		weights: albertWeights,
	})
}

// maxRepetitions bounds num_hidden_layers for a shared layer, which no stored tensor counts: real
// ALBERTs run theirs 12 or 24 times.
const maxRepetitions = 1024

// checkOneSharedLayer refuses ALBERTs with more than one distinct layer, and absurd repetition counts.
func checkOneSharedLayer(c Config) error {
	if c.NumHiddenGroups != 1 || c.InnerGroupNum != 1 {
		return fmt.Errorf("num_hidden_groups %d × inner_group_num %d: lesionui runs ALBERTs with one shared layer (1 × 1, as in every released ALBERT); several layer groups or inner layers are not supported", c.NumHiddenGroups, c.InnerGroupNum)
	}
	if c.NumHiddenLayers > maxRepetitions {
		return fmt.Errorf("num_hidden_layers %d: lesionui runs a shared layer at most %d times", c.NumHiddenLayers, maxRepetitions)
	}
	return nil
}

func albertWeights(r *weightReader) (embeddings, []layer, mlmHead) {
	c := r.cfg
	h, e, in := c.HiddenSize, c.EmbeddingSize, c.IntermediateSize
	r.requireHead("predictions.dense.weight", "AlbertForMaskedLM or AlbertForPreTraining")
	word, dec := r.tied("albert.embeddings.word_embeddings.weight", "predictions.decoder.weight")
	emb := r.tokenTables("albert.embeddings", word, true)
	mapIn := r.linear("albert.encoder.embedding_hidden_mapping_in", h, e)
	emb.Project = &mapIn
	const p = "albert.encoder.albert_layer_groups.0.albert_layers.0."
	shared := layer{
		Query:    r.linear(p+"attention.query", h, h),
		Key:      r.linear(p+"attention.key", h, h),
		Value:    r.linear(p+"attention.value", h, h),
		AttnOut:  r.linear(p+"attention.dense", h, h),
		AttnNorm: r.layerNorm(p+"attention.LayerNorm", h),
		Inter:    r.linear(p+"ffn", in, h),
		Out:      r.linear(p+"ffn_output", h, in),
		OutNorm:  r.layerNorm(p+"full_layer_layer_norm", h),
	}
	layers := r.layers(func(int) layer { return shared }) // the same weights (slices) in every repetition
	act, _ := parseActivation("hidden_act", c.HiddenAct)
	head := mlmHead{
		Transform: r.linear("predictions.dense", e, h),
		Act:       act,
		Norm:      r.layerNorm("predictions.LayerNorm", e),
		Decoder:   dec,
		Bias:      r.bias("predictions.bias", "predictions.decoder.bias"),
	}
	return emb, layers, head
}
