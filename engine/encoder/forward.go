package encoder

import (
	"context"
	"fmt"
	"math"

	"lesionui/engine/linalg"
)

// Site addresses one token: position Pos of sequence Seq of a forward pass.
type Site struct{ Seq, Pos int }

// Lesion zeroes the expansion units Neurons (outputs of intermediate.dense, before the
// activation, so that GELU(0) = 0 follows) at Site in layer Layer.
type Lesion struct {
	Layer   int
	Site    Site
	Neurons []int
}

// Options says what a forward pass records and changes. Everything is opt-in: a pass with
// zero Options computes the encoder and returns nothing.
type Options struct {
	// Capture records the intermediate.dense output at these sites in every layer.
	Capture []Site
	// PostGELU records the activation after GELU instead of before it.
	PostGELU bool
	// Lesions are applied as the pass goes (before capture, so captures see them).
	Lesions []Lesion
	// Logits asks for MLM logits at these sites only.
	Logits []Site
	// Vocab restricts the logits to these token ids, in this order; nil means all.
	Vocab []int
	// Trace keeps the hidden state entering every layer (and each layer's attention output),
	// for Trace.Resume.
	Trace bool
	// Progress, if set, is called after each layer with the number done and the total.
	Progress func(done, total int)
}

// Result holds what Options asked for.
type Result struct {
	// Activations is, per layer, the captured units as a row-major [capture site, unit]
	// matrix. After Resume(from, ...), the layers before from are nil.
	Activations [][]float32
	// Logits is [logit site][vocab id], ids in Options.Vocab order (or all ids).
	Logits [][]float32
	// Trace is set when Options.Trace was.
	Trace *Trace
}

