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

// layerNorm holds a LayerNorm's scale (gamma) and shift (beta), [width] each.
type layerNorm struct{ Gamma, Beta []float32 }

// embeddings are the token tables and what follows them, up to the first layer's input:
//
//	e = LayerNorm(word[id] + position[pos] + tokenType[0])    [tokens, E]
//	x = e·Wpᵀ + bp  when Project is set (E ≠ H), else e      [tokens, H]
type embeddings struct {
	Word, Position []float32 // [vocab, E], [max positions, E]
	TokenType      []float32 // [type vocab, E]; nil when the family has no token types
	Norm           layerNorm // over E
	Project        *linear   // E → H: ELECTRA's embeddings_project, ALBERT's embedding_hidden_mapping_in
	// PositionsAfterPad numbers positions RoBERTa's way (create_position_ids_from_input_ids): a
	// non-pad token gets Pad + its count among the sequence's non-pad tokens so far, a pad token
	// Pad. Otherwise token p gets position p.
	PositionsAfterPad bool
	Pad               int
}

// positions returns the position-table row of each token of a sequence.
func (e *embeddings) positions(ids []int) []int {
	pos := make([]int, len(ids))
	n := 0
	for p, id := range ids {
		switch {
		case !e.PositionsAfterPad:
			pos[p] = p
		case id == e.Pad:
			pos[p] = e.Pad
		default:
			n++
			pos[p] = e.Pad + n
		}
	}
	return pos
}

// firstPosition is the position-table row of a sequence's first token.
func (e *embeddings) firstPosition() int {
	if e.PositionsAfterPad {
		return e.Pad + 1
	}
	return 0
}

// layer is one post-LN encoder block, in the names of BertLayer:
//
//	a = LayerNorm(x + Attention(x)·Woᵀ + bo)     attention block
//	y = LayerNorm(a + act(a·Wiᵀ + bi)·Wdᵀ + bd)   feed-forward block; a·Wiᵀ + bi is the expansion
type layer struct {
	Query, Key, Value linear    // attention.self
	AttnOut           linear    // attention.output.dense
	AttnNorm          layerNorm // attention.output.LayerNorm
	Inter             linear    // intermediate.dense: the expansion the study records and lesions
	Out               linear    // output.dense
	OutNorm           layerNorm // output.LayerNorm
}

// mlmHead is the masked-LM head of every family: a transform, then the decoder (usually the word
// embeddings) plus a per-token bias:
//
//	t = LayerNorm(Act(h·Wtᵀ + bt))      [E']  (E' = H, or E in ELECTRA and ALBERT)
//	logits = t·Decoderᵀ + Bias          [vocab]
type mlmHead struct {
	Transform linear
	Act       activation
	Norm      layerNorm
	Decoder   []float32 // [vocab, E']
	Bias      []float32 // [vocab]
}

// weightReader resolves a family's parameter names against the names a checkpoint really uses and
// checks every shape against config.json.
type weightReader struct {
	ckpt   *safetensors.Checkpoint
	cfg    Config
	prefix string // the family's base-model prefix, with its dot: "bert."
	read   map[string]bool
	total  int
	report func(done, total int)
	err    error
}

// candidates lists the spellings real checkpoints use for a parameter name: with or without the
// base-model prefix (HF's from_pretrained adds or strips it), and LayerNorm gamma/beta for
// weight/bias (TF-era names, which from_pretrained renames).
func (r *weightReader) candidates(name string) []string {
	names := []string{name}
	if base, ok := strings.CutSuffix(name, ".weight"); ok && isNorm(base) {
		names = append(names, base+".gamma")
	}
	if base, ok := strings.CutSuffix(name, ".bias"); ok && isNorm(base) {
		names = append(names, base+".beta")
	}
	if r.prefix != "" && strings.HasPrefix(name, r.prefix) {
		for _, n := range slices.Clone(names) {
			names = append(names, strings.TrimPrefix(n, r.prefix))
		}
	}
	return names
}

// isNorm reports whether a module name is a LayerNorm in any family's naming.
func isNorm(module string) bool {
	last := module[strings.LastIndexByte(module, '.')+1:]
	return last == "LayerNorm" || strings.HasSuffix(last, "layer_norm")
}

// find returns the checkpoint's name for a parameter, or "".
func (r *weightReader) find(name string) string {
	for _, n := range r.candidates(name) {
		if _, ok := r.ckpt.Info(n); ok {
			return n
		}
	}
	return ""
}

// has reports whether the checkpoint stores a parameter under any of its spellings.
func (r *weightReader) has(name string) bool { return r.find(name) != "" }

