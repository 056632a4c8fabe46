package engine

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"lesionui/engine/encoder"
	"lesionui/sentences"
)

func TestUnitHasHedgesG(t *testing.T) {
	s := fixtureStudy(t)
	for l, lt := range s.Layers {
		for _, u := range []int{0, lt.ByTuning[len(lt.ByTuning)-1]} {
			if g := s.Unit(l, u).G; g != lt.G[u] || (g > 0) != (lt.T[u] > 0) {
				t.Errorf("layer %d unit %d: g %g, the test's %g (t %g)", l, u, g, lt.G[u], lt.T[u])
			}
		}
	}
}

// checkAblated fails unless got equals the full pass want within float32 accumulation noise.
func checkAblated(t *testing.T, what string, got, want Logits) {
	t.Helper()
	for x := range 3 {
		for p := range 2 {
			for w := range 2 {
				if math.Abs(got[x][p][w]-want[x][p][w]) > 2e-5 {
					t.Fatalf("%s: ablated[%d][%d][%d] %g, full pass %g", what, x, p, w, got[x][p][w], want[x][p][w])
				}
			}
		}
	}
}

// Lesions of several layers at once equal a full forward pass with the interventions of every
// layer, and one layer's equals Lesion.
func TestLesionLayersMatchFullPasses(t *testing.T) {
	s := fixtureStudy(t)
	ctx := context.Background()
	for _, req := range []Request{{}, {Selection: Selection{Mode: LeastTuned}, Ablation: Ablation{Kind: PatchAblation}},
		{Selection: Selection{Units: Top(3)}, Ablation: Ablation{Kind: ScaleAblation, Factor: 2}}} {
		for l := range s.Layers {
			one, err := s.LesionLayers(ctx, []int{l}, req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.Lesion(ctx, l, req)
			if err != nil {
				t.Fatal(err)
			}
			checkAblated(t, "one layer", one.Ablated, want.Ablated)
			if math.Abs(one.Magnitude-want.Magnitude) > 1e-9 || one.Impact != want.Impact || len(one.Sets) != 1 ||
				!slices.Equal(one.Sets[0].Units[0], want.Units[0]) || !slices.Equal(one.Sets[0].Units[1], want.Units[1]) {
				t.Errorf("layer %d %+v: together %+v, alone %+v", l, req, one, want)
			}
		}
		layers := []int{2, 0} // any order
		got, err := s.LesionLayers(ctx, layers, req)
		if err != nil {
			t.Fatal(err)
		}
		if got.Sets[0].Layer != 0 || got.Sets[1].Layer != 2 {
			t.Errorf("sets not in layer order: %+v", got.Sets)
		}
		var ivs []encoder.Intervention
		for _, l := range layers {
			r, err := s.Lesion(ctx, l, req)
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.plan(l, req)
			if err != nil {
				t.Fatal(err)
			}
			for k, tl := range p {
				if tl.iv != nil {
					iv := *tl.iv
					iv.Site.Seq = k + 1
					ivs = append(ivs, iv)
					if !slices.Equal(iv.Units, r.Units[k]) {
						t.Fatalf("plan and lesion disagree")
					}
				}
			}
		}
		checkAblated(t, "layers 0 and 2", got.Ablated, forwardLogits(t, s, ivs))
		if got.Delta[1][0][0] != got.Impact[0] || got.Delta[2][1][1] != got.Impact[1] || got.Delta[0] != (Logits{}[0]) {
			t.Errorf("impacts %v of deltas %v", got.Impact, got.Delta)
		}
	}
}

// One unit lesioned alone, at both masks, equals a full pass with that unit zeroed there.
func TestLesionOneUnit(t *testing.T) {
	s := fixtureStudy(t)
	lt := s.Layers[1]
	u := lt.ByTuning[len(lt.ByTuning)-1]
	got, err := s.LesionSets(context.Background(), []LayerUnits{{Layer: 1, Units: [2][]int{{u}, {u}}}}, Ablation{})
	if err != nil {
		t.Fatal(err)
	}
	var ivs []encoder.Intervention
	for k := range 2 {
		ivs = append(ivs, encoder.Zero(1, encoder.Site{Seq: k + 1, Pos: s.Targets.MaskPositions[k]}, []int{u}))
	}
	checkAblated(t, "unit alone", got.Ablated, forwardLogits(t, s, ivs))
	if got.Magnitude == 0 {
		t.Error("zeroing the most-tuned unit changed nothing")
	}
	// Only one mask: the other text keeps its clean logits exactly.
	half, err := s.LesionSets(context.Background(), []LayerUnits{{Layer: 1, Units: [2][]int{{u}, nil}}}, Ablation{})
	if err != nil {
		t.Fatal(err)
	}
	if half.Ablated[2] != s.Clean[2] || half.Ablated[0] != s.Clean[0] {
		t.Errorf("texts without units were changed: %v vs %v", half.Ablated, s.Clean)
	}
}

func TestLesionSetsRefusesBadSets(t *testing.T) {
	s := fixtureStudy(t)
	ctx := context.Background()
	for _, c := range []struct {
		sets []LayerUnits
		a    Ablation
		want string
	}{
		{nil, Ablation{}, "no layers"},
		{[]LayerUnits{{Layer: 3}}, Ablation{}, "layer 3 outside 0..2"},
		{[]LayerUnits{{Layer: 1}, {Layer: 1}}, Ablation{}, "layer 1 given twice"},
		{[]LayerUnits{{Layer: 0, Units: [2][]int{{64}}}}, Ablation{}, "unit 64 of layer 0 outside 0..63"},
		{[]LayerUnits{{Layer: 0}}, Ablation{Kind: 9}, "unknown ablation kind"},
	} {
		if _, err := s.LesionSets(ctx, c.sets, c.a); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.sets, err, c.want)
		}
	}
	if _, err := s.LesionLayers(ctx, []int{0}, Request{Selection: Selection{Units: Top(100)}}); err == nil || !strings.Contains(err.Error(), "only 64 units") {
		t.Errorf("top=100 of 64: %v", err)
	}
}

