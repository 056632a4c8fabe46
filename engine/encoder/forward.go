package encoder

import (
	"context"
	"fmt"
	"slices"

	"lesionui/engine/linalg"
)

// Site addresses one token: position Pos of sequence Seq of a forward pass.
type Site struct{ Seq, Pos int }

// Point names the values of the expansion a capture records.
type Point uint8

const (
	// PreActivation is the output of intermediate.dense, after any intervention.
	PreActivation Point = 1 << iota
	// PostActivation is the expansion after the activation function.
	PostActivation
)

// Options says what a forward pass records and changes. Everything is opt-in: a pass with
// zero Options computes the encoder and returns nothing.
type Options struct {
	// Capture records the expansion at these sites in every layer.
	Capture []Site
	// Points says which values Capture records: PreActivation, PostActivation or both;
	// zero means PreActivation.
	Points Point
	// Interventions alter expansion units as the pass goes (before capture, so captures see
	// them). Several at one site apply in order.
	Interventions []Intervention
	// Logits asks for MLM logits at these sites only.
	Logits []Site
	// Vocab restricts the logits to these token ids, in this order; nil means all.
	Vocab []int
	// Trace keeps the hidden state entering every layer (and each layer's attention output),
	// for Trace.Resume.
	Trace bool
	// TraceSites, when set with Trace, are the only sites where the trace keeps each layer's
	// attention output: Resume's fast path reads it only where it intervenes, so a trace for
	// interventions at known sites (the masks of an evaluation set) needs half the memory. A
	// Resume that intervenes elsewhere re-runs its first layer in full.
	TraceSites []Site
	// Progress, if set, is called after each layer with the number done and the total.
	Progress func(done, total int)
}

// points returns the capture points, PreActivation when none is set.
func (o *Options) points() Point {
	if o.Points == 0 {
		return PreActivation
	}
	return o.Points
}

// Result holds what Options asked for.
type Result struct {
	// Pre and Post are, per layer, the captured expansion before and after the activation as
	// row-major [capture site, unit] matrices, when Options.Points asked for them. After
	// Resume(from, ...), the layers before from are nil.
	Pre, Post [][]float32
	// Logits is [logit site][vocab id], ids in Options.Vocab order (or all ids).
	Logits [][]float32
	// Trace is set when Options.Trace was.
	Trace *Trace
}

// batch is a set of unpadded sequences packed row after row: [tokens, hidden] activations
// with sequence boundaries. Packing instead of padding is exact: BERT attends only within a
// sequence, and padded keys get zero attention weight.
type batch struct {
	seqs  [][]int
	start []int // first row of each sequence; start[len(seqs)] = total tokens
	seqOf []int // sequence of each row
}

func newBatch(seqs [][]int) *batch {
	b := &batch{seqs: seqs, start: make([]int, len(seqs)+1)}
	for i, s := range seqs {
		b.start[i+1] = b.start[i] + len(s)
		for range s {
			b.seqOf = append(b.seqOf, i)
		}
	}
	return b
}

func (b *batch) tokens() int { return b.start[len(b.seqs)] }

func (b *batch) row(s Site) int { return b.start[s.Seq] + s.Pos }

// Forward runs the masked-LM on seqs (token ids with the model's special tokens, unpadded).
func (m *Model) Forward(ctx context.Context, seqs [][]int, opt Options) (*Result, error) {
	if len(seqs) == 0 {
		return nil, fmt.Errorf("forward: no sequences")
	}
	for i, s := range seqs {
		if len(s) == 0 || len(s) > m.MaxTokens() {
			return nil, fmt.Errorf("forward: sequence %d has %d tokens; the model takes 1 to %d", i, len(s), m.MaxTokens())
		}
		for p, id := range s {
			if id < 0 || id >= m.Config.VocabSize {
				return nil, fmt.Errorf("forward: sequence %d position %d: token id %d outside the vocabulary (size %d)", i, p, id, m.Config.VocabSize)
			}
		}
	}
	b := newBatch(seqs)
	if err := m.check(b, &opt); err != nil {
		return nil, err
	}
	return m.run(ctx, b, 0, m.embed(b), &opt)
}

// run executes layers from … N-1 on x, the packed hidden state entering layer from; the
// caller has checked opt against b.
func (m *Model) run(ctx context.Context, b *batch, from int, x []float32, opt *Options) (*Result, error) {
	n := m.Config.NumHiddenLayers
	res := &Result{}
	points := opt.points()
	if len(opt.Capture) > 0 && points&PreActivation != 0 {
		res.Pre = make([][]float32, n)
	}
	if len(opt.Capture) > 0 && points&PostActivation != 0 {
		res.Post = make([][]float32, n)
	}
	if opt.Trace {
		res.Trace = newTrace(m, b, opt.TraceSites)
	}
	buf := newScratch(b.tokens(), m.Config)
	last := m.neededRows(b, opt) // the last layer computes only the rows that anything reads
	for l := from; l < n; l++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if res.Trace != nil {
			res.Trace.inputs[l] = slices.Clone(x)
		}
		var rows []int // nil: every row
		if l == n-1 {
			rows = last
		}
		var c captured
		x, c = m.encoderLayer(l, x, b, rows, opt, buf)
		if res.Trace != nil && rows == nil {
			res.Trace.attn[l] = res.Trace.keepAttention(buf.a[:len(x)])
		}
		if res.Pre != nil {
			res.Pre[l] = c.pre
		}
		if res.Post != nil {
			res.Post[l] = c.post
		}
		if opt.Progress != nil {
			opt.Progress(l+1, n)
		}
	}
	if len(opt.Logits) > 0 {
		// After the last layer x holds only the needed rows, in neededRows order.
		res.Logits = m.mlmLogits(x, last, b, opt)
	}
	return res, nil
}

