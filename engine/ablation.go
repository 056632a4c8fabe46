package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"lesionui/engine/encoder"
)

// AblationKind is what an ablation does to the units it changes.
type AblationKind int

const (
	// ZeroAblation sets the units to 0 (the notebook's lesion; GELU(0) = 0).
	ZeroAblation AblationKind = iota
	// MeanAblation sets each unit to its mean pre-GELU value over all contrast sentences at their
	// target token.
	MeanAblation
	// ScaleAblation multiplies each unit by Ablation.Factor (2 is knowledge-neurons' "enhance").
	ScaleAblation
	// PatchAblation sets each unit to its mean over the other group's sentences: a counterfactual
	// ("her" units at the her mask get their mean on the "him" sentences).
	PatchAblation
)

// Ablation is what a lesion does to its units. Every kind changes the pre-GELU value (the output of
// intermediate.dense), also when the t-test runs on the post-GELU one. The zero Ablation is the
// notebook's zeroing.
type Ablation struct {
	Kind   AblationKind
	Factor float64 // ScaleAblation's multiplier
}

// ParseAblation reads "zero", "mean", "patch" or "scale=F" (F a finite number).
func ParseAblation(s string) (Ablation, error) {
	switch s {
	case "zero":
		return Ablation{Kind: ZeroAblation}, nil
	case "mean":
		return Ablation{Kind: MeanAblation}, nil
	case "patch":
		return Ablation{Kind: PatchAblation}, nil
	}
	v, ok := strings.CutPrefix(s, "scale=")
	if !ok {
		return Ablation{}, fmt.Errorf("unknown ablation %q (want zero, mean, scale=F or patch)", s)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(math.Abs(f) <= math.MaxFloat32) {
		return Ablation{}, fmt.Errorf("scale=%s: %q is not a finite number", v, v)
	}
	return Ablation{Kind: ScaleAblation, Factor: f}, nil
}

// String is the record's name of the ablation: "zero", "mean", "scale=F" or "patch".
func (a Ablation) String() string {
	switch a.Kind {
	case MeanAblation:
		return "mean"
	case PatchAblation:
		return "patch"
	case ScaleAblation:
		return "scale=" + strconv.FormatFloat(a.Factor, 'g', -1, 64)
	}
	return "zero"
}

// SetsValues reports whether the ablation sets units to values of their own (mean, patch), which
// a LesionResult reports, rather than zeroing or scaling them.
func (a Ablation) SetsValues() bool { return a.Kind == MeanAblation || a.Kind == PatchAblation }

// check validates the ablation.
func (a Ablation) check() error {
	switch {
	case a.Kind < ZeroAblation || a.Kind > PatchAblation:
		return fmt.Errorf("unknown ablation kind %d", int(a.Kind))
	case a.Kind == ScaleAblation && !(math.Abs(a.Factor) <= math.MaxFloat32):
		return fmt.Errorf("scale=%g: the factor must be a finite float32", a.Factor)
	}
	return nil
}

// intervention is the one place where an ablation becomes a change of the model: units of layer,
// at site, where group's word belongs (0 for A, 1 for B: patch takes the other group's means).
// A new ablation kind is a new case here.
func (s *Study) intervention(layer int, site encoder.Site, group int, units []int, a Ablation) encoder.Intervention {
	switch a.Kind {
	case MeanAblation:
		return setTo(layer, site, units, s.means[layer].all)
	case PatchAblation:
		return setTo(layer, site, units, s.means[layer].group[1-group])
	case ScaleAblation:
		return encoder.Intervention{Layer: layer, Site: site, Units: units, Scale: float32(a.Factor)}
	}
	return encoder.Zero(layer, site, units)
}

// setTo is the intervention setting each unit u to value[u].
func setTo(layer int, site encoder.Site, units []int, value []float32) encoder.Intervention {
	set := make([]float32, len(units))
	for i, u := range units {
		set[i] = value[u]
	}
	return encoder.Intervention{Layer: layer, Site: site, Units: units, Set: set}
}

// groupMeans are one layer's pre-GELU means per unit at the contrast sentences' target tokens.
type groupMeans struct {
	group [2][]float32 // over group A's sentences, over group B's
	all   []float32    // over all sentences
}

// newGroupMeans averages the row-major [nA+nB, units] captures, group A's rows first, in float64.
func newGroupMeans(acts []float32, nA, nB, units int) groupMeans {
	sum := [2][]float64{make([]float64, units), make([]float64, units)}
	for i := range nA + nB {
		g := 0
		if i >= nA {
			g = 1
		}
		for u, v := range acts[i*units : (i+1)*units] {
			sum[g][u] += float64(v)
		}
	}
	m := groupMeans{group: [2][]float32{make([]float32, units), make([]float32, units)}, all: make([]float32, units)}
	for u := range units {
		m.group[0][u] = float32(sum[0][u] / float64(nA))
		m.group[1][u] = float32(sum[1][u] / float64(nB))
		m.all[u] = float32((sum[0][u] + sum[1][u]) / float64(nA+nB))
	}
	return m
}
