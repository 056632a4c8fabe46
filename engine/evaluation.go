package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"lesionui/engine/encoder"
	"lesionui/engine/stats"
	"lesionui/sentences"
)

// Bootstrap settings of the evaluation set's interval.
const (
	// BootstrapResamples is the number of resamples of the items.
	BootstrapResamples = 2000
	// ConfidenceLevel is the level of the percentile interval.
	ConfidenceLevel = 0.95
)

// EvalItem is one item of an evaluation set as the study runs it.
type EvalItem struct {
	Text string
	Word string // the answer
	// Group is the answer's group: 0 for group A's word, 1 for group B's. The item is lesioned at
	// its mask with the units of that word.
	Group        int
	Line         int // line in the evaluation file
	MaskPosition int
	TokenIDs     []int
}

// WordLogits are the logits of an item's answer and of the other group word at its mask.
type WordLogits struct{ Answer, Other float64 }

// Margin is the answer's lead over the other word: positive when the model prefers the answer.
func (w WordLogits) Margin() float64 { return w.Answer - w.Other }

// Evaluation is an evaluation set run once through the clean model, traced, so that each layer's
// lesion re-runs all items from that layer in one pass (Study.Evaluate). It does not depend on the
// statistics: studies that share a model and contrast set (Study.WithOptions) share it. Its trace
// keeps the hidden state of every token entering every layer and the attention output at the
// masks only (the lesions' sites): about 24·2700·1024·4 B = 265 MB for the built-in set on
// bert-large.
type Evaluation struct {
	Set   *sentences.EvalSet
	Items []EvalItem
	Clean []WordLogits
	// AccuracyClean is the share of items whose clean margin is positive.
	AccuracyClean float64

	model *encoder.Model
	trace *encoder.Trace
}

// EvalResult is one lesion's effect on an evaluation set.
type EvalResult struct {
	Layer   int
	Request Request
	// Lesioned are the items' logits under the lesion (an item whose word has no units to change
	// keeps its clean logits).
	Lesioned []WordLogits
	// MarginDelta is the mean over items of the margin's change, clean − lesioned; CI is its
	// percentile bootstrap interval (BootstrapResamples resamples of the items, ConfidenceLevel).
	MarginDelta float64
	CI          [2]float64
	// AccuracyClean and AccuracyLesioned are the shares of items whose margin is positive, and
	// Flips the number of items whose two-word decision changes.
	AccuracyClean, AccuracyLesioned float64
	Flips                           int
}

