package tui

import (
	"fmt"
	"slices"

	"lesionui/engine"
	"lesionui/sentences"
)

// The lesion controls: which units a lesion changes (the significant ones or the top K by |t|,
// K adjustable), what they become (zero, mean, scale, patch), the random baseline and the
// evaluation set on or off, the top-k predictions on or off, and the layers marked for a lesion
// of several layers together. Each starts as its command-line flag says (Config.Design).

// Defaults of the controls that the flags leave off.
const (
	defaultK      = 50 // top=K when n switches from the significant units and --units gave no K
	defaultDraws  = 20 // baseline draws when b turns the baseline on and --baseline gave none
	defaultScale  = 2  // the scale ablation's factor when a reaches it and --ablate gave none
	defaultTopK   = engine.DefaultTopK
	maxMarkLayers = 64 // the most layers one multi-layer lesion marks
)

// controls are the lesion controls' state.
type controls struct {
	units      engine.Units
	k          int // K of top=K, kept while the significant units are shown
	ablation   engine.Ablation
	scale      float64 // the scale ablation's factor
	seed       uint64
	draws      int // random draws per layer of the baseline
	baselineOn bool
	evalSet    *sentences.EvalSet
	evalOn     bool
	predK      int // top-k predictions per mask
	topKOn     bool
	marks      []bool // layers marked for a lesion of several layers together
}

// newControls sets the controls from the command line's design.
func newControls(d engine.Design) controls {
	c := controls{units: d.Units, k: defaultK, ablation: d.Ablation, scale: defaultScale, seed: d.Seed,
		draws: d.Baseline, baselineOn: d.Baseline > 0, evalSet: d.Eval, evalOn: d.Eval != nil, predK: d.TopK, topKOn: d.TopK > 0}
	if d.Units != engine.Significant {
		c.k = int(d.Units)
	}
	if d.Ablation.Kind == engine.ScaleAblation {
		c.scale = d.Ablation.Factor
	}
	if c.draws == 0 {
		c.draws = defaultDraws
	}
	if c.predK == 0 {
		c.predK = defaultTopK
	}
	return c
}

// request is the lesion the controls ask for in mode.
func (c *controls) request(mode engine.Mode) engine.Request {
	return engine.Request{Selection: engine.Selection{Mode: mode, Units: c.units, Seed: c.seed}, Ablation: c.ablation}
}

// toggleUnits switches between the significant units and the top K.
func (c *controls) toggleUnits(units int) {
	if c.units == engine.Significant {
		c.k = max(1, min(c.k, units))
		c.units = engine.Top(c.k)
	} else {
		c.units = engine.Significant
	}
}

// kSteps are the values K steps through: 1, 2, 5, 10, 20, 50, …
func kSteps(units int) []int {
	var ks []int
	for base := 1; base <= units; base *= 10 {
		for _, f := range []int{1, 2, 5} {
			if f*base <= units {
				ks = append(ks, f*base)
			}
		}
	}
	if ks[len(ks)-1] != units {
		ks = append(ks, units)
	}
	return ks
}

// stepK moves K to the next larger (up) or smaller value of kSteps, within 1..units; it
// switches to top=K if the significant units were shown.
func (c *controls) stepK(up bool, units int) {
	ks := kSteps(units)
	k := max(1, min(c.k, units))
	if up {
		if i := slices.IndexFunc(ks, func(v int) bool { return v > k }); i >= 0 {
			k = ks[i]
		}
	} else {
		for i := len(ks) - 1; i >= 0; i-- {
			if ks[i] < k {
				k = ks[i]
				break
			}
		}
	}
	c.k, c.units = k, engine.Top(k)
}

// cycleAblation goes zero → mean → scale → patch → zero.
func (c *controls) cycleAblation() {
	switch c.ablation.Kind {
	case engine.ZeroAblation:
		c.ablation = engine.Ablation{Kind: engine.MeanAblation}
	case engine.MeanAblation:
		c.ablation = engine.Ablation{Kind: engine.ScaleAblation, Factor: c.scale}
	case engine.ScaleAblation:
		c.ablation = engine.Ablation{Kind: engine.PatchAblation}
	default:
		c.ablation = engine.Ablation{}
	}
}

// toggleEval turns the evaluation set on or off; without --eval it is the built-in set.
func (c *controls) toggleEval() {
	if c.evalSet == nil {
		c.evalSet = sentences.BuiltinEval()
	}
	c.evalOn = !c.evalOn
}

// toggleMark marks or unmarks layer l of n.
func (c *controls) toggleMark(l, n int) error {
	if len(c.marks) != n {
		c.marks = make([]bool, n)
	}
	if !c.marks[l] && len(c.markedLayers()) >= maxMarkLayers {
		return fmt.Errorf("at most %d layers can be lesioned together", maxMarkLayers)
	}
	c.marks[l] = !c.marks[l]
	return nil
}

// markedLayers are the marked layers, ascending.
func (c *controls) markedLayers() []int {
	var ls []int
	for l, on := range c.marks {
		if on {
			ls = append(ls, l)
		}
	}
	return ls
}

// unitsName says which units the most-tuned lesion takes, for people: "significant",
// "top-50".
func (c *controls) unitsName() string {
	if c.units == engine.Significant {
		return "significant"
	}
	return fmt.Sprintf("top-%d", int(c.units))
}

// ablationWords say what an ablation does to its units, in a few letters ("zeroed", "mean",
// "×2", "patched") and in words ("zeroed", "set to their mean", …).
func ablationWords(a engine.Ablation) (short, verb string) {
	switch a.Kind {
	case engine.MeanAblation:
		return "mean", "set to their mean"
	case engine.ScaleAblation:
		f := fmt.Sprintf("×%g", a.Factor)
		return f, "scaled " + f
	case engine.PatchAblation:
		return "patched", "patched with the other word's mean"
	}
	return "zeroed", "zeroed"
}

// ablationName is the ablation in a few letters.
func ablationName(a engine.Ablation) string { short, _ := ablationWords(a); return short }

// ablationVerb says what the lesion does to its units.
func ablationVerb(a engine.Ablation) string { _, verb := ablationWords(a); return verb }

// design is the controls as an engine.Design, the results of the export's record.
func (c *controls) design() engine.Design {
	return engine.Design{Units: c.units, Ablation: c.ablation, Seed: c.seed}
}