// check validates sites, interventions and vocabulary ids against the batch and the model.
func (m *Model) check(b *batch, opt *Options) error {
	site := func(what string, s Site) error {
		if s.Seq < 0 || s.Seq >= len(b.seqs) || s.Pos < 0 || s.Pos >= len(b.seqs[s.Seq]) {
			return fmt.Errorf("forward: %s site (sequence %d, position %d) is outside the batch", what, s.Seq, s.Pos)
		}
		return nil
	}
	for _, s := range opt.Capture {
		if err := site("capture", s); err != nil {
			return err
		}
	}
	for _, s := range opt.Logits {
		if err := site("logit", s); err != nil {
			return err
		}
	}
	for _, s := range opt.TraceSites {
		if err := site("trace", s); err != nil {
			return err
		}
	}
	for i := range opt.Interventions {
		iv := &opt.Interventions[i]
		if err := site("intervention", iv.Site); err != nil {
			return err
		}
		if err := iv.check(m.Config); err != nil {
			return err
		}
	}
	for _, id := range opt.Vocab {
		if id < 0 || id >= m.Config.VocabSize {
			return fmt.Errorf("forward: vocabulary id %d outside 0..%d", id, m.Config.VocabSize-1)
		}
	}
	return nil
}

// neededRows lists, in ascending order, the packed rows the last layer must produce: the
// logit and capture sites. (An intervention elsewhere in the last layer changes nothing read.)
// The list is never nil, so that an empty one means no rows rather than all.
func (m *Model) neededRows(b *batch, opt *Options) []int {
	need := make([]bool, b.tokens())
	for _, s := range opt.Logits {
		need[b.row(s)] = true
	}
	for _, s := range opt.Capture {
		need[b.row(s)] = true
	}
	rows := []int{}
	for r, ok := range need {
		if ok {
			rows = append(rows, r)
		}
	}
	return rows
}

// embed computes the embeddings of every token, [tokens, hidden]:
//
//	e = LayerNorm(word[id] + position[pos] + tokenType[0])   [tokens, E]   (no token type in DistilBERT)
//	x = e·Wpᵀ + bp                                          [tokens, H]   (only when the tables are E ≠ H wide, or in ALBERT)
//
// where pos counts from 0, or in RoBERTa from pad_token_id + 1 (embeddings.positions).
func (m *Model) embed(b *batch) []float32 {
	e := &m.emb
	w := len(e.Norm.Gamma) // E
	x := make([]float32, b.tokens()*w)
	for i, s := range b.seqs {
		for p, pos := range e.positions(s) {
			row := x[(b.start[i]+p)*w : (b.start[i]+p+1)*w]
			copy(row, e.Word[s[p]*w:(s[p]+1)*w])
			addInto(row, e.Position[pos*w:(pos+1)*w])
			if e.TokenType != nil {
				addInto(row, e.TokenType[:w])
			}
		}
	}
	m.layerNorm(x, e.Norm)
	if e.Project == nil {
		return x
	}
	h := make([]float32, b.tokens()*m.Config.HiddenSize)
	e.Project.apply(h, x, b.tokens())
	return h
}

// mlmLogits is the family's MLM head at the logit sites, where x holds the last layer's rows listed
// in rows (ascending):
//
//	t = LayerNorm(act(h·Wtᵀ + bt))   [sites, E']   (E' = H, or E in ELECTRA and ALBERT)
//	logits = t·Decoderᵀ + bias       [sites, vocab]
func (m *Model) mlmLogits(x []float32, rows []int, b *batch, opt *Options) [][]float32 {
	h, S := m.Config.HiddenSize, len(opt.Logits)
	sel := make([]int, S)
	for i, s := range opt.Logits {
		sel[i], _ = slices.BinarySearch(rows, b.row(s))
	}
	hs := gatherRows(x, sel, h)
	w := m.head.Transform.Out
	t := make([]float32, S*w)
	m.head.Transform.apply(t, hs, S)
	m.head.Act.apply(t)
	m.layerNorm(t, m.head.Norm)

	dec, bias := m.head.Decoder, m.head.Bias
	if opt.Vocab != nil {
		dec = gatherRows(dec, opt.Vocab, w)
		bias = make([]float32, len(opt.Vocab))
		for i, id := range opt.Vocab {
			bias[i] = m.head.Bias[id]
		}
	}
	V := len(bias)
	flat := make([]float32, S*V)
	linalg.Linear(flat, t, dec, bias, S, V, w)
	out := make([][]float32, S)
	for i := range out {
		out[i] = flat[i*V : (i+1)*V : (i+1)*V]
	}
	return out
}

func (l *linear) apply(y, x []float32, rows int) { linalg.Linear(y, x, l.W, l.B, rows, l.Out, l.In) }

// layerNorm normalises the rows of x, each as wide as n.
func (m *Model) layerNorm(x []float32, n layerNorm) {
	w := len(n.Gamma)
	linalg.LayerNorm(x, n.Gamma, n.Beta, len(x)/w, w, float32(m.Config.LayerNormEps))
}

// gatherRows copies rows idx of the row-major matrix x (row width w) into a new matrix.
func gatherRows(x []float32, idx []int, w int) []float32 {
	out := make([]float32, len(idx)*w)
	for i, r := range idx {
		copy(out[i*w:(i+1)*w], x[r*w:(r+1)*w])
	}
	return out
}

func addInto(dst, src []float32) {
	for i, v := range src {
		dst[i] += v
	}
}
