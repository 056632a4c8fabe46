package engine

import (
	"context"
	"testing"

	"lesionui/sentences"
)

func TestProgressCountsLayers(t *testing.T) {
	m := loadModel(t)
	defer m.Close()
	var got []Progress
	s, err := New(context.Background(), m, sentences.Builtin(), Options{}, func(p Progress) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(context.Background(), Design{}.Requests(), func(p Progress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	n := len(s.Layers)
	var collect, sweep []int
	for _, p := range got {
		if p.Total != n {
			t.Errorf("%+v: total %d, want the %d layers", p, p.Total, n)
		}
		switch p.Phase {
		case PhaseCollect:
			collect = append(collect, p.Done)
		case PhaseSweep:
			sweep = append(sweep, p.Done)
		default:
			t.Errorf("unknown phase %q", p.Phase)
		}
	}
	if len(collect) == 0 || collect[len(collect)-1] != n {
		t.Errorf("collect reported %v, want up to %d", collect, n)
	}
	if len(sweep) != n || sweep[n-1] != n {
		t.Errorf("sweep reported %v, want 1..%d", sweep, n)
	}
}

func TestUnitInspection(t *testing.T) {
	m := loadModel(t)
	defer m.Close()
	s, err := New(context.Background(), m, sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lt := s.Layers[1]
	top := lt.ByTuning[len(lt.ByTuning)-1]
	u := s.Unit(1, top)
	nA, nB := len(s.Set.A.Sentences), len(s.Set.B.Sentences)
	if u.Rank != 1 || u.Ranked != len(lt.T) || u.T != lt.T[top] || u.P != lt.P[top] || u.Q != lt.Q[top] {
		t.Errorf("most-tuned unit %d: %+v", top, u)
	}
	if len(u.A) != nA || len(u.B) != nB {
		t.Fatalf("%d and %d activations, want %d and %d", len(u.A), len(u.B), nA, nB)
	}
	// The recorded activations are those the t-test used: Welch's t from them is the study's.
	mean := func(xs []float64) float64 {
		var s float64
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	if d := mean(u.A) - u.MeanA; d > 1e-12 || d < -1e-12 {
		t.Errorf("mean A %g, want %g", u.MeanA, mean(u.A))
	}
	if (u.MeanA > u.MeanB) != (u.T > 0) {
		t.Errorf("t %g but means %g (A) and %g (B)", u.T, u.MeanA, u.MeanB)
	}
	wantClass := NotSignificant
	for _, a := range lt.A {
		if a == top {
			wantClass = PrefersA
		}
	}
	for _, b := range lt.B {
		if b == top {
			wantClass = PrefersB
		}
	}
	if u.Class != wantClass {
		t.Errorf("class %v, want %v", u.Class, wantClass)
	}
	if least := s.Unit(1, lt.ByTuning[0]); least.Rank != len(lt.T) {
		t.Errorf("least-tuned unit's rank %d, want %d", least.Rank, len(lt.T))
	}
}