// tensor reads a required parameter as float32 and checks it has the given shape.
func (r *weightReader) tensor(name string, shape ...int) []float32 {
	if r.err != nil {
		return nil
	}
	found := r.find(name)
	if found == "" {
		r.err = fmt.Errorf("%s: missing tensor %q (also looked for %s)", r.ckpt.Dir(), name, strings.Join(r.candidates(name)[1:], ", "))
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
	if !r.read[found] {
		r.read[found] = true
		r.report(len(r.read), r.total)
	}
	return data
}

func (r *weightReader) linear(prefix string, out, in int) linear {
	return linear{W: r.tensor(prefix+".weight", out, in), B: r.tensor(prefix+".bias", out), Out: out, In: in}
}

func (r *weightReader) layerNorm(prefix string, n int) layerNorm {
	return layerNorm{Gamma: r.tensor(prefix+".weight", n), Beta: r.tensor(prefix+".bias", n)}
}

// requireHead fails with a clear message when the checkpoint lacks the family's masked-LM head,
// recognised by one of its parameters.
func (r *weightReader) requireHead(param, head string) {
	if r.err == nil && !r.has(param) {
		r.err = fmt.Errorf("%s: the checkpoint has no masked-LM head (%s): lesionui needs a checkpoint of %s", r.ckpt.Dir(), param, head)
	}
}

// tokenTables reads the position and (with types) token-type tables and the LayerNorm under prefix
// ("roberta.embeddings"), E wide, around the word table word (see tied).
func (r *weightReader) tokenTables(prefix string, word []float32, types bool) embeddings {
	c := r.cfg
	e := embeddings{
		Word:     word,
		Position: r.tensor(prefix+".position_embeddings.weight", c.MaxPositionEmbeddings, c.EmbeddingSize),
		Norm:     r.layerNorm(prefix+".LayerNorm", c.EmbeddingSize),
	}
	if types {
		e.TokenType = r.tensor(prefix+".token_type_embeddings.weight", c.TypeVocabSize, c.EmbeddingSize)
	}
	return e
}

// layers reads num_hidden_layers layers with read, stopping at the first error: a config that claims
// more layers than the checkpoint stores fails at the first missing one, before anything sized by
// the claim is allocated.
func (r *weightReader) layers(read func(i int) layer) []layer {
	var ls []layer
	for i := 0; i < r.cfg.NumHiddenLayers && r.err == nil; i++ {
		ls = append(ls, read(i))
	}
	return ls
}

// bertLayers reads BertLayer's names under prefix ("roberta.encoder.layer"), which RoBERTa,
// XLM-RoBERTa and ELECTRA copy.
func (r *weightReader) bertLayers(prefix string) []layer {
	h, in := r.cfg.HiddenSize, r.cfg.IntermediateSize
	return r.layers(func(i int) layer {
		p := fmt.Sprintf("%s.%d.", prefix, i)
		return layer{
			Query:    r.linear(p+"attention.self.query", h, h),
			Key:      r.linear(p+"attention.self.key", h, h),
			Value:    r.linear(p+"attention.self.value", h, h),
			AttnOut:  r.linear(p+"attention.output.dense", h, h),
			AttnNorm: r.layerNorm(p+"attention.output.LayerNorm", h),
			Inter:    r.linear(p+"intermediate.dense", in, h),
			Out:      r.linear(p+"output.dense", h, in),
			OutNorm:  r.layerNorm(p+"output.LayerNorm", h),
		}
	})
}

// tied reads the word-embedding table and the MLM decoder, [vocab, E] each. With
// tie_word_embeddings (every family's default) they are one tensor, which checkpoints store under
// either name: save_pretrained and the Hub's safetensors conversion keep one name of a shared
// tensor, usually the word embeddings' but the decoder's when the conversion sorted the names (RoBERTa's
// "lm_head.decoder.weight" before "roberta.embeddings..."). A checkpoint that stores both keeps each in
// its role, as before. Without tying both must be stored.
func (r *weightReader) tied(word, decoder string) (w, d []float32) {
	c := r.cfg
	read := func(name string) []float32 {
		if !r.has(name) {
			return nil
		}
		return r.tensor(name, c.VocabSize, c.EmbeddingSize)
	}
	w, d = read(word), read(decoder)
	switch {
	case !c.TieWordEmbeddings && d == nil && r.err == nil:
		r.err = fmt.Errorf("%s: missing tensor %q: config.json sets tie_word_embeddings false, so the decoder is not the word embeddings", r.ckpt.Dir(), decoder)
	case w == nil && d != nil && c.TieWordEmbeddings:
		w = d
	case w == nil:
		w = r.tensor(word, c.VocabSize, c.EmbeddingSize) // the error names the missing table
	}
	if d == nil {
		d = w
	}
	return w, d
}

// bias reads the head's per-token bias from the first of its names the checkpoint stores (the
// same Parameter is often reachable as "lm_head.bias" and "lm_head.decoder.bias").
func (r *weightReader) bias(names ...string) []float32 {
	for _, n := range names[1:] {
		if !r.has(names[0]) && r.has(n) {
			return r.tensor(n, r.cfg.VocabSize)
		}
	}
	return r.tensor(names[0], r.cfg.VocabSize)
}

// readWeights maps every parameter the family's masked LM uses. Tensors the study does not use
// (poolers, next-sentence and sentence-order heads, position_ids buffers) are left alone.
func readWeights(ckpt *safetensors.Checkpoint, cfg Config, f *family, progress func(done, total int)) (embeddings, []layer, mlmHead, error) {
	r := &weightReader{ckpt: ckpt, cfg: cfg, prefix: f.prefix + ".", read: map[string]bool{}, total: len(ckpt.Names()), report: progress}
	if err := r.checkSizes(f); err != nil {
		return embeddings{}, nil, mlmHead{}, err
	}
	emb, layers, head := f.weights(r)
	progress(r.total, r.total)
	return emb, layers, head, r.err
}
