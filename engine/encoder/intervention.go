package encoder

import (
	"fmt"
	"math"
)

// Intervention changes expansion units of one layer at one site: the outputs of
// intermediate.dense, before the activation function, which is where the study records and
// lesions. It is the only way a pass alters the model; capture at the same site sees the altered
// values.
//
// What the units become is either Set (one value per unit: zero, mean and patch ablations) or,
// when Set is nil, Scale times their own value (Scale 2 is knowledge-neurons' "enhance").
type Intervention struct {
	Layer int
	Site  Site
	Units []int
	// Set holds the units' new values, in Units order; nil means scale them instead.
	Set []float32
	// Scale multiplies each unit when Set is nil.
	Scale float32
}

// Zero returns the intervention that sets units to zero at site in layer: the notebook's lesion
// (GELU(0) = 0, so the units contribute nothing to the output block).
func Zero(layer int, site Site, units []int) Intervention {
	return Intervention{Layer: layer, Site: site, Units: units, Set: make([]float32, len(units))}
}

// apply alters u, the expansion [intermediate] of the intervention's site.
func (iv *Intervention) apply(u []float32) {
	if iv.Set != nil {
		for i, n := range iv.Units {
			u[n] = iv.Set[i]
		}
		return
	}
	for _, n := range iv.Units {
		u[n] *= iv.Scale
	}
}

// check validates the intervention against the model's shape.
func (iv *Intervention) check(c Config) error {
	if iv.Layer < 0 || iv.Layer >= c.NumHiddenLayers {
		return fmt.Errorf("forward: intervention layer %d outside 0..%d", iv.Layer, c.NumHiddenLayers-1)
	}
	for _, u := range iv.Units {
		if u < 0 || u >= c.IntermediateSize {
			return fmt.Errorf("forward: intervention unit %d outside 0..%d", u, c.IntermediateSize-1)
		}
	}
	switch {
	case iv.Set != nil && len(iv.Set) != len(iv.Units):
		return fmt.Errorf("forward: intervention in layer %d sets %d values for %d units", iv.Layer, len(iv.Set), len(iv.Units))
	case iv.Set == nil && (math.IsNaN(float64(iv.Scale)) || math.IsInf(float64(iv.Scale), 0)):
		return fmt.Errorf("forward: intervention in layer %d scales by %g", iv.Layer, iv.Scale)
	}
	for _, v := range iv.Set {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("forward: intervention in layer %d sets a unit to %g", iv.Layer, v)
		}
	}
	return nil
}

// edit is an intervention resolved to a row of the rows a layer computes.
type edit struct {
	row int
	iv  *Intervention
}

// editsAt resolves the interventions of layer li to rows: rowOf maps a site to its index among
// the computed rows, or -1 when the row is not computed (then nothing reads it). Interventions
// without units are dropped, so that they leave their row exactly as it was.
func editsAt(li int, ivs []Intervention, rowOf func(Site) int) []edit {
	var out []edit
	for i := range ivs {
		iv := &ivs[i]
		if iv.Layer != li || len(iv.Units) == 0 {
			continue
		}
		if r := rowOf(iv.Site); r >= 0 {
			out = append(out, edit{row: r, iv: iv})
		}
	}
	return out
}
