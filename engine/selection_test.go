package engine

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"lesionui/sentences"
)

func fixtureStudy(t *testing.T) *Study {
	t.Helper()
	s, err := New(context.Background(), loadModel(t), sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseUnits(t *testing.T) {
	for in, want := range map[string]Units{"significant": Significant, "top=1": Top(1), "top=50": Top(50)} {
		if got, err := ParseUnits(in); err != nil || got != want || got.String() != in {
			t.Errorf("ParseUnits(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"top=0": "at least 1", "top=-3": "at least 1", "top=": "not a whole number",
		"top=abc": "not a whole number", "all": "neither significant nor top=K", "": "neither"} {
		if _, err := ParseUnits(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseUnits(%q): %v, want an error containing %q", in, err, want)
		}
	}
	if err := Top(65).Check(64); err == nil || !strings.Contains(err.Error(), "only 64 units") {
		t.Errorf("top=65 of 64: %v", err)
	}
	if err := Top(64).Check(64); err != nil {
		t.Error(err)
	}
}

func TestTopByT(t *testing.T) {
	tv := []float64{3, -1, math.NaN(), 0, 1, -3, 0.5, math.Inf(1), 3, -3}
	for _, c := range []struct {
		sign float64
		k    int
		want []int
	}{
		{1, 2, []int{0, 7}},           // +Inf first, then the first of the tied 3s
		{1, 3, []int{0, 7, 8}},        // both 3s
		{1, 10, []int{0, 4, 6, 7, 8}}, // all positive ones; 0 and NaN are neither sign
		{-1, 1, []int{5}},             // tie −3, −3: the lower index
		{-1, 5, []int{1, 5, 9}},
	} {
		if got := topByT(tv, c.sign, c.k); !slices.Equal(got, c.want) {
			t.Errorf("topByT(sign %v, k %d) = %v, want %v", c.sign, c.k, got, c.want)
		}
	}
}

// Top-K sets hold the K largest |t| of each sign; least-tuned and random sets take their sizes;
// random draws are reproducible, differ from draw to draw and from word to word.
func TestSelect(t *testing.T) {
	s := fixtureStudy(t)
	units := s.Model.Config.IntermediateSize
	for l, lt := range s.Layers {
		sig, err := s.Select(l, Selection{})
		if err != nil || !slices.Equal(sig[0], lt.A) || !slices.Equal(sig[1], lt.B) {
			t.Fatalf("layer %d significant: %v, %v", l, sig, err)
		}
		top, err := s.Select(l, Selection{Units: Top(5)})
		if err != nil {
			t.Fatal(err)
		}
		for g, sign := range []float64{1, -1} {
			if len(top[g]) != 5 {
				t.Fatalf("layer %d group %d: %d top units", l, g, len(top[g]))
			}
			minIn := math.Inf(1)
			for _, u := range top[g] {
				if lt.T[u]*sign <= 0 {
					t.Errorf("layer %d: top unit %d of group %d has t %g", l, u, g, lt.T[u])
				}
				minIn = math.Min(minIn, math.Abs(lt.T[u]))
			}
			for u, v := range lt.T {
				if v*sign > 0 && !slices.Contains(top[g], u) && math.Abs(v) > minIn {
					t.Errorf("layer %d: unit %d (t %g) left out of group %d's top 5 (smallest |t| in it %g)", l, u, v, g, minIn)
				}
			}
		}
		least, _ := s.Select(l, Selection{Mode: LeastTuned, Units: Top(5)})
		if !slices.Equal(least[0], lt.ByTuning[:5]) || !slices.Equal(least[1], lt.ByTuning[:5]) {
			t.Errorf("layer %d least-tuned top=5: %v", l, least)
		}
		draw := func(seed uint64, d int) [2][]int {
			r, err := s.Select(l, Selection{Mode: Random, Seed: seed, Draw: d})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		a, again, other, reseeded := draw(1, 0), draw(1, 0), draw(1, 1), draw(2, 0)
		for g := range 2 {
			if len(a[g]) != len(sig[g]) || !slices.IsSorted(a[g]) || len(slices.Compact(slices.Clone(a[g]))) != len(a[g]) {
				t.Errorf("layer %d group %d: draw %v for %d significant units", l, g, a[g], len(sig[g]))
			}
			if !slices.Equal(a[g], again[g]) {
				t.Errorf("layer %d: the same draw differs: %v, %v", l, a[g], again[g])
			}
			if n := len(a[g]); n > 0 && n < units && (slices.Equal(a[g], other[g]) || slices.Equal(a[g], reseeded[g])) {
				t.Errorf("layer %d group %d: draws 0 and 1 or seeds 1 and 2 agree: %v", l, g, a[g])
			}
		}
	}
	if _, err := s.Select(3, Selection{}); err == nil {
		t.Error("layer 3 of 3 selected")
	}
	if _, err := s.Select(0, Selection{Units: Top(65)}); err == nil || !strings.Contains(err.Error(), "only 64 units") {
		t.Errorf("top=65: %v", err)
	}
}

// The random streams are pinned: these draws are what every machine gives (and what
// scripts/reference/study_v2.py's own PCG-DXSM re-derivation gives).
func TestRandomStreamsArePinned(t *testing.T) {
	src := newStream(1, streamUnits, 0, 0, 0)
	var got []uint64
	for range 3 {
		got = append(got, src.Uint64())
	}
	want := []uint64{10486454166519544555, 358406830641666776, 14331413887227380053}
	if !slices.Equal(got, want) {
		t.Errorf("stream (seed 1, units, layer 0, group 0, draw 0) starts %v, want %v", got, want)
	}
	if got := sample(newStream(7, streamUnits, 2, 1, 3), 64, 6); !slices.Equal(got, []int{12, 15, 17, 18, 26, 62}) {
		t.Errorf("sample = %v", got)
	}
	if splitmix64(0) != 0xe220a8397b1dcdaf {
		t.Errorf("splitmix64(0) = %#x", splitmix64(0))
	}
}

// below is uniform: every value of a small range comes up about equally often.
func TestBelowIsUniform(t *testing.T) {
	src := newStream(3, streamBootstrap, 0, 0, 0)
	const n, draws = 7, 70000
	var counts [n]int
	for range draws {
		counts[below(src, n)]++
	}
	for v, c := range counts {
		if math.Abs(float64(c)-draws/n) > 5*math.Sqrt(draws/n) {
			t.Errorf("value %d drawn %d times of %d", v, c, draws)
		}
	}
}
