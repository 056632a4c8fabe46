package encoder

import "fmt"

// RoBERTa and XLM-RoBERTa: RobertaForMaskedLM (src/transformers/models/roberta/modeling_roberta.py)
// and XLMRobertaForMaskedLM (models/xlm_roberta/modeling_xlm_roberta.py, RoBERTa's code "Copied from"
// line for line): FacebookAI/roberta-base|large, distilroberta-base, FacebookAI/xlm-roberta-base|large.
// Defaults are RobertaConfig's and XLMRobertaConfig's (BertConfig's, with pad_token_id 1); the real
// configs set layer_norm_eps 1e-05, max_position_embeddings 514, type_vocab_size 1, pad_token_id 1.
//
// Embeddings (RobertaEmbeddings): a token's position is padding_idx + its count among the non-pad
// tokens (create_position_ids_from_input_ids), so positions start at pad_token_id + 1 = 2 and a
// sequence holds at most max_position_embeddings − 2 = 512 tokens; one token type.
//
// Names: roberta.embeddings.*, roberta.encoder.layer.N.* (BertLayer's), head lm_head.dense,
// lm_head.layer_norm, lm_head.decoder.weight (tied to roberta.embeddings.word_embeddings.weight) and
// the bias, one Parameter stored as lm_head.bias and/or lm_head.decoder.bias (RobertaForMaskedLM's
// _tied_weights_keys are the decoder weight and lm_head.decoder.bias, which the Hub's safetensors
// conversion discards; without those discard names it keeps the alphabetically first name of each
// shared tensor, lm_head.decoder.weight and lm_head.bias, and records the dropped names in
// __metadata__). XLM-R files keep roberta.pooler.*, and older RoBERTa files a position_ids buffer:
// both unused. The head's activation is always erf GELU (RobertaLMHead calls activations.gelu,
// whatever hidden_act says).
func init() {
	for _, f := range []struct {
		name, modelType string
		vocab           int
	}{{"RoBERTa", "roberta", 50265}, {"XLM-RoBERTa", "xlm-roberta", 30522}} {
		register(&family{
			Architecture: Architecture{Family: f.name, ModelType: f.modelType, Expansion: "roberta.encoder.layer.L.intermediate.dense"},
			prefix:       "roberta",
			fields:       map[string]string{"embedding_size": "hidden_size"},
			decode: decodeTablesOfWidthH(Config{
				ModelType: f.modelType, VocabSize: f.vocab, HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12,
				IntermediateSize: 3072, HiddenAct: "gelu", MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12,
				PositionEmbeddingType: "absolute", PadTokenID: 1, TieWordEmbeddings: true,
			}),
			check:   checkPadPositions,
			weights: robertaWeights,
		})
	}
}

// checkPadPositions rejects a pad_token_id that leaves no room in the position table.
func checkPadPositions(c Config) error {
	if c.PadTokenID < 0 || c.PadTokenID+1 >= c.MaxPositionEmbeddings {
		return fmt.Errorf("pad_token_id %d leaves no positions in a table of max_position_embeddings %d (positions start at pad_token_id + 1)", c.PadTokenID, c.MaxPositionEmbeddings)
	}
	return nil
}

func robertaWeights(r *weightReader) (embeddings, []layer, mlmHead) {
	c := r.cfg
	r.requireHead("lm_head.dense.weight", "RobertaForMaskedLM or XLMRobertaForMaskedLM")
	word, dec := r.tied("roberta.embeddings.word_embeddings.weight", "lm_head.decoder.weight")
	emb := r.tokenTables("roberta.embeddings", word, true)
	emb.PositionsAfterPad, emb.Pad = true, c.PadTokenID
	head := mlmHead{
		Transform: r.linear("lm_head.dense", c.HiddenSize, c.HiddenSize),
		Act:       actGELU,
		Norm:      r.layerNorm("lm_head.layer_norm", c.HiddenSize),
		Decoder:   dec,
		Bias:      r.bias("lm_head.bias", "lm_head.decoder.bias"),
	}
	return emb, r.bertLayers("roberta.encoder.layer"), head
}