// A study rebuilt from its recording is the study: the same tests, clean logits and lesions
// (mean ablations included, which read the recorded means), pre- and post-GELU.
func TestNewRecordedRebuildsTheStudy(t *testing.T) {
	m := loadModel(t)
	ctx := context.Background()
	for _, opt := range []Options{{}, {PostGELU: true}} {
		s, err := New(ctx, m, sentences.Builtin(), opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewRecorded(ctx, m, sentences.Builtin(), opt, s.Recording())
		if err != nil {
			t.Fatal(err)
		}
		if r.Clean != s.Clean {
			t.Errorf("clean logits %v, recorded %v", s.Clean, r.Clean)
		}
		for l := range s.Layers {
			if !slices.Equal(r.Layers[l].T, s.Layers[l].T) || !slices.Equal(r.Layers[l].A, s.Layers[l].A) || !slices.Equal(r.Layers[l].G, s.Layers[l].G) {
				t.Errorf("layer %d: the tests differ", l)
			}
			req := Request{Ablation: Ablation{Kind: MeanAblation}}
			a, err := s.Lesion(ctx, l, req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.Lesion(ctx, l, req)
			if err != nil {
				t.Fatal(err)
			}
			if a.Ablated != b.Ablated || !slices.Equal(a.Values[0], b.Values[0]) {
				t.Errorf("layer %d: mean lesions differ", l)
			}
		}
	}
}

func TestNewRecordedRefusesWrongSizes(t *testing.T) {
	m := loadModel(t)
	ctx := context.Background()
	s, err := New(ctx, m, sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := s.Recording()
	short := Recording{Tested: rec.Tested[:2], Means: rec.Means[:2]}
	cut := Recording{Tested: slices.Clone(rec.Tested), Means: rec.Means}
	cut.Tested[1] = cut.Tested[1][:100]
	means := Recording{Tested: rec.Tested, Means: slices.Clone(rec.Means)}
	means.Means[2] = [3][]float32{rec.Means[2][0], rec.Means[2][1][:3], rec.Means[2][2]}
	nan := Recording{Tested: slices.Clone(rec.Tested), Means: rec.Means}
	nan.Tested[0] = slices.Clone(rec.Tested[0])
	nan.Tested[0][5] = float32(math.NaN())
	for _, c := range []struct {
		rec  Recording
		want string
	}{
		{short, "2 layers of activations and 2 of means, the model has 3"},
		{cut, "layer 1 holds 100 activations, want 108 sentences × 64 units"},
		{means, "layer 2: 3 means of kind 1, want 64 units"},
		{nan, "layer 0: the MLP expansion (unit 5)"},
	} {
		if _, err := NewRecorded(ctx, m, sentences.Builtin(), Options{}, c.rec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
