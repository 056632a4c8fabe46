package encoder

import (
	"fmt"
	"slices"
	"strings"

	"lesionui/engine/encoder/safetensors"
)

// linear is an nn.Linear: W in its stored [out, in] layout and the bias [out].
type linear struct {
	W, B    []float32
	Out, In int
}

// layerNorm holds a LayerNorm's scale (gamma) and shift (beta), [hidden] each.
type layerNorm struct{ Gamma, Beta []float32 }

// embeddings are BertEmbeddings: word, position and token-type tables, [rows, hidden] each.
type embeddings struct {
	Word, Position, TokenType []float32
	Norm                      layerNorm
}

// layer is one post-LN encoder block (BertLayer).
type layer struct {
	Query, Key, Value linear    // attention.self
	AttnOut           linear    // attention.output.dense
	AttnNorm          layerNorm // attention.output.LayerNorm
	Inter             linear    // intermediate.dense: the expansion the study records and lesions
	Out               linear    // output.dense
	OutNorm           layerNorm // output.LayerNorm
}

// mlmHead is BertOnlyMLMHead: transform (dense, act, LayerNorm), then the decoder, usually tied to
// the word embeddings, plus a per-token bias.
type mlmHead struct {
	Transform linear
	Norm      layerNorm
	Decoder   []float32 // [vocab, hidden]
	Bias      []float32 // [vocab]
}

// weightReader resolves BertForMaskedLM parameter names against the names a checkpoint really
// uses and checks every shape against config.json.
type weightReader struct {
	ckpt *safetensors.Checkpoint
	cfg  Config
	err  error
}

// candidates lists the spellings real checkpoints use for a canonical parameter name: with or
// without the "bert." prefix, and LayerNorm gamma/beta (TF-era) for weight/bias.
func candidates(name string) []string {
	names := []string{name}
	if strings.Contains(name, "LayerNorm.") {
		legacy := strings.Replace(strings.Replace(name, "LayerNorm.weight", "LayerNorm.gamma", 1), "LayerNorm.bias", "LayerNorm.beta", 1)
		names = append(names, legacy)
	}
	if strings.HasPrefix(name, "bert.") {
		for _, n := range slices.Clone(names) {
			names = append(names, strings.TrimPrefix(n, "bert."))
		}
	}
	return names
}

// find returns the checkpoint's name for a canonical parameter, or "".
func (r *weightReader) find(name string) string {
	for _, n := range candidates(name) {
		if _, ok := r.ckpt.Info(n); ok {
			return n
		}
	}
	return ""
}

// tensor reads a required parameter as float32 and checks it has the given shape.
func (r *weightReader) tensor(name string, shape ...int) []float32 {
	if r.err != nil {
		return nil
	}
	found := r.find(name)
	if found == "" {
		r.err = fmt.Errorf("%s: missing tensor %q (also looked for %s)", r.ckpt.Dir(), name, strings.Join(candidates(name)[1:], ", "))
		return nil
	}
	info, _ := r.ckpt.Info(found)
	if !slices.Equal(info.Shape, shape) {
		r.err = fmt.Errorf("%s: tensor %q has shape %v, but config.json implies %v", info.File, found, info.Shape, shape)
		return nil
	}
	data, err := r.ckpt.Float32(found)
	if err != nil {
		r.err = err
	}
	return data
}

func (r *weightReader) linear(prefix string, out, in int) linear {
	return linear{W: r.tensor(prefix+".weight", out, in), B: r.tensor(prefix+".bias", out), Out: out, In: in}
}

func (r *weightReader) layerNorm(prefix string, n int) layerNorm {
	return layerNorm{Gamma: r.tensor(prefix+".weight", n), Beta: r.tensor(prefix+".bias", n)}
}

// readWeights maps every parameter of BertForMaskedLM. Tensors the study does not use (pooler,
// next-sentence head, position_ids buffers) are left alone.
func readWeights(ckpt *safetensors.Checkpoint, cfg Config, progress func(done, total int)) (embeddings, []layer, mlmHead, error) {
	r := &weightReader{ckpt: ckpt, cfg: cfg}
	h, in, v := cfg.HiddenSize, cfg.IntermediateSize, cfg.VocabSize
	if r.find("cls.predictions.transform.dense.weight") == "" {
		return embeddings{}, nil, mlmHead{}, fmt.Errorf("%s: the checkpoint has no masked-LM head (cls.predictions.*): lesionui needs a BertForMaskedLM or BertForPreTraining checkpoint", ckpt.Dir())
	}
	if err := r.checkSizes(); err != nil {
		return embeddings{}, nil, mlmHead{}, err
	}
	total := cfg.NumHiddenLayers + 2
	emb := embeddings{
		Word:      r.tensor("bert.embeddings.word_embeddings.weight", v, h),
		Position:  r.tensor("bert.embeddings.position_embeddings.weight", cfg.MaxPositionEmbeddings, h),
		TokenType: r.tensor("bert.embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, h),
		Norm:      r.layerNorm("bert.embeddings.LayerNorm", h),
	}
	progress(1, total)
	layers := make([]layer, cfg.NumHiddenLayers)
	for i := range layers {
		p := fmt.Sprintf("bert.encoder.layer.%d.", i)
		layers[i] = layer{
			Query:    r.linear(p+"attention.self.query", h, h),
			Key:      r.linear(p+"attention.self.key", h, h),
			Value:    r.linear(p+"attention.self.value", h, h),
			AttnOut:  r.linear(p+"attention.output.dense", h, h),
			AttnNorm: r.layerNorm(p+"attention.output.LayerNorm", h),
			Inter:    r.linear(p+"intermediate.dense", in, h),
			Out:      r.linear(p+"output.dense", h, in),
			OutNorm:  r.layerNorm(p+"output.LayerNorm", h),
		}
		progress(i+2, total)
	}
	head := mlmHead{
		Transform: r.linear("cls.predictions.transform.dense", h, h),
		Norm:      r.layerNorm("cls.predictions.transform.LayerNorm", h),
		Decoder:   emb.Word, // tied, unless the checkpoint stores its own copy
	}
	if r.find("cls.predictions.decoder.weight") != "" {
		head.Decoder = r.tensor("cls.predictions.decoder.weight", v, h)
	}
	if r.find("cls.predictions.bias") != "" {
		head.Bias = r.tensor("cls.predictions.bias", v)
	} else {
		head.Bias = r.tensor("cls.predictions.decoder.bias", v)
	}
	progress(total, total)
	return emb, layers, head, r.err
}
