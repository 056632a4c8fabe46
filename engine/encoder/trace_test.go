package encoder

import (
	"context"
	"slices"
	"testing"
)

// A trace that keeps the attention output at some sites only resumes, at those sites, exactly as
// a full trace does, and anywhere else still like a full forward pass (re-running the layer);
// it keeps only those rows.
func TestTraceSites(t *testing.T) {
	m, g := loadGolden(t, "tiny-bert")
	ctx := context.Background()
	texts := g.TextIDs
	sites := []Site{{1, g.MaskHer}, {2, g.MaskHim}}
	logits := []Site{{0, g.MaskHer}, {1, g.MaskHer}, {1, g.MaskHim}}
	full, err := m.Forward(ctx, texts, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := m.Forward(ctx, texts, Options{Trace: true, TraceSites: sites})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Config.HiddenSize
	for l, a := range kept.Trace.attn[:len(kept.Trace.attn)-1] {
		if len(a) != len(sites)*h || len(full.Trace.attn[l]) != (len(texts[0])+len(texts[1])+len(texts[2]))*h {
			t.Fatalf("layer %d keeps %d attention values, want %d", l, len(a), len(sites)*h)
		}
	}
	units := []int{1, 4, 9, 33}
	for layer := range m.Config.NumHiddenLayers {
		at := func(seq, pos int) Options {
			return Options{Interventions: []Intervention{Zero(layer, Site{seq, pos}, units)}, Logits: logits}
		}
		// Sequences 2 and 1 of the traced batch, so sites are renumbered: text 1 is sequence 1 here.
		seqs := []int{2, 1}
		want, err := full.Trace.Resume(ctx, layer, seqs, at(1, g.MaskHer))
		if err != nil {
			t.Fatal(err)
		}
		got, err := kept.Trace.Resume(ctx, layer, seqs, at(1, g.MaskHer))
		if err != nil {
			t.Fatal(err)
		}
		for i := range logits {
			if !slices.Equal(got.Logits[i], want.Logits[i]) {
				t.Errorf("layer %d, a kept site: logits %v, full trace %v", layer, got.Logits[i][:3], want.Logits[i][:3])
			}
		}
		elsewhere := at(0, 3) // text 2's token 3: not kept
		want, err = m.Forward(ctx, [][]int{texts[2], texts[1]}, elsewhere)
		if err != nil {
			t.Fatal(err)
		}
		got, err = kept.Trace.Resume(ctx, layer, seqs, elsewhere)
		if err != nil {
			t.Fatal(err)
		}
		for i := range logits {
			assertClose(t, "a site not kept", got.Logits[i], toFloat64(want.Logits[i]))
		}
	}
	if _, err := m.Forward(ctx, texts, Options{Trace: true, TraceSites: []Site{{3, 0}}}); err == nil {
		t.Error("a trace site outside the batch was accepted")
	}
}