// ValidateEval checks an evaluation set against the contrast set's group words and the model's
// vocabulary and length, without running the model: file:line errors, all of them.
func ValidateEval(m *encoder.Model, set *sentences.ContrastSet, ev *sentences.EvalSet) error {
	if err := ev.Validate(vocabulary{m}, [2]string{set.A.Word, set.B.Word}); err != nil {
		return err
	}
	var errs []error
	for _, it := range ev.Items {
		if _, err := encodeText(m, it.Text, ev.Name, it.Line); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NewEvaluation validates ev (ValidateEval) and runs its items through the clean model in one
// traced pass, reading both words' logits at every mask. progress may be nil.
func (s *Study) NewEvaluation(ctx context.Context, ev *sentences.EvalSet, progress func(Progress)) (*Evaluation, error) {
	if err := ValidateEval(s.Model, s.Set, ev); err != nil {
		return nil, err
	}
	e := &Evaluation{Set: ev, model: s.Model}
	seqs := make([][]int, len(ev.Items))
	sites := make([]encoder.Site, len(ev.Items))
	for i, it := range ev.Items {
		ids, err := encodeText(s.Model, it.Text, ev.Name, it.Line)
		if err != nil {
			return nil, err
		}
		pos := slices.Index(ids, s.Model.Tokenizer.MaskID())
		e.Items = append(e.Items, EvalItem{Text: it.Text, Word: it.Word, Group: s.groupOf(it.Word), Line: it.Line,
			MaskPosition: pos, TokenIDs: ids})
		seqs[i], sites[i] = ids, encoder.Site{Seq: i, Pos: pos}
	}
	opt := encoder.Options{Logits: sites, Vocab: s.Targets.GroupIDs[:], Trace: true, TraceSites: sites}
	if progress != nil {
		opt.Progress = func(done, total int) { progress(Progress{Phase: PhaseEvalClean, Done: done, Total: total}) }
	}
	res, err := s.Model.Forward(ctx, seqs, opt)
	if err != nil {
		return nil, err
	}
	e.trace = res.Trace
	e.Clean = e.wordLogits(res.Logits, nil)
	e.AccuracyClean = accuracy(e.Clean)
	return e, nil
}

// wordLogits arranges [A, B] logits per item as answer and other; rows lists, per item, its row in
// logits (nil: row i is item i; −1: the item keeps its clean logits).
func (e *Evaluation) wordLogits(logits [][]float32, rows []int) []WordLogits {
	out := make([]WordLogits, len(e.Items))
	for i, it := range e.Items {
		r := i
		if rows != nil {
			r = rows[i]
		}
		if r < 0 {
			out[i] = e.Clean[i]
			continue
		}
		out[i] = WordLogits{Answer: float64(logits[r][it.Group]), Other: float64(logits[r][1-it.Group])}
	}
	return out
}

// Evaluate lesions every item of e in layer with req, each at its mask with the units of its
// answer word, all items in one pass resumed from e's trace, and measures the change of the
// margins. The bootstrap's resamples come from the stream of (req.Seed, layer), so that every
// mode of a layer is resampled alike.
func (s *Study) Evaluate(ctx context.Context, e *Evaluation, layer int, req Request) (EvalResult, error) {
	if e.model != s.Model {
		return EvalResult{}, errors.New("evaluate: the evaluation set was run on another model")
	}
	if err := s.check(req); err != nil {
		return EvalResult{}, fmt.Errorf("evaluate: %w", err)
	}
	sets, err := s.Select(layer, req.Selection)
	if err != nil {
		return EvalResult{}, err
	}
	rows := make([]int, len(e.Items))
	var seqs []int
	var ivs []encoder.Intervention
	var sites []encoder.Site
	for i, it := range e.Items {
		rows[i] = -1
		units := sets[it.Group]
		if len(units) == 0 {
			continue
		}
		site := encoder.Site{Seq: len(seqs), Pos: it.MaskPosition}
		rows[i] = len(seqs)
		seqs = append(seqs, i)
		ivs = append(ivs, s.intervention(layer, site, it.Group, units, req.Ablation))
		sites = append(sites, site)
	}
	var logits [][]float32
	if len(seqs) > 0 {
		res, err := e.trace.Resume(ctx, layer, seqs, encoder.Options{Interventions: ivs, Logits: sites, Vocab: s.Targets.GroupIDs[:]})
		if err != nil {
			return EvalResult{}, err
		}
		logits = res.Logits
	}
	r := EvalResult{Layer: layer, Request: req, Lesioned: e.wordLogits(logits, rows), AccuracyClean: e.AccuracyClean}
	for i, w := range r.Lesioned {
		if !finite(w.Answer) || !finite(w.Other) {
			it := e.Items[i]
			site := fmt.Sprintf("the lesion (%s units, %s) of the evaluation item %q (%s)", req.Mode, req.Ablation, it.Text,
				(&sentences.Error{File: e.Set.Name, Line: it.Line}).Location())
			return EvalResult{}, s.nonFinite(layer, site, w.Answer+w.Other)
		}
	}
	r.AccuracyLesioned = accuracy(r.Lesioned)
	deltas := make([]float64, len(e.Items))
	var sum float64
	for i, c := range e.Clean {
		deltas[i] = c.Margin() - r.Lesioned[i].Margin()
		sum += deltas[i]
		if (c.Margin() > 0) != (r.Lesioned[i].Margin() > 0) {
			r.Flips++
		}
	}
	r.MarginDelta = sum / float64(len(deltas))
	src := newStream(req.Seed, streamBootstrap, layer, 0, 0)
	r.CI = stats.BootstrapMeanCI(deltas, ConfidenceLevel, BootstrapResamples, func(n int) int { return below(src, n) })
	return r, nil
}

// accuracy is the share of items whose margin is positive.
func accuracy(items []WordLogits) float64 {
	right := 0
	for _, w := range items {
		if w.Margin() > 0 {
			right++
		}
	}
	return float64(right) / float64(len(items))
}
