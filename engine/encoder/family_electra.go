package encoder

import (
	"fmt"
	"slices"
)

// ELECTRA generators: ElectraForMaskedLM (src/transformers/models/electra/modeling_electra.py):
// google/electra-small|base|large-generator. Defaults are ElectraConfig's (configuration_electra.py:
// embedding_size 128, hidden_size 256, 12 layers, 4 heads, intermediate 1024, "gelu", eps 1e-12).
// The generators' embedding_size differs from hidden_size (small: 128 < 256; base: 768 > 256;
// large: 1024 > 256), and then ElectraModel maps the embeddings to hidden_size with
// embeddings_project.
//
// Discriminators (ElectraForPreTraining, google/electra-*-discriminator) share model_type "electra"
// but have no masked-LM head (discriminator_predictions scores replaced tokens): they are refused
// from config.json's architectures, before any weight is read.
//
// Names: electra.embeddings.{word,position,token_type}_embeddings and LayerNorm (embedding_size
// wide), electra.embeddings_project, electra.encoder.layer.N.* (BertLayer's), head
// generator_predictions.dense (hidden → embedding) → erf GELU (get_activation("gelu"), whatever
// hidden_act says) → generator_predictions.LayerNorm → generator_lm_head (weight tied to the word
// embeddings, own bias).
func init() {
	register(&family{
		Architecture: Architecture{Family: "ELECTRA generator", ModelType: "electra", Expansion: "electra.encoder.layer.L.intermediate.dense"},
		prefix:       "electra",
		decode: decodeBertStyle(Config{
			ModelType: "electra", VocabSize: 30522, EmbeddingSize: 128, HiddenSize: 256, NumHiddenLayers: 12,
			NumAttentionHeads: 4, IntermediateSize: 1024, HiddenAct: "gelu", MaxPositionEmbeddings: 512, TypeVocabSize: 2,
			LayerNormEps: 1e-12, PositionEmbeddingType: "absolute", TieWordEmbeddings: true,
		}),
		check:   checkElectraGenerator,
		weights: electraWeights,
	})
}

// checkElectraGenerator refuses discriminators and other ELECTRA heads, which config.json's
// architectures name; a config without architectures is left to the weights.
func checkElectraGenerator(c Config) error {
	if len(c.Architectures) == 0 || slices.Contains(c.Architectures, "ElectraForMaskedLM") {
		return nil
	}
	what := "this ELECTRA model"
	if slices.Contains(c.Architectures, "ElectraForPreTraining") {
		what = "an ELECTRA discriminator (ElectraForPreTraining)"
	}
	return fmt.Errorf("architectures %q: %s has no masked-LM head; lesionui runs ELECTRA generators (ElectraForMaskedLM), such as google/electra-base-generator", c.Architectures, what)
}

func electraWeights(r *weightReader) (embeddings, []layer, mlmHead) {
	c := r.cfg
	e := c.EmbeddingSize
	r.requireHead("generator_predictions.dense.weight", "ElectraForMaskedLM (an ELECTRA generator)")
	word, dec := r.tied("electra.embeddings.word_embeddings.weight", "generator_lm_head.weight")
	emb := r.tokenTables("electra.embeddings", word, true)
	if e != c.HiddenSize {
		p := r.linear("electra.embeddings_project", c.HiddenSize, e)
		emb.Project = &p
	}
	head := mlmHead{
		Transform: r.linear("generator_predictions.dense", e, c.HiddenSize),
		Act:       actGELU,
		Norm:      r.layerNorm("generator_predictions.LayerNorm", e),
		Decoder:   dec,
		Bias:      r.bias("generator_lm_head.bias"),
	}
	return emb, r.bertLayers("electra.encoder.layer"), head
}
