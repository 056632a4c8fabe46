package engine

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Mode is which units of a layer a lesion changes, given the sizes its Units choice sets.
type Mode int

const (
	// MostTuned takes the most-tuned units of each word (the notebook's Part 5: its significant units).
	MostTuned Mode = iota
	// LeastTuned takes as many units in ascending |t| (the control of Part 7).
	LeastTuned
	// Random draws as many units uniformly without replacement from all units, seeded (the baseline).
	Random
)

// Modes lists the two modes of the laminar sweep, in report order.
var Modes = []Mode{MostTuned, LeastTuned}

// String names the mode as the JSON record does: "most", "least" or "random".
func (m Mode) String() string {
	switch m {
	case LeastTuned:
		return "least"
	case Random:
		return "random"
	}
	return "most"
}

// Units is how the most-tuned sets are chosen (--units): Significant, the notebook's every
// FDR-significant unit of each direction, or Top(K), the K units of largest |t| among those with
// t > 0 for group A and among those with t < 0 for group B, significant or not (all of them when a
// direction has fewer than K). The least-tuned and random sets take the same sizes.
type Units int

// Significant is the notebook's selection (the zero Units).
const Significant Units = 0

// Top returns the selection of the k units of largest |t| per direction.
func Top(k int) Units { return Units(k) }

// ParseUnits reads "significant" or "top=K" (K ≥ 1).
func ParseUnits(s string) (Units, error) {
	if s == "significant" {
		return Significant, nil
	}
	v, ok := strings.CutPrefix(s, "top=")
	if !ok {
		return 0, fmt.Errorf("%q is neither significant nor top=K", s)
	}
	k, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("top=%s: %q is not a whole number", v, v)
	}
	if k < 1 {
		return 0, fmt.Errorf("top=%d: K must be at least 1", k)
	}
	return Top(k), nil
}

// String is the record's name of the selection: "significant" or "top=K".
func (u Units) String() string {
	if u == Significant {
		return "significant"
	}
	return fmt.Sprintf("top=%d", int(u))
}

// Check returns an error unless the selection fits a layer of n units: top=K with K > n is one.
func (u Units) Check(n int) error {
	switch {
	case u < 0:
		return fmt.Errorf("%s: K must be at least 1", u)
	case int(u) > n:
		return fmt.Errorf("%s: a layer has only %d units", u, n)
	}
	return nil
}

// Selection says which units a lesion changes at each word's mask.
type Selection struct {
	Mode  Mode
	Units Units
	// Seed and Draw name a Random draw: the draw-th draw of the streams seeded by Seed (see the
	// package's random streams). Other modes ignore them.
	Seed uint64
	Draw int
}

// check validates the selection against the study.
func (s *Study) checkSelection(sel Selection) error {
	if err := sel.Units.Check(s.Model.Config.IntermediateSize); err != nil {
		return fmt.Errorf("units %w", err)
	}
	if sel.Mode < MostTuned || sel.Mode > Random {
		return fmt.Errorf("unknown lesion mode %d", int(sel.Mode))
	}
	if sel.Draw < 0 || sel.Draw >= maxDraws {
		return fmt.Errorf("random draw %d outside 0..%d", sel.Draw, maxDraws-1)
	}
	return nil
}

// Select returns the units sel changes in layer for group A's word and for group B's word (the
// units a lesion changes at that word's mask). Significant sets and random draws are in ascending
// unit order, top-K sets too; least-tuned sets are in ascending |t| (the notebook's argsort), ties
// by index, so that the two words' control sets overlap as in the notebook. Each word's random
// draw is independent of the other's, so they may overlap too.
func (s *Study) Select(layer int, sel Selection) ([2][]int, error) {
	if layer < 0 || layer >= len(s.Layers) {
		return [2][]int{}, fmt.Errorf("select: layer %d outside 0..%d", layer, len(s.Layers)-1)
	}
	if err := s.checkSelection(sel); err != nil {
		return [2][]int{}, fmt.Errorf("select: %w", err)
	}
	lt := s.Layers[layer]
	most := [2][]int{lt.A, lt.B}
	if sel.Units != Significant {
		most = [2][]int{topByT(lt.T, 1, int(sel.Units)), topByT(lt.T, -1, int(sel.Units))}
	}
	switch sel.Mode {
	case LeastTuned:
		return [2][]int{lt.ByTuning[:len(most[0])], lt.ByTuning[:len(most[1])]}, nil
	case Random:
		var sets [2][]int
		for g := range sets {
			sets[g] = sample(newStream(sel.Seed, streamUnits, layer, g, sel.Draw), len(lt.T), len(most[g]))
		}
		return sets, nil
	}
	return most, nil
}

// topByT returns, in ascending order, the k units of largest |t| among those whose t has the given
// sign (+1 or −1), ties broken by the lower index; ±Inf counts as the largest, NaN as neither sign.
func topByT(t []float64, sign float64, k int) []int {
	var units []int
	for u, v := range t {
		if v*sign > 0 {
			units = append(units, u)
		}
	}
	slices.SortStableFunc(units, func(a, b int) int { return cmp.Compare(math.Abs(t[b]), math.Abs(t[a])) })
	units = units[:min(k, len(units))]
	slices.Sort(units)
	return units
}

// byTuning returns the units sorted by ascending |t|, ties by index (a stable argsort), with
// NaN t last.
func byTuning(t []float64) []int {
	order := make([]int, len(t))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := math.Abs(t[a]), math.Abs(t[b])
		if math.IsNaN(x) || math.IsNaN(y) {
			return cmp.Compare(boolInt(math.IsNaN(x)), boolInt(math.IsNaN(y)))
		}
		return cmp.Compare(x, y)
	})
	return order
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
