package encoder

import (
	"math"
	"slices"

	"lesionui/engine/linalg"
)

// captured is what one layer recorded at the capture sites: [site, unit] matrices, nil when
// not asked for.
type captured struct{ pre, post []float32 }

// encoderLayer is one post-LN encoder block (BertLayer, RobertaLayer, ElectraLayer, DistilBERT's
// TransformerBlock, AlbertLayer) on the packed hidden state x [T, H]:
//
//	a = LayerNorm(x + SelfAttention(x)·Woᵀ + bo)          attentionBlock    [R, H]
//	u = a·Wiᵀ + bi, then the interventions                intermediate.dense [R, I]
//	y = LayerNorm(a + act(u)·Wdᵀ + bd)                    output block       [R, H]
//
// rows selects the output rows to compute (nil: all T, ascending otherwise); keys and values
// always span every token. It returns y, written into the scratch output that x does not use,
// and what the capture sites recorded.
func (m *Model) encoderLayer(li int, x []float32, b *batch, rows []int, opt *Options, buf *scratch) ([]float32, captured) {
	h := m.Config.HiddenSize
	R := b.tokens()
	if rows != nil {
		R = len(rows)
	}
	rowOf := func(s Site) int { // index of a site's row among the computed rows, or -1
		r := b.row(s)
		if rows == nil {
			return r
		}
		if i, ok := slices.BinarySearch(rows, r); ok {
			return i
		}
		return -1
	}
	a := m.attentionBlock(li, x, b, rows, buf)
	var at []int
	if len(opt.Capture) > 0 {
		at = make([]int, len(opt.Capture))
		for i, s := range opt.Capture {
			at[i] = rowOf(s)
		}
	}
	y := buf.out(x)[:R*h]
	c := m.feedForward(li, a, editsAt(li, opt.Interventions, rowOf), at, opt.points(), buf.u, y)
	return y, c
}

// attentionBlock is BertAttention for the computed rows of x [T, H] (rows nil: all):
// a = LayerNorm(xᵣ + SelfAttention(x)ᵣ·Woᵀ + bo), [R, H] in buf.a.
func (m *Model) attentionBlock(li int, x []float32, b *batch, rows []int, buf *scratch) []float32 {
	l := &m.layers[li]
	h, T := m.Config.HiddenSize, b.tokens()
	xs, R := x, T
	if rows != nil {
		xs, R = gatherRows(x, rows, h), len(rows)
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
	return a
}

// feedForward is the MLP half of layer li (BertIntermediate, BertOutput) on a [R, H], the
// attention block's output, writing y [R, H]:
//
//	u = a·Wiᵀ + bi                 the expansion [R, I]; edits alter it here, and only here
//	y = LayerNorm(a + act(u)·Wdᵀ + bd)
//
// at lists the rows whose expansion is recorded (at the requested points); u is scratch of at
// least R·I values.
func (m *Model) feedForward(li int, a []float32, edits []edit, at []int, points Point, u, y []float32) captured {
	l := &m.layers[li]
	I := m.Config.IntermediateSize
	R := len(a) / m.Config.HiddenSize
	u = u[:R*I]
	l.Inter.apply(u, a, R)
	for _, e := range edits {
		e.iv.apply(u[e.row*I : (e.row+1)*I])
	}
	var c captured
	if at != nil && points&PreActivation != 0 {
		c.pre = gatherRows(u, at, I)
	}
	m.act.apply(u)
	if at != nil && points&PostActivation != 0 {
		c.post = gatherRows(u, at, I)
	}
	l.Out.apply(y, u, R)
	addInto(y, a)
	m.layerNorm(y, l.OutNorm)
	return c
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
