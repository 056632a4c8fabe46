package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"lesionui/engine/encoder"
)

// UnitInfo is what the study recorded and found for one expansion unit of one layer.
type UnitInfo struct {
	Layer, Unit int
	T, P, Q     float64 // the unit's t (A − B), two-sided p and corrected p
	// G is the unit's Hedges' g (A − B, the sign of t), as LayerTest.G.
	G     float64
	Class Class
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
	info := UnitInfo{Layer: l, Unit: u, T: lt.T[u], P: lt.P[u], Q: lt.Q[u], G: lt.G[u], Class: NotSignificant,
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

// LayerUnits are units of one layer that a lesion changes: Units[k] at the mask of Masked[k].
type LayerUnits struct {
	Layer int
	Units [2][]int
}

// SetLesion is the outcome of a lesion of explicit units, in one layer or in several at once.
type SetLesion struct {
	Sets     []LayerUnits // ascending by layer
	Ablation Ablation
	Ablated  Logits
	Delta    Logits // clean − ablated
	// Magnitude and Impact are as in LesionResult: the mean |Delta| over all 12 entries, and
	// Delta[1][0][0], Delta[2][1][1].
	Magnitude float64
	Impact    [2]float64
}

// LesionSets changes the units of every set at once, each in its layer and at its masks, with
// ablation a (patch takes, at each mask, the other group's means, as in Lesion), in one pass
// resumed from the lowest layer: a lesion of several layers together, or of a single unit
// ({Layer: l, Units: {{u}, {u}}}: the unit alone at both masks). The layers must differ. A masked
// text without units is not re-run and keeps its clean logits.
func (s *Study) LesionSets(ctx context.Context, sets []LayerUnits, a Ablation) (SetLesion, error) {
	if len(sets) == 0 {
		return SetLesion{}, fmt.Errorf("lesion: no layers to lesion")
	}
	if err := a.check(); err != nil {
		return SetLesion{}, fmt.Errorf("lesion: %w", err)
	}
	sets = slices.Clone(sets)
	slices.SortFunc(sets, func(x, y LayerUnits) int { return x.Layer - y.Layer })
	units := s.Model.Config.IntermediateSize
	for i, set := range sets {
		if set.Layer < 0 || set.Layer >= len(s.Layers) {
			return SetLesion{}, fmt.Errorf("lesion: layer %d outside 0..%d", set.Layer, len(s.Layers)-1)
		}
		if i > 0 && sets[i-1].Layer == set.Layer {
			return SetLesion{}, fmt.Errorf("lesion: layer %d given twice", set.Layer)
		}
		for _, us := range set.Units {
			for _, u := range us {
				if u < 0 || u >= units {
					return SetLesion{}, fmt.Errorf("lesion: unit %d of layer %d outside 0..%d", u, set.Layer, units-1)
				}
			}
		}
	}
	var seqs []int
	var ivs []encoder.Intervention
	var logitSites []encoder.Site
	var rerun []int // the test text of each sequence
	for k := range s.Targets.Words {
		seq := len(seqs)
		site := encoder.Site{Seq: seq, Pos: s.Targets.MaskPositions[k]}
		g := s.groupOf(s.Targets.Words[k])
		n := len(ivs)
		for _, set := range sets {
			if len(set.Units[k]) > 0 {
				ivs = append(ivs, s.intervention(set.Layer, site, g, set.Units[k], a))
			}
		}
		if len(ivs) == n {
			continue
		}
		seqs, rerun = append(seqs, k+1), append(rerun, k+1)
		for _, pos := range s.Targets.MaskPositions {
			logitSites = append(logitSites, encoder.Site{Seq: seq, Pos: pos})
		}
	}
	ablated := s.Clean
	if len(seqs) > 0 {
		r, err := s.trace.Resume(ctx, sets[0].Layer, seqs, encoder.Options{Interventions: ivs, Logits: logitSites, Vocab: s.Targets.WordIDs[:]})
		if err != nil {
			return SetLesion{}, err
		}
		for j, text := range rerun {
			for p := range 2 {
				for w := range 2 {
					ablated[text][p][w] = float64(r.Logits[2*j+p][w])
				}
			}
		}
	}
	layers := make([]string, len(sets))
	for i, set := range sets {
		layers[i] = fmt.Sprint(set.Layer)
	}
	if err := s.checkLogits(ablated, fmt.Sprintf("the lesion of layers %s together (%s)", strings.Join(layers, ", "), a)); err != nil {
		return SetLesion{}, err
	}
	r := s.result(sets[0].Layer, Request{Ablation: a}, [2]textLesion{}, ablated)
	return SetLesion{Sets: sets, Ablation: a, Ablated: r.Ablated, Delta: r.Delta, Magnitude: r.Magnitude, Impact: r.Impact}, nil
}

// LesionLayers lesions several layers together: in each, the units req selects there (Select),
// at the masks Lesion would change them, all with req's ablation in one pass (LesionSets). With
// one layer it is Lesion's lesion.
func (s *Study) LesionLayers(ctx context.Context, layers []int, req Request) (SetLesion, error) {
	if err := s.check(req); err != nil {
		return SetLesion{}, fmt.Errorf("lesion: %w", err)
	}
	sets := make([]LayerUnits, len(layers))
	for i, l := range layers {
		sel, err := s.Select(l, req.Selection)
		if err != nil {
			return SetLesion{}, err
		}
		sets[i].Layer = l
		for k, w := range s.Targets.Words {
			sets[i].Units[k] = sel[s.groupOf(w)]
		}
	}
	return s.LesionSets(ctx, sets, req.Ablation)
}
