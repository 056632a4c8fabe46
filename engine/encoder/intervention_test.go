package encoder

import (
	"context"
	"math"
	"testing"
)

// Interventions that leave every value as it was (setting units to their own recorded values,
// scaling by 1) reproduce the clean logits; scaling and setting give the same logits whether
// the pass runs every layer or resumes from the trace.
func TestInterventionKinds(t *testing.T) {
	m, g := loadGolden(t, "tiny-bert")
	ctx := context.Background()
	layer := 1
	site := Site{0, g.MaskHer}
	units := []int{0, 3, 5, 17, 40}
	sites := []Site{{0, g.MaskHer}, {0, g.MaskHim}}
	texts := g.TextIDs[1:2]

	rec, err := m.Forward(ctx, texts, Options{Capture: []Site{site}, Points: PreActivation | PostActivation, Logits: sites})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Pre == nil || rec.Post == nil || rec.Pre[layer] == nil || rec.Post[layer] == nil {
		t.Fatal("asking for both points did not capture both")
	}
	own := make([]float32, len(units))
	for i, u := range units {
		own[i] = rec.Pre[layer][u]
		if pre, post := float64(rec.Pre[layer][u]), float64(rec.Post[layer][u]); math.Abs(post-pre*0.5*(1+math.Erf(pre/math.Sqrt2))) > 1e-5 {
			t.Errorf("unit %d: post %g is not GELU(pre %g)", u, post, pre)
		}
	}
	clean, err := m.Forward(ctx, texts, Options{Trace: true, Logits: sites})
	if err != nil {
		t.Fatal(err)
	}
	identities := map[string]Intervention{
		"set to own values": {Layer: layer, Site: site, Units: units, Set: own},
		"scale by 1":        {Layer: layer, Site: site, Units: units, Scale: 1},
	}
	for name, iv := range identities {
		res, err := m.Forward(ctx, texts, Options{Interventions: []Intervention{iv}, Logits: sites})
		if err != nil {
			t.Fatal(err)
		}
		for i := range sites {
			assertClose(t, name, res.Logits[i], toFloat64(clean.Logits[i]))
		}
	}

	changes := map[string]Intervention{
		"scale by 2":  {Layer: layer, Site: site, Units: units, Scale: 2},
		"scale by -1": {Layer: layer, Site: site, Units: units, Scale: -1},
		"set to 3":    {Layer: layer, Site: site, Units: units, Set: []float32{3, 3, 3, 3, 3}},
	}
	for name, iv := range changes {
		full, err := m.Forward(ctx, texts, Options{Interventions: []Intervention{iv}, Logits: sites, Capture: []Site{site}})
		if err != nil {
			t.Fatal(err)
		}
		resumed, err := clean.Trace.Resume(ctx, layer, []int{0}, Options{Interventions: []Intervention{iv}, Logits: sites})
		if err != nil {
			t.Fatal(err)
		}
		moved := false
		for i := range sites {
			assertClose(t, name+", resumed", resumed.Logits[i], toFloat64(full.Logits[i]))
			moved = moved || math.Abs(float64(full.Logits[i][0]-clean.Logits[i][0])) > 1e-6
		}
		if !moved {
			t.Errorf("%s: the logits did not move", name)
		}
		// Capture sees the intervention.
		for i, u := range units {
			want := float64(own[i]) * float64(iv.Scale)
			if iv.Set != nil {
				want = float64(iv.Set[i])
			}
			if got := float64(full.Pre[layer][u]); math.Abs(got-want) > 1e-5 {
				t.Errorf("%s: unit %d captured %g, want %g", name, u, got, want)
			}
		}
	}
}

func toFloat64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}
