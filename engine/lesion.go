package engine

import (
	"context"
	"fmt"
	"math"

	"lesionui/engine/encoder"
)

// Request is one lesion of a layer: which units (Selection) and what they become (Ablation). The
// zero Request is the notebook's: the significant units of each word, zeroed.
type Request struct {
	Selection
	Ablation Ablation
}

// check validates the request against the study.
func (s *Study) check(req Request) error {
	if err := s.checkSelection(req.Selection); err != nil {
		return err
	}
	return req.Ablation.check()
}

// LesionResult is the outcome of one lesion on the test texts.
type LesionResult struct {
	Layer   int
	Request Request
	// Units are the units changed at the mask of Masked[0] and of Masked[1].
	Units [2][]int
	// Values are what each of those units was set to, in Units order, for the ablations that set
	// values (mean, patch); nil for zero and scale.
	Values  [2][]float32
	Ablated Logits
	Delta   Logits // clean − ablated
	// Magnitude is the mean |Delta| over all 12 entries.
	Magnitude float64
	// Impact is the signed change of each word's logit at its own mask, in text with that mask:
	// Delta[1][0][0] (her) and Delta[2][1][1] (him).
	Impact [2]float64
}

// textLesion is what a request does to one masked test text: the units changed at its mask, and
// the intervention (nil when there are no units: the text is not re-run and keeps its clean logits).
type textLesion struct {
	units  []int
	values []float32
	iv     *encoder.Intervention
}

// plan resolves a request in layer into its lesion of each masked text (Masked order); the
// interventions' sites name the text (1 or 2) as their sequence, for the caller to renumber.
func (s *Study) plan(layer int, req Request) ([2]textLesion, error) {
	var out [2]textLesion
	if err := s.check(req); err != nil {
		return out, fmt.Errorf("lesion: %w", err)
	}
	sets, err := s.Select(layer, req.Selection)
	if err != nil {
		return out, err
	}
	for k, w := range s.Targets.Words {
		g := s.groupOf(w)
		out[k].units = sets[g]
		if len(sets[g]) == 0 {
			continue
		}
		iv := s.intervention(layer, encoder.Site{Seq: k + 1, Pos: s.Targets.MaskPositions[k]}, g, sets[g], req.Ablation)
		out[k].iv = &iv
		if req.Ablation.SetsValues() {
			out[k].values = iv.Set
		}
	}
	return out, nil
}

// Lesion runs one lesion in layer: it re-runs the masked texts from that layer with their word's
// units changed at their mask.
func (s *Study) Lesion(ctx context.Context, layer int, req Request) (LesionResult, error) {
	res, err := s.Lesions(ctx, layer, []Request{req})
	if err != nil {
		return LesionResult{}, err
	}
	return res[0], nil
}

// Lesions runs the requests' lesions of one layer side by side in one resumed pass (two
// sequences per request), in reqs order. A masked text whose set is empty is not re-run and keeps
// its clean logits exactly. A non-finite logit (a scale that overflows) is a *NonFiniteError.
func (s *Study) Lesions(ctx context.Context, layer int, reqs []Request) ([]LesionResult, error) {
	res, _, err := s.lesions(ctx, layer, reqs, 0)
	return res, err
}

// LesionsTopK runs the lesions of Lesions and, in the same pass, reads the k most likely tokens
// at every mask under each of them (1 ≤ k ≤ vocabulary size): the pass's logits then span the
// vocabulary, which costs little beside the layers it re-runs.
func (s *Study) LesionsTopK(ctx context.Context, layer int, reqs []Request, k int) ([]LesionResult, []Predictions, error) {
	if err := s.checkTopK(k); err != nil {
		return nil, nil, err
	}
	return s.lesions(ctx, layer, reqs, k)
}

