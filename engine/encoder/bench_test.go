package encoder

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// largeLayerModel is a one-layer model with bert-large's shapes (hidden 1024, 16 heads, 4096
// units) and random weights, built in memory.
func largeLayerModel() *Model {
	c := Config{VocabSize: 30522, HiddenSize: 1024, NumHiddenLayers: 1, NumAttentionHeads: 16, IntermediateSize: 4096,
		HiddenAct: "gelu", EmbeddingSize: 1024, MaxPositionEmbeddings: 512, TypeVocabSize: 2, LayerNormEps: 1e-12}
	r := rand.New(rand.NewPCG(1, 2))
	vec := func(n int, scale float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = scale * float32(r.NormFloat64())
		}
		return v
	}
	lin := func(out, in int) linear { return linear{W: vec(out*in, 0.02), B: vec(out, 0.02), Out: out, In: in} }
	norm := func(n int) layerNorm {
		g := vec(n, 0)
		for i := range g {
			g[i] = 1
		}
		return layerNorm{Gamma: g, Beta: vec(n, 0)}
	}
	h, in := c.HiddenSize, c.IntermediateSize
	return &Model{Config: c, layers: []layer{{
		Query: lin(h, h), Key: lin(h, h), Value: lin(h, h), AttnOut: lin(h, h), AttnNorm: norm(h),
		Inter: lin(in, h), Out: lin(h, in), OutNorm: norm(h),
	}}}
}

// BenchmarkEncoderLayer times one bert-large encoder layer on packed batches: the collection's
// 108 sentences (~950 tokens in sequences of 9), and the two test texts a lesion re-runs (2×19).
func BenchmarkEncoderLayer(b *testing.B) {
	m := largeLayerModel()
	for _, shape := range []struct{ seqs, length int }{{108, 9}, {2, 19}} {
		b.Run(fmt.Sprintf("%dx%d_tokens", shape.seqs, shape.length), func(b *testing.B) {
			seqs := make([][]int, shape.seqs)
			for i := range seqs {
				seqs[i] = make([]int, shape.length)
			}
			bt := newBatch(seqs)
			T, h := bt.tokens(), m.Config.HiddenSize
			x := make([]float32, T*h)
			for i := range x {
				x[i] = float32(i%17) * 0.1
			}
			buf := newScratch(T, m.Config)
			b.ResetTimer()
			for range b.N {
				m.encoderLayer(0, x, bt, nil, &Options{}, buf)
			}
			// Six matrix products: 2·T·(4h² + 2·h·i), attention 4·h·Σlen².
			flops := 2*float64(T)*float64(4*h*h+2*h*m.Config.IntermediateSize) + 4*float64(h*shape.seqs*shape.length*shape.length)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
