package encoder

import (
	"encoding/json"
	"fmt"
)

// DistilBERT: DistilBertForMaskedLM (src/transformers/models/distilbert/modeling_distilbert.py):
// distilbert/distilbert-base-uncased|cased, distilbert-base-multilingual-cased. Its config.json has
// its own names (DistilBertConfig, configuration_distilbert.py: dim, hidden_dim, n_layers, n_heads,
// activation, sinusoidal_pos_embds; defaults 768, 3072, 6, 12, "gelu", false) and every LayerNorm
// has eps 1e-12 whatever the config says.
//
// Embeddings: word + position, no token types. With sinusoidal_pos_embds the position table is
// initialised to sinusoids and frozen, but it is still a parameter that checkpoints store, so it is
// read like any other.
//
// Names: distilbert.embeddings.{word,position}_embeddings, distilbert.embeddings.LayerNorm,
// distilbert.transformer.layer.N.{attention.{q,k,v,out}_lin, sa_layer_norm, ffn.lin1 (the expansion),
// ffn.lin2, output_layer_norm}, head vocab_transform → activation → vocab_layer_norm →
// vocab_projector (weight tied to the word embeddings, own bias). The head's activation is the
// config's activation (DistilBertForMaskedLM: get_activation(config.activation)).
func init() {
	register(&family{
		Architecture: Architecture{Family: "DistilBERT", ModelType: "distilbert", Expansion: "distilbert.transformer.layer.L.ffn.lin1"},
		prefix:       "distilbert",
		decode:       decodeDistilBERT,
		fields: map[string]string{"hidden_size": "dim", "embedding_size": "dim", "num_hidden_layers": "n_layers",
			"num_attention_heads": "n_heads", "intermediate_size": "hidden_dim", "hidden_act": "activation"},
		weights: distilbertWeights,
	})
}

// decodeDistilBERT maps DistilBertConfig's names onto Config.
func decodeDistilBERT(raw []byte) (Config, error) {
	d := struct {
		VocabSize             int    `json:"vocab_size"`
		MaxPositionEmbeddings int    `json:"max_position_embeddings"`
		NLayers               int    `json:"n_layers"`
		NHeads                int    `json:"n_heads"`
		Dim                   int    `json:"dim"`
		HiddenDim             int    `json:"hidden_dim"`
		Activation            string `json:"activation"`
		PadTokenID            int    `json:"pad_token_id"`
		TieWordEmbeddings     bool   `json:"tie_word_embeddings"`
	}{VocabSize: 30522, MaxPositionEmbeddings: 512, NLayers: 6, NHeads: 12, Dim: 768, HiddenDim: 4 * 768,
		Activation: "gelu", TieWordEmbeddings: true}
	if err := json.Unmarshal(raw, &d); err != nil {
		return Config{}, err
	}
	return Config{
		ModelType: "distilbert", VocabSize: d.VocabSize, HiddenSize: d.Dim, EmbeddingSize: d.Dim,
		NumHiddenLayers: d.NLayers, NumAttentionHeads: d.NHeads, IntermediateSize: d.HiddenDim,
		HiddenAct: d.Activation, MaxPositionEmbeddings: d.MaxPositionEmbeddings, LayerNormEps: 1e-12,
		PositionEmbeddingType: "absolute", PadTokenID: d.PadTokenID, TieWordEmbeddings: d.TieWordEmbeddings,
	}, nil
}

func distilbertWeights(r *weightReader) (embeddings, []layer, mlmHead) {
	c := r.cfg
	h, in := c.HiddenSize, c.IntermediateSize
	r.requireHead("vocab_transform.weight", "DistilBertForMaskedLM")
	word, dec := r.tied("distilbert.embeddings.word_embeddings.weight", "vocab_projector.weight")
	emb := r.tokenTables("distilbert.embeddings", word, false)
	layers := r.layers(func(i int) layer {
		p := fmt.Sprintf("distilbert.transformer.layer.%d.", i)
		return layer{
			Query:    r.linear(p+"attention.q_lin", h, h),
			Key:      r.linear(p+"attention.k_lin", h, h),
			Value:    r.linear(p+"attention.v_lin", h, h),
			AttnOut:  r.linear(p+"attention.out_lin", h, h),
			AttnNorm: r.layerNorm(p+"sa_layer_norm", h),
			Inter:    r.linear(p+"ffn.lin1", in, h),
			Out:      r.linear(p+"ffn.lin2", h, in),
			OutNorm:  r.layerNorm(p+"output_layer_norm", h),
		}
	})
	act, _ := parseActivation("activation", c.HiddenAct)
	head := mlmHead{
		Transform: r.linear("vocab_transform", h, h),
		Act:       act,
		Norm:      r.layerNorm("vocab_layer_norm", h),
		Decoder:   dec,
		Bias:      r.bias("vocab_projector.bias"),
	}
	return emb, layers, head
}
