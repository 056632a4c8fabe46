package engine

import (
	"fmt"
	"math"

	"lesionui/sentences"
)

// NonFiniteError is a NaN or ±Inf in what the model computed for the study. The study refuses
// to go on: a NaN t-value is never significant and a NaN logit hides every lesion's effect, so
// the numbers would look plausible and mean nothing.
type NonFiniteError struct {
	Layer int    // the layer of an activation; -1 for a logit
	Site  string // where, for people: which sentence or test text, which logit
	Value float64
	// Weight names the weights that are not finite (a *safetensors.NonFiniteError naming
	// the tensor), or nil when every weight is finite and the value overflowed float32.
	Weight error
}

func (e *NonFiniteError) Error() string {
	where := e.Site
	if e.Layer >= 0 {
		where = fmt.Sprintf("layer %d: %s", e.Layer, e.Site)
	}
	cause := "every weight is finite, so the computation overflowed float32 (weights or inputs far too large)"
	if e.Weight != nil {
		cause = e.Weight.Error()
	}
	return fmt.Sprintf("%s is %v: %s", where, e.Value, cause)
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// nonFinite returns a *NonFiniteError for layer and site, naming the broken weight if there is
// one (a scan of every weight, done only now that something is wrong).
func (s *Study) nonFinite(layer int, site string, v float64) error {
	return &NonFiniteError{Layer: layer, Site: site, Value: v, Weight: s.Model.CheckWeights()}
}

// checkActivations returns a *NonFiniteError for the first non-finite recorded activation,
// layer by layer (the first layer where one appears is nearest the cause).
func (s *Study) checkActivations() error {
	units := s.Model.Config.IntermediateSize
	for l, acts := range s.acts {
		for i, v := range acts {
			if !finite(float64(v)) {
				site := fmt.Sprintf("the MLP expansion (unit %d) at the target word of %s", i%units, s.sentence(i/units))
				return s.nonFinite(l, site, float64(v))
			}
		}
	}
	return nil
}

// sentence describes sentence i of the study (group A's first) for errors.
func (s *Study) sentence(i int) string {
	g := s.Set.A
	if i >= len(g.Sentences) {
		i -= len(g.Sentences)
		g = s.Set.B
	}
	sen := g.Sentences[i]
	return fmt.Sprintf("[%s] sentence %q (%s)", g.Word, sen.Text, (&sentences.Error{File: s.Set.Name, Line: sen.Line}).Location())
}

// checkLogits returns a *NonFiniteError for the first non-finite logit of l, from the pass
// described by what.
func (s *Study) checkLogits(l Logits, what string) error {
	for t := range l {
		for p := range l[t] {
			for w, v := range l[t][p] {
				if !finite(v) {
					site := fmt.Sprintf("%s: the %q logit at the %q mask position of the %s test text",
						what, s.Targets.Words[w], s.Targets.Words[p], s.testText(t))
					return s.nonFinite(-1, site, v)
				}
			}
		}
	}
	return nil
}

// checkVocabLogits returns a *NonFiniteError for the first non-finite logit of row, the logits
// over the whole vocabulary at mask position p of test text t from the pass described by what.
// The top-k predictions are read from such rows: a NaN there would silently drop its token and an
// Inf top the list, where the two words' logits (checkLogits) are finite.
func (s *Study) checkVocabLogits(row []float32, t, p int, what string) error {
	for id, v := range row {
		if !finite(float64(v)) {
			site := fmt.Sprintf("%s: the logit of token %q (id %d) at the %q mask position of the %s test text",
				what, s.Model.Tokenizer.Token(id), id, s.Targets.Words[p], s.testText(t))
			return s.nonFinite(-1, site, float64(v))
		}
	}
	return nil
}

// testText names test text t (0 clean, then the two masked ones) for errors.
func (s *Study) testText(t int) string {
	if t == 0 {
		return "clean"
	}
	return s.Targets.Words[t-1] + "-masked"
}
