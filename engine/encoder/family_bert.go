package encoder

// BERT: BertForMaskedLM and BertForPreTraining (src/transformers/models/bert/modeling_bert.py), the
// family lesionui started with: bert-base/large-(un)cased, google-bert/*, and the many BERTs in
// BertConfig's format. Defaults are BertConfig's (configuration_bert.py: vocab 30522, hidden 768, 12 layers, 12
// heads, intermediate 3072, "gelu", 512 positions, 2 token types, eps 1e-12).
//
// Names: bert.embeddings.{word,position,token_type}_embeddings, bert.embeddings.LayerNorm,
// bert.encoder.layer.N.{attention.self.{query,key,value}, attention.output.{dense,LayerNorm},
// intermediate.dense, output.{dense,LayerNorm}}, head cls.predictions.transform.{dense,LayerNorm},
// cls.predictions.decoder.weight (tied to the word embeddings), cls.predictions.bias (also stored as
// cls.predictions.decoder.bias). TF-era checkpoints drop the bert. prefix and call LayerNorm's
// parameters gamma/beta. The pooler and cls.seq_relationship (next-sentence head) are not used.
// The head's transform follows hidden_act (BertPredictionHeadTransform: ACT2FN[hidden_act]).
func init() {
	register(&family{
		Architecture: Architecture{Family: "BERT", ModelType: "bert", Expansion: "bert.encoder.layer.L.intermediate.dense"},
		prefix:       "bert",
		fields:       map[string]string{"embedding_size": "hidden_size"},
		decode: decodeTablesOfWidthH(Config{
			ModelType: "bert", VocabSize: 30522, HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12,
			IntermediateSize: 3072, HiddenAct: "gelu", MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12,
			PositionEmbeddingType: "absolute", TieWordEmbeddings: true,
		}),
		weights: func(r *weightReader) (embeddings, []layer, mlmHead) {
			c := r.cfg
			r.requireHead("cls.predictions.transform.dense.weight", "BertForMaskedLM or BertForPreTraining")
			word, dec := r.tied("bert.embeddings.word_embeddings.weight", "cls.predictions.decoder.weight")
			emb := r.tokenTables("bert.embeddings", word, true)
			act, _ := parseActivation("hidden_act", c.HiddenAct)
			head := mlmHead{
				Transform: r.linear("cls.predictions.transform.dense", c.HiddenSize, c.HiddenSize),
				Act:       act,
				Norm:      r.layerNorm("cls.predictions.transform.LayerNorm", c.HiddenSize),
				Decoder:   dec,
				Bias:      r.bias("cls.predictions.bias", "cls.predictions.decoder.bias"),
			}
			return emb, r.bertLayers("bert.encoder.layer"), head
		},
	})
}
