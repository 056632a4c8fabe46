package encoder

import (
	"context"
	"fmt"
	"slices"
)

// Trace is the hidden state entering every layer of a forward pass, so that a pass which
// changes nothing before layer L (an intervention there) can start at L, or after it.
type Trace struct {
	model  *Model
	seqs   [][]int
	inputs [][]float32 // [layer][packed tokens · hidden]
	attn   [][]float32 // [layer][kept rows · hidden]: attention block output a, all layers but the last
	start  []int       // start[i]: first packed row of sequence i
	// kept lists the packed rows attn keeps, ascending, and keptAt maps each to its row in attn;
	// both nil when attn keeps every row.
	kept   []int
	keptAt map[int]int
}

// newTrace returns an empty trace of the batch b, keeping the attention output at sites only
// (every row when sites is empty).
func newTrace(m *Model, b *batch, sites []Site) *Trace {
	n := m.Config.NumHiddenLayers
	t := &Trace{model: m, seqs: b.seqs, start: b.start, inputs: make([][]float32, n), attn: make([][]float32, n)}
	if len(sites) == 0 {
		return t
	}
	t.keptAt = map[int]int{}
	for _, s := range sites {
		t.keptAt[b.row(s)] = 0
	}
	for r := range t.keptAt {
		t.kept = append(t.kept, r)
	}
	slices.Sort(t.kept)
	for i, r := range t.kept {
		t.keptAt[r] = i
	}
	return t
}

// keepAttention returns the copy of a layer's attention output a [tokens, hidden] that the trace
// keeps.
func (t *Trace) keepAttention(a []float32) []float32 {
	if t.kept == nil {
		return slices.Clone(a)
	}
	return gatherRows(a, t.kept, t.model.Config.HiddenSize)
}

// attention returns the traced attention output of layer l at row r of b, the batch that packs
// the traced sequences seqs, or nil when the trace did not keep it.
func (t *Trace) attention(l int, b *batch, seqs []int, r int) []float32 {
	h := t.model.Config.HiddenSize
	i := b.seqOf[r]
	row := t.start[seqs[i]] + r - b.start[i]
	if t.keptAt != nil {
		k, ok := t.keptAt[row]
		if !ok {
			return nil
		}
		row = k
	}
	return t.attn[l][row*h : (row+1)*h]
}

// Resume re-runs layers from … N-1 for the traced sequences listed in seqs (indices into the
// traced pass; repeats allowed, so that one sequence can carry several interventions side by
// side), starting from their traced hidden state. Sites in opt refer to positions in seqs, and
// interventions must be in layer from or later. The result equals a full Forward of those
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
	for _, iv := range opt.Interventions {
		if iv.Layer < from {
			return nil, fmt.Errorf("resume: intervention in layer %d precedes the resume layer %d", iv.Layer, from)
		}
	}
	if t.inputs[from] == nil {
		return nil, fmt.Errorf("resume: the trace starts after layer %d", from)
	}
	b := newBatch(ids)
	if err := m.check(b, &opt); err != nil {
		return nil, err
	}
	if t.onlyIntervenesAt(from, b, seqs, &opt) {
		// An intervention changes nothing in its layer but the MLP output of its own token:
		// start from the traced output of that layer and redo the MLP at those tokens only.
		x := t.gather(t.inputs[from+1], b, seqs)
		m.feedForwardAt(x, func(r int) []float32 { return t.attention(from, b, seqs, r) }, b, from, opt.Interventions)
		return m.run(ctx, b, from+1, x, &opt)
	}
	return m.run(ctx, b, from, t.gather(t.inputs[from], b, seqs), &opt)
}

// onlyIntervenesAt reports whether Resume can skip layer from: the trace holds that layer's
// attention output at the intervened tokens of b (which packs the traced sequences seqs) and the
// next layer's input, and opt changes or reads nothing in layer from but its interventions.
func (t *Trace) onlyIntervenesAt(from int, b *batch, seqs []int, opt *Options) bool {
	if from+1 >= len(t.inputs) || t.attn[from] == nil || t.inputs[from+1] == nil || len(opt.Capture) > 0 {
		return false
	}
	for _, iv := range opt.Interventions {
		if iv.Layer != from || t.attention(from, b, seqs, b.row(iv.Site)) == nil {
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

// feedForwardAt recomputes, in place in x (the output of layer li), the rows where layer li's
// interventions apply, from their attention output attn(row): the same feedForward as a full
// pass, on those rows only, batched into one product. Rows without an intervention keep their
// traced values bit for bit.
func (m *Model) feedForwardAt(x []float32, attn func(row int) []float32, b *batch, li int, ivs []Intervention) {
	h := m.Config.HiddenSize
	index := map[int]int{} // packed row -> row of the recomputed batch
	var rows []int
	edits := editsAt(li, ivs, func(s Site) int {
		r := b.row(s)
		i, ok := index[r]
		if !ok {
			i = len(rows)
			index[r] = i
			rows = append(rows, r)
		}
		return i
	})
	if len(rows) == 0 {
		return
	}
	a := make([]float32, len(rows)*h)
	for i, r := range rows {
		copy(a[i*h:(i+1)*h], attn(r))
	}
	y := make([]float32, len(rows)*h)
	u := make([]float32, len(rows)*m.Config.IntermediateSize)
	m.feedForward(li, a, edits, nil, 0, u, y)
	for i, r := range rows {
		copy(x[r*h:(r+1)*h], y[i*h:(i+1)*h])
	}
}