// Trace is the hidden state entering every layer of a forward pass, so that a pass which
// changes nothing before layer L (a lesion there) can start at L, or after it.
type Trace struct {
	model  *Model
	seqs   [][]int
	inputs [][]float32 // [layer][packed tokens · hidden]
	attn   [][]float32 // [layer][packed tokens · hidden]: attention block output a, all layers but the last
	start  []int       // start[i]: first packed row of sequence i
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

// Forward runs the masked-LM on seqs (token ids with [CLS] … [SEP], unpadded).
func (m *Model) Forward(ctx context.Context, seqs [][]int, opt Options) (*Result, error) {
	if len(seqs) == 0 {
		return nil, fmt.Errorf("forward: no sequences")
	}
	for i, s := range seqs {
		if len(s) == 0 || len(s) > m.Config.MaxPositionEmbeddings {
			return nil, fmt.Errorf("forward: sequence %d has %d tokens; the model takes 1 to %d", i, len(s), m.Config.MaxPositionEmbeddings)
		}
		for p, id := range s {
			if id < 0 || id >= m.Config.VocabSize {
				return nil, fmt.Errorf("forward: sequence %d position %d: token id %d outside the vocabulary (size %d)", i, p, id, m.Config.VocabSize)
			}
		}
	}
	b := newBatch(seqs)
	if err := m.check(b, opt); err != nil {
		return nil, err
	}
	return m.run(ctx, b, 0, m.embed(b), opt)
}

// Resume re-runs layers from … N-1 for the traced sequences listed in seqs (indices into the
// traced pass; repeats allowed, so that one sequence can carry several lesions side by side),
// starting from their traced hidden state. Sites in opt refer to positions in seqs, and
// lesions must be in layer from or later. The result equals a full Forward of those
// sequences with the same options, for the layers it covers.
func (t *Trace) Resume(ctx context.Context, from int, seqs []int, opt Options) (*Result, error) {
	m := t.model
	if from < 0 || from >= m.Config.NumHiddenLayers {
		return nil, fmt.Errorf("resume: layer %d outside 0..%d", from, m.Config.NumHiddenLayers-1)
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("resume: no sequences")
	}
	ids := make([][]int, len(seqs))
	for i, s := range seqs {
		if s < 0 || s >= len(t.seqs) {
			return nil, fmt.Errorf("resume: sequence %d outside the trace's %d", s, len(t.seqs))
		}
		ids[i] = t.seqs[s]
	}
	for _, l := range opt.Lesions {
		if l.Layer < from {
			return nil, fmt.Errorf("resume: lesion in layer %d precedes the resume layer %d", l.Layer, from)
		}
	}
	if t.inputs[from] == nil {
		return nil, fmt.Errorf("resume: the trace starts after layer %d", from)
	}
	b := newBatch(ids)
	if err := m.check(b, opt); err != nil {
		return nil, err
	}
	if t.lesionsOnlyAt(from, opt) {
		// A lesion changes nothing in its layer but the MLP output of its own token: start from
		// the traced output of that layer and redo the MLP at the lesioned tokens only.
		x := t.gather(t.inputs[from+1], b, seqs)
		a := t.gather(t.attn[from], b, seqs)
		m.lesionedMLP(x, a, b, from, opt.Lesions)
		return m.run(ctx, b, from+1, x, opt)
	}
	return m.run(ctx, b, from, t.gather(t.inputs[from], b, seqs), opt)
}

// lesionsOnlyAt reports whether Resume can skip layer from: the trace holds that layer's
// attention output and the next layer's input, and opt changes or reads nothing in layer from
// but its lesions.
func (t *Trace) lesionsOnlyAt(from int, opt Options) bool {
	if from+1 >= len(t.inputs) || t.attn[from] == nil || t.inputs[from+1] == nil || len(opt.Capture) > 0 {
		return false
	}
	for _, l := range opt.Lesions {
		if l.Layer != from {
			return false
		}
	}
	return true
}

// gather copies the traced rows of the sequences seqs out of a packed [tokens, hidden] matrix
// into the packing of b.
func (t *Trace) gather(traced []float32, b *batch, seqs []int) []float32 {
	h := t.model.Config.HiddenSize
	x := make([]float32, b.tokens()*h)
	for i, s := range seqs {
		copy(x[b.start[i]*h:b.start[i+1]*h], traced[t.start[s]*h:t.start[s+1]*h])
	}
	return x
}

// lesionedMLP recomputes, in place in x (the output of layer li), the rows at the lesion sites:
// y = LayerNorm(a + GELU(lesioned(a·Wiᵀ + bi))·Wdᵀ + bd), from the attention output a.
func (m *Model) lesionedMLP(x, a []float32, b *batch, li int, lesions []Lesion) {
	l := &m.layers[li]
	h, in := m.Config.HiddenSize, m.Config.IntermediateSize
	zeroed := map[int][]int{} // row -> units, merging lesions that share a token
	var rows []int
	for _, les := range lesions {
		if len(les.Neurons) == 0 {
			continue // nothing changes: keep the traced row bit for bit
		}
		r := b.row(les.Site)
		if _, ok := zeroed[r]; !ok {
			rows = append(rows, r)
		}
		zeroed[r] = append(zeroed[r], les.Neurons...)
	}
	u, y := make([]float32, in), make([]float32, h)
	for _, r := range rows {
		ar := a[r*h : (r+1)*h]
		l.Inter.apply(u, ar, 1)
		for _, n := range zeroed[r] {
			u[n] = 0
		}
		m.gelu(u)
		l.Out.apply(y, u, 1)
		addInto(y, ar)
		m.layerNorm(y, l.OutNorm)
		copy(x[r*h:(r+1)*h], y)
	}
}

// run executes layers from … N-1 on x, the packed hidden state entering layer from; the
// caller has checked opt against b.
func (m *Model) run(ctx context.Context, b *batch, from int, x []float32, opt Options) (*Result, error) {
	n := m.Config.NumHiddenLayers
	res := &Result{Activations: make([][]float32, n)}
	if opt.Trace {
		res.Trace = &Trace{model: m, seqs: b.seqs, start: b.start, inputs: make([][]float32, n), attn: make([][]float32, n)}
	}
	buf := newScratch(b.tokens(), m.Config)
	last := m.neededRows(b, opt) // the last layer computes only the rows that anything reads
	for l := from; l < n; l++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if res.Trace != nil {
			res.Trace.inputs[l] = append([]float32(nil), x...)
		}
		var rows []int // nil: every row
		if l == n-1 {
			rows = last
		}
		var acts []float32
		x, acts = m.encoderLayer(l, x, b, rows, opt, buf)
		if res.Trace != nil && rows == nil {
			res.Trace.attn[l] = append([]float32(nil), buf.a[:len(x)]...)
		}
		if len(opt.Capture) > 0 {
			res.Activations[l] = acts
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

// check validates sites, lesions and vocabulary ids against the batch and the model.
func (m *Model) check(b *batch, opt Options) error {
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
	for _, l := range opt.Lesions {
		if err := site("lesion", l.Site); err != nil {
			return err
		}
		if l.Layer < 0 || l.Layer >= m.Config.NumHiddenLayers {
			return fmt.Errorf("forward: lesion layer %d outside 0..%d", l.Layer, m.Config.NumHiddenLayers-1)
		}
		for _, u := range l.Neurons {
			if u < 0 || u >= m.Config.IntermediateSize {
				return fmt.Errorf("forward: lesion neuron %d outside 0..%d", u, m.Config.IntermediateSize-1)
			}
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
// logit and capture sites. (A lesion elsewhere in the last layer changes nothing read.) The
// list is never nil, so that an empty one means no rows rather than all.
func (m *Model) neededRows(b *batch, opt Options) []int {
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

// embed computes BertEmbeddings: LayerNorm(word + position + token type 0), [tokens, hidden].
func (m *Model) embed(b *batch) []float32 {
	h := m.Config.HiddenSize
	x := make([]float32, b.tokens()*h)
	e := &m.emb
	for i, s := range b.seqs {
		for p, id := range s {
			row := x[(b.start[i]+p)*h : (b.start[i]+p+1)*h]
			word, pos, typ := e.Word[id*h:(id+1)*h], e.Position[p*h:(p+1)*h], e.TokenType[:h]
			for j := range row {
				row[j] = word[j] + pos[j] + typ[j]
			}
		}
	}
	m.layerNorm(x, e.Norm)
	return x
}

// encoderLayer is BertLayer on the packed hidden state x [T, H]:
//
//	a = LayerNorm(x + SelfAttention(x)·Woᵀ + bo)          attention block
//	u = a·Wiᵀ + bi                                        intermediate.dense [R, I]: lesions, capture
//	y = LayerNorm(a + GELU(u)·Wdᵀ + bd)                   output block
//
// rows selects the output rows to compute (nil: all T); keys and values always span every
// token. It returns y [R, H], written into buf's output that x does not use, and the captured
// activations for this layer.
func (m *Model) encoderLayer(li int, x []float32, b *batch, rows []int, opt Options, buf *scratch) ([]float32, []float32) {
	l := &m.layers[li]
	c := m.Config
	h, T := c.HiddenSize, b.tokens()
	xs, R := x, T
	if rows != nil {
		xs, R = gatherRows(x, rows, h), len(rows)
	}
	rowIndex := func(packed int) int { // position of a packed row among the computed rows
		if rows == nil {
			return packed
		}
		for i, r := range rows {
			if r == packed {
				return i
			}
		}
		return -1
	}

	k, v, q := buf.k[:T*h], buf.v[:T*h], buf.q[:R*h]
	l.Key.apply(k, x, T)
	l.Value.apply(v, x, T)
	l.Query.apply(q, xs, R)
	attn := buf.attn[:R*h]
	m.selfAttention(attn, q, k, v, b, rows)

	a := buf.a[:R*h]
	l.AttnOut.apply(a, attn, R)
	addInto(a, xs)
	m.layerNorm(a, l.AttnNorm)

	u := buf.u[:R*c.IntermediateSize]
	l.Inter.apply(u, a, R)
	unit := func(r int) []float32 { return u[r*c.IntermediateSize : (r+1)*c.IntermediateSize] }
	for _, les := range opt.Lesions {
		if les.Layer == li {
			if r := rowIndex(b.row(les.Site)); r >= 0 {
				for _, n := range les.Neurons {
					unit(r)[n] = 0
				}
			}
		}
	}
	var acts []float32
	capture := func() {
		acts = make([]float32, 0, len(opt.Capture)*c.IntermediateSize)
		for _, s := range opt.Capture {
			acts = append(acts, unit(rowIndex(b.row(s)))...)
		}
	}
	if !opt.PostGELU {
		capture()
	}
	m.gelu(u)
	if opt.PostGELU {
		capture()
	}

	y := buf.out(x)[:R*h]
	l.Out.apply(y, u, R)
	addInto(y, a)
	m.layerNorm(y, l.OutNorm)
	return y, acts
}

// scratch holds the activations of one pass, reused from layer to layer: a pass allocates
// them once instead of once per layer.
type scratch struct {
	k, v, q, attn, a, u []float32
	ys                  [2][]float32 // layer outputs, alternating so a layer never overwrites its input
}

func newScratch(tokens int, c Config) *scratch {
	th := tokens * c.HiddenSize
	return &scratch{
		k: make([]float32, th), v: make([]float32, th), q: make([]float32, th),
		attn: make([]float32, th), a: make([]float32, th), u: make([]float32, tokens*c.IntermediateSize),
		ys: [2][]float32{make([]float32, th), make([]float32, th)},
	}
}

// out returns the output buffer that does not hold x.
func (s *scratch) out(x []float32) []float32 {
	if len(x) > 0 && &x[0] == &s.ys[0][0] {
		return s.ys[1]
	}
	return s.ys[0]
}

// selfAttention computes multi-head scaled dot-product attention within each sequence:
// for every computed row i (packed row rows[i]) and head, softmax(q·Kᵀ/√d)·V over the keys of
// the row's own sequence. q is [R, H]; k, v are [T, H]; out is [R, H].
func (m *Model) selfAttention(out, q, k, v []float32, b *batch, rows []int) {
	h, heads, d := m.Config.HiddenSize, m.Config.NumAttentionHeads, m.Config.HeadSize()
	scale := float32(1 / math.Sqrt(float64(d)))
	R := len(out) / h
	const rowsPerTask = 8
	linalg.Parallel((R+rowsPerTask-1)/rowsPerTask, func(task int) {
		lo, hi := task*rowsPerTask, min(R, (task+1)*rowsPerTask)
		scores := make([]float32, m.Config.MaxPositionEmbeddings)
		for i := lo; i < hi; i++ {
			packed := i
			if rows != nil {
				packed = rows[i]
			}
			s := b.seqOf[packed]
			first, last := b.start[s], b.start[s+1]
			for hd := 0; hd < heads; hd++ {
				qi := q[i*h+hd*d : i*h+hd*d+d]
				scores = scores[:last-first]
				linalg.Dots(scores, qi, k[first*h+hd*d:], h) // q·kⱼ for the keys of this sequence and head
				for j := range scores {
					scores[j] *= scale
				}
				linalg.Softmax(scores)
				oi := out[i*h+hd*d : i*h+hd*d+d]
				clear(oi)
				linalg.AddScaledRows(oi, scores, v[first*h+hd*d:], h) // Σⱼ pⱼ·vⱼ
			}
		}
	})
}

// mlmLogits is BertOnlyMLMHead at the logit sites: LayerNorm(act(h·Wtᵀ + bt))·Eᵀ + bias, where
// x holds the last layer's rows listed in rows.
func (m *Model) mlmLogits(x []float32, rows []int, b *batch, opt Options) [][]float32 {
	h, S := m.Config.HiddenSize, len(opt.Logits)
	sel := make([]int, S)
	for i, s := range opt.Logits {
		for j, r := range rows {
			if r == b.row(s) {
				sel[i] = j
			}
		}
	}
	hs := gatherRows(x, sel, h)
	t := make([]float32, S*h)
	m.head.Transform.apply(t, hs, S)
	m.gelu(t)
	m.layerNorm(t, m.head.Norm)

	dec, bias := m.head.Decoder, m.head.Bias
	if opt.Vocab != nil {
		dec = gatherRows(dec, opt.Vocab, h)
		bias = make([]float32, len(opt.Vocab))
		for i, id := range opt.Vocab {
			bias[i] = m.head.Bias[id]
		}
	}
	V := len(bias)
	flat := make([]float32, S*V)
	linalg.Linear(flat, t, dec, bias, S, V, h)
	out := make([][]float32, S)
	for i := range out {
		out[i] = flat[i*V : (i+1)*V : (i+1)*V]
	}
	return out
}

func (l *linear) apply(y, x []float32, rows int) { linalg.Linear(y, x, l.W, l.B, rows, l.Out, l.In) }

func (m *Model) layerNorm(x []float32, n layerNorm) {
	h := m.Config.HiddenSize
	linalg.LayerNorm(x, n.Gamma, n.Beta, len(x)/h, h, float32(m.Config.LayerNormEps))
}

func (m *Model) gelu(x []float32) {
	if m.Config.tanhGELU() {
		linalg.GELUTanh(x)
	} else {
		linalg.GELU(x)
	}
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
