package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"lesionui/engine"
	"lesionui/sentences"
)

// The study beyond the notebook (issue 13): the random baseline's batched draws and the
// evaluation set, timed on the same model in the same process as the collection, so that their
// GFLOP/s can be set against the collection's.
//
// GFLOP counts the encoder work a resumed pass does, by the collection's convention
// (encoderFLOP: the six matrix products and attention, every layer counted in full): the MLP of
// the lesioned layer L at the lesioned rows, 2·rows·2·H·I, plus layers L+1 … N−1 on the re-run
// sequences. The evaluation set's clean pass counts all N layers on its items.

// baselineDraws is the --baseline the benchmark times.
const baselineDraws = 20

// scienceBench is what measureScience timed.
type scienceBench struct {
	BaselineDraws  int     `json:"baseline_draws"`
	Baseline       float64 `json:"baseline_s"` // Study.Baseline for every layer
	BaselineGFLOP  float64 `json:"baseline_gflop"`
	BaselineGFLOPS float64 `json:"baseline_gflops"`
	EvalItems      int     `json:"eval_items"`
	EvalTokens     int     `json:"eval_tokens"`
	EvalClean      float64 `json:"eval_clean_s"` // NewEvaluation: the traced clean pass
	EvalCleanGFLOP float64 `json:"eval_clean_gflop"`
	EvalLesions    float64 `json:"eval_lesions_s"` // Study.Evaluate, both modes, every layer
	EvalGFLOP      float64 `json:"eval_gflop"`
	EvalGFLOPS     float64 `json:"eval_gflops"`
	PeakRSSMB      float64 `json:"peak_rss_mb"` // after the evaluation set: its trace is the largest allocation
}

// measureScience times the random baseline (baselineDraws draws per layer, the notebook's units
// zeroed) and the built-in evaluation set in both modes on s.
func measureScience(ctx context.Context, s *engine.Study) (*scienceBench, error) {
	c := s.Model.Config
	H, I, N := c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers
	// resumed is the FLOP of a pass resumed from layer l over sequences of the given lengths,
	// rows of them lesioned.
	resumed := func(l, rows int, lengths []int) float64 {
		tokens, sq := 0, 0
		for _, n := range lengths {
			tokens += n
			sq += n * n
		}
		return 4*float64(rows)*float64(H)*float64(I) + encoderFLOP(N-1-l, H, I, tokens, sq)
	}
	b := &scienceBench{BaselineDraws: baselineDraws}
	req := engine.Design{}.Request(engine.MostTuned)
	start := time.Now()
	for l := range N {
		bl, err := s.Baseline(ctx, l, req, baselineDraws)
		if err != nil {
			return nil, err
		}
		var lengths []int
		for _, r := range append([]engine.LesionResult{bl.Most}, bl.Draws...) {
			for k, units := range r.Units {
				if len(units) > 0 {
					lengths = append(lengths, len(s.Targets.TestIDs[k+1]))
				}
			}
		}
		b.BaselineGFLOP += resumed(l, len(lengths), lengths) / 1e9
	}
	b.Baseline = time.Since(start).Seconds()
	b.BaselineGFLOPS = b.BaselineGFLOP / b.Baseline

	set := sentences.BuiltinEval()
	start = time.Now()
	e, err := s.NewEvaluation(ctx, set, nil)
	if err != nil {
		return nil, err
	}
	b.EvalClean = time.Since(start).Seconds()
	var all []int
	for _, it := range e.Items {
		all = append(all, len(it.TokenIDs))
		b.EvalTokens += len(it.TokenIDs)
	}
	b.EvalItems = len(e.Items)
	b.EvalCleanGFLOP = resumed(-1, 0, all) / 1e9
	start = time.Now()
	for l := range N {
		for _, req := range (engine.Design{}).Requests() {
			if _, err := s.Evaluate(ctx, e, l, req); err != nil {
				return nil, err
			}
			sets, err := s.Select(l, req.Selection)
			if err != nil {
				return nil, err
			}
			var lengths []int
			for _, it := range e.Items {
				if len(sets[it.Group]) > 0 {
					lengths = append(lengths, len(it.TokenIDs))
				}
			}
			b.EvalGFLOP += resumed(l, len(lengths), lengths) / 1e9
		}
	}
	b.EvalLesions = time.Since(start).Seconds()
	b.EvalGFLOPS = b.EvalGFLOP / b.EvalLesions
	b.PeakRSSMB, err = peakRSSMB()
	return b, err
}

// finishScience adds the targets: the baseline's and the evaluation set's lesions at no
// less than 80 % of the collection's GFLOP/s.
func (r *report) finishScience() {
	g, sc := r.Lesionui, r.Lesionui.Science
	if sc == nil {
		return
	}
	for _, t := range []struct {
		name   string
		gflops float64
	}{{"baseline", sc.BaselineGFLOPS}, {"eval", sc.EvalGFLOPS}} {
		ratio := t.gflops / g.GFLOPS
		r.Targets = append(r.Targets, target{t.name + " GFLOP/s", ratio, "≥ 0.8× collect", ratio >= 0.8})
	}
}

// printScience prints the baseline's and the evaluation set's timings next to the collection's.
func (r *report) printScience(w io.Writer) {
	g, sc := r.Lesionui, r.Lesionui.Science
	if sc == nil {
		return
	}
	verdict := func(name string) string {
		if _, v := r.targetOf(name); v != "" {
			return v
		}
		return "-"
	}
	fmt.Fprintf(w, "\nbeyond the notebook (lesionui, same process; GFLOP/s against the collection's %.1f):\n", g.GFLOPS)
	fmt.Fprintf(w, "  random baseline, %d draws x %d layers (one resumed pass per layer): %.2f s, %.0f GFLOP, %.1f GFLOP/s = %.2fx collect, target >= 0.8: %s\n",
		sc.BaselineDraws, len(g.Significant), sc.Baseline, sc.BaselineGFLOP, sc.BaselineGFLOPS, sc.BaselineGFLOPS/g.GFLOPS, verdict("baseline GFLOP/s"))
	fmt.Fprintf(w, "  evaluation set, clean traced pass (%d items, %d tokens): %.2f s, %.1f GFLOP/s\n",
		sc.EvalItems, sc.EvalTokens, sc.EvalClean, sc.EvalCleanGFLOP/sc.EvalClean)
	fmt.Fprintf(w, "  evaluation set, both modes x %d layers (one resumed pass each): %.2f s, %.0f GFLOP, %.1f GFLOP/s = %.2fx collect, target >= 0.8: %s\n",
		len(g.Significant), sc.EvalLesions, sc.EvalGFLOP, sc.EvalGFLOPS, sc.EvalGFLOPS/g.GFLOPS, verdict("eval GFLOP/s"))
	fmt.Fprintf(w, "  peak RSS after the evaluation set (its trace: 2 x layers x tokens x hidden floats): %.0f MiB\n", sc.PeakRSSMB)
}
