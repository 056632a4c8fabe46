package engine

import (
	"context"
	"fmt"
	"time"

	"lesionui/sentences"
)

// Design is what a whole run of the study computes beyond the statistics (`lesionui run` and
// `report`'s --units, --ablate, --seed, --baseline, --eval and --topk). The zero Design is the
// notebook's: significant units, zeroed, no baseline, no evaluation set, no top-k.
type Design struct {
	Units    Units
	Ablation Ablation
	Seed     uint64
	// Baseline is the number of random draws per layer; 0 runs none.
	Baseline int
	// Eval is the evaluation set; nil runs none.
	Eval *sentences.EvalSet
	// TopK is the number of top predictions at each mask; 0 computes none.
	TopK int
}

// DefaultSeed and DefaultTopK are the command line's defaults.
const (
	DefaultSeed = 1
	DefaultTopK = 10
)

// Request returns the design's request for mode (draw 0 for Random).
func (d Design) Request(m Mode) Request {
	return Request{Selection: Selection{Mode: m, Units: d.Units, Seed: d.Seed}, Ablation: d.Ablation}
}

// Requests returns the design's requests of the sweep's modes, in Modes order.
func (d Design) Requests() []Request {
	reqs := make([]Request, len(Modes))
	for i, m := range Modes {
		reqs[i] = d.Request(m)
	}
	return reqs
}

// DesignError is a Design value the model cannot take; Field names it as the command line does
// ("units", "ablate", "baseline" or "topk").
type DesignError struct {
	Field string
	Err   error
}

// Error names the field and says what is wrong with it.
func (e *DesignError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *DesignError) Unwrap() error { return e.Err }

// Check validates the design against a model with units expansion units per layer and a
// vocabulary of vocab tokens, so that a bad design fails before any model work. Its errors are
// *DesignError.
func (d Design) Check(units, vocab int) error {
	fail := func(field string, err error) error { return &DesignError{field, err} }
	if err := d.Units.Check(units); err != nil {
		return fail("units", err)
	}
	if err := d.Ablation.check(); err != nil {
		return fail("ablate", err)
	}
	switch {
	case d.Baseline < 0 || d.Baseline > MaxBaselineDraws:
		return fail("baseline", fmt.Errorf("%d draws, want 0 to %d", d.Baseline, MaxBaselineDraws))
	case d.TopK < 0 || d.TopK > vocab:
		return fail("topk", fmt.Errorf("%d, want 0 to the vocabulary's %d tokens", d.TopK, vocab))
	}
	return nil
}

// Results are a whole run's lesions: the sweep in both modes and, as the design asks, the random
// baseline, the evaluation set and the top-k predictions.
type Results struct {
	Design Design
	// Sweeps are the laminar sweeps, [mode][layer] in Modes order.
	Sweeps [][]LesionResult
	// Baseline holds one entry per layer when Design.Baseline > 0.
	Baseline []Baseline
	// Evaluation is the evaluation set's clean run and Eval its lesions, [mode][layer] in Modes
	// order, when Design.Eval is set.
	Evaluation *Evaluation
	Eval       [][]EvalResult
	// CleanTopK and TopK ([mode][layer]) are the top-k predictions when Design.TopK > 0.
	CleanTopK Predictions
	TopK      [][]Predictions
	Timing    RunTiming
}

// RunTiming records how long Run's phases took.
type RunTiming struct {
	Sweep, Baseline, Eval time.Duration // Sweep includes the top-k predictions
}

// Run computes everything d asks for, layer by layer, reporting the phases PhaseSweep,
// PhaseBaseline, PhaseEvalClean and PhaseEval to progress (which may be nil). The top-k
// predictions are read in the sweep's own passes.
func (s *Study) Run(ctx context.Context, d Design, progress func(Progress)) (*Results, error) {
	if err := d.Check(s.Model.Config.IntermediateSize, s.Model.Config.VocabSize); err != nil {
		return nil, err
	}
	report := func(phase Phase, done int) {
		if progress != nil {
			progress(Progress{Phase: phase, Done: done, Total: len(s.Layers)})
		}
	}
	reqs := d.Requests()
	r := &Results{Design: d}
	var err error
	start := time.Now()
	if d.TopK > 0 {
		// The top-k predictions come from the sweep's own passes.
		r.CleanTopK = s.cleanTopK(d.TopK)
		r.Sweeps, r.TopK = make([][]LesionResult, len(reqs)), make([][]Predictions, len(reqs))
		for l := range s.Layers {
			res, preds, err := s.LesionsTopK(ctx, l, reqs, d.TopK)
			if err != nil {
				return nil, err
			}
			for i := range reqs {
				r.Sweeps[i] = append(r.Sweeps[i], res[i])
				r.TopK[i] = append(r.TopK[i], preds[i])
			}
			report(PhaseSweep, l+1)
		}
	} else if r.Sweeps, err = s.Sweep(ctx, reqs, progress); err != nil {
		return nil, err
	}
	r.Timing.Sweep = time.Since(start)

	if d.Baseline > 0 {
		start = time.Now()
		for l := range s.Layers {
			b, err := s.Baseline(ctx, l, d.Request(MostTuned), d.Baseline)
			if err != nil {
				return nil, err
			}
			r.Baseline = append(r.Baseline, b)
			report(PhaseBaseline, l+1)
		}
		r.Timing.Baseline = time.Since(start)
	}

	if d.Eval != nil {
		start = time.Now()
		if r.Evaluation, err = s.NewEvaluation(ctx, d.Eval, progress); err != nil {
			return nil, err
		}
		r.Eval = make([][]EvalResult, len(reqs))
		for l := range s.Layers {
			for i, req := range reqs {
				e, err := s.Evaluate(ctx, r.Evaluation, l, req)
				if err != nil {
					return nil, err
				}
				r.Eval[i] = append(r.Eval[i], e)
			}
			report(PhaseEval, l+1)
		}
		r.Timing.Eval = time.Since(start)
	}

	return r, nil
}
