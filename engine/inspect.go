package engine

import (
	"math"
	"slices"
)

// UnitInfo is what the study recorded and found for one expansion unit of one layer.
type UnitInfo struct {
	Layer, Unit int
	T, P, Q     float64 // the unit's t (A − B), two-sided p and corrected p
	Class       Class
	// Rank is the unit's place by |t| among the Ranked units of its layer that have a t (NaN
	// excluded): 1 for the largest |t|, 0 for a unit whose t is NaN.
	Rank, Ranked int
	// A and B are the unit's recorded activation at the target word of every sentence of
	// group A and of group B, pre- or post-GELU as the study recorded them, and their means.
	A, B         []float64
	MeanA, MeanB float64
}

// Unit returns what the study has on unit u of layer l. It panics if either is out of range,
// like an index.
func (s *Study) Unit(l, u int) UnitInfo {
	lt := s.Layers[l]
	units := s.Model.Config.IntermediateSize
	nA := len(s.Set.A.Sentences)
	acts := s.acts[l]
	info := UnitInfo{Layer: l, Unit: u, T: lt.T[u], P: lt.P[u], Q: lt.Q[u], Class: NotSignificant,
		A: make([]float64, nA), B: make([]float64, len(acts)/units-nA)}
	if _, ok := slices.BinarySearch(lt.A, u); ok {
		info.Class = PrefersA
	} else if _, ok := slices.BinarySearch(lt.B, u); ok {
		info.Class = PrefersB
	}
	for i := range info.A {
		info.A[i] = float64(acts[i*units+u])
	}
	for i := range info.B {
		info.B[i] = float64(acts[(nA+i)*units+u])
	}
	info.MeanA, info.MeanB = mean(info.A), mean(info.B)
	info.Ranked = len(lt.ByTuning)
	for info.Ranked > 0 && math.IsNaN(lt.T[lt.ByTuning[info.Ranked-1]]) {
		info.Ranked--
	}
	if pos := slices.Index(lt.ByTuning, u); pos >= 0 && pos < info.Ranked {
		info.Rank = info.Ranked - pos
	}
	return info
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(max(1, len(xs)))
}