// lesions is Lesions, and with k > 0 also the top-k predictions of each request.
func (s *Study) lesions(ctx context.Context, layer int, reqs []Request, k int) ([]LesionResult, []Predictions, error) {
	if layer < 0 || layer >= len(s.Layers) {
		return nil, nil, fmt.Errorf("lesion: layer %d outside 0..%d", layer, len(s.Layers)-1)
	}
	type run struct{ req, text int } // text 1 or 2
	var runs []run
	var seqs []int
	var ivs []encoder.Intervention
	var logitSites []encoder.Site
	plans := make([][2]textLesion, len(reqs))
	for i, req := range reqs {
		p, err := s.plan(layer, req)
		if err != nil {
			return nil, nil, err
		}
		plans[i] = p
		for k, tl := range p {
			if tl.iv == nil {
				continue
			}
			seq := len(seqs)
			runs = append(runs, run{i, k + 1})
			seqs = append(seqs, k+1) // test text k+1 carries the mask of Masked[k]
			iv := *tl.iv
			iv.Site.Seq = seq
			ivs = append(ivs, iv)
			for _, pos := range s.Targets.MaskPositions {
				logitSites = append(logitSites, encoder.Site{Seq: seq, Pos: pos})
			}
		}
	}
	ablated := make([]Logits, len(reqs))
	for i := range ablated {
		ablated[i] = s.Clean
	}
	var preds []Predictions
	if k > 0 {
		clean := s.cleanTopK(k)
		preds = make([]Predictions, len(reqs))
		for i := range preds {
			preds[i] = clean
		}
	}
	if len(seqs) > 0 {
		opt := encoder.Options{Interventions: ivs, Logits: logitSites, Vocab: s.Targets.WordIDs[:]}
		words := [2]int{0, 1} // where the words' logits stand in a row of the pass's logits
		if k > 0 {
			opt.Vocab, words = nil, s.Targets.WordIDs
		}
		r, err := s.trace.Resume(ctx, layer, seqs, opt)
		if err != nil {
			return nil, nil, err
		}
		for j, rn := range runs {
			for p := range 2 {
				row := r.Logits[2*j+p]
				for w, col := range words {
					ablated[rn.req][rn.text][p][w] = float64(row[col])
				}
				if k > 0 {
					preds[rn.req][rn.text][p] = s.topTokens(row, k)
				}
			}
		}
	}
	out := make([]LesionResult, len(reqs))
	for i, req := range reqs {
		if err := s.checkLogits(ablated[i], fmt.Sprintf("the lesion in layer %d (%s units, %s)", layer, req.Mode, req.Ablation)); err != nil {
			return nil, nil, err
		}
		out[i] = s.result(layer, req, plans[i], ablated[i])
	}
	return out, preds, nil
}

// result derives a lesion's deltas, magnitude and impacts from its ablated logits.
func (s *Study) result(layer int, req Request, p [2]textLesion, ablated Logits) LesionResult {
	r := LesionResult{Layer: layer, Request: req, Ablated: ablated}
	for k, tl := range p {
		r.Units[k], r.Values[k] = tl.units, tl.values
	}
	var sum float64
	for t := range 3 {
		for p := range 2 {
			for w := range 2 {
				r.Delta[t][p][w] = s.Clean[t][p][w] - ablated[t][p][w]
				sum += math.Abs(r.Delta[t][p][w])
			}
		}
	}
	r.Magnitude = sum / 12
	r.Impact = [2]float64{r.Delta[1][0][0], r.Delta[2][1][1]}
	return r
}

// Sweep lesions every layer with each of reqs (the laminar analysis of Parts 6 and 7),
// [request][layer]. The requests of a layer share one resumed pass. progress may be nil.
func (s *Study) Sweep(ctx context.Context, reqs []Request, progress func(Progress)) ([][]LesionResult, error) {
	out := make([][]LesionResult, len(reqs))
	for l := range s.Layers {
		res, err := s.Lesions(ctx, l, reqs)
		if err != nil {
			return nil, err
		}
		for i := range reqs {
			out[i] = append(out[i], res[i])
		}
		if progress != nil {
			progress(Progress{Phase: PhaseSweep, Done: l + 1, Total: len(s.Layers)})
		}
	}
	return out, nil
}
