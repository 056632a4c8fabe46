package tui

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
)

// The plan: what the explorer wants computed, most wanted first, made anew after every change
// and handed to the job queue (tasks.go). First what is on screen now (urgent): the selected
// layer's lesion in the mode shown, the marked layers' lesion, the unit under a resting cursor,
// the top-k predictions shown; then what is shown but slow (the selected layer's baseline and
// evaluation); then, while background work is on, the same for every layer, nearest the
// selected one first: the lesions of both modes (the sweep), their top-k predictions, the random
// baseline and the evaluation set. Everything already computed (or failed) is left out.

// store holds every result of the study shown, by job (the key names the t-test variant whose
// selections a result uses; those that use none are under the zero variant).
type store struct {
	lesions    map[jobKey]engine.LesionResult
	topK       map[jobKey]engine.Predictions
	sets       map[jobKey]engine.SetLesion
	baselines  map[jobKey]engine.Baseline
	evals      map[jobKey]engine.EvalResult
	evaluation *engine.Evaluation
	// evalProgress counts the layers the evaluation set's clean pass has done: the job writes it
	// as it goes, the view reads it (at the spinner's ticks).
	evalProgress *atomic.Int32
	errs         map[jobKey]error
	took         map[jobKey]float64 // seconds each lesion took, for the exported record
}

func newStore() store {
	return store{lesions: map[jobKey]engine.LesionResult{}, topK: map[jobKey]engine.Predictions{}, sets: map[jobKey]engine.SetLesion{},
		baselines: map[jobKey]engine.Baseline{}, evals: map[jobKey]engine.EvalResult{}, evalProgress: new(atomic.Int32), errs: map[jobKey]error{},
		took: map[jobKey]float64{}}
}

// has reports whether job k is done: computed, or failed.
func (st *store) has(k jobKey) bool {
	if st.errs[k] != nil {
		return true
	}
	switch k.kind {
	case jobLesion:
		_, ok := st.lesions[k]
		return ok
	case jobTopK, jobCleanTopK:
		_, ok := st.topK[k]
		return ok
	case jobUnit, jobLayers:
		_, ok := st.sets[k]
		return ok
	case jobBaseline:
		_, ok := st.baselines[k]
		return ok
	case jobEvalClean:
		return st.evaluation != nil
	}
	_, ok := st.evals[k]
	return ok
}

// The keys of the results the panes read, for the variant shown.

func (m *Model) lesionKey(layer int, mode engine.Mode) jobKey {
	return jobKey{kind: jobLesion, variant: m.kind, layer: layer, req: m.request(mode)}
}

func (m *Model) topKKey(layer int, mode engine.Mode) jobKey {
	return jobKey{kind: jobTopK, variant: m.kind, layer: layer, req: m.request(mode), n: m.predK}
}

func (m *Model) cleanTopKKey() jobKey { return jobKey{kind: jobCleanTopK, n: m.predK} }

func (m *Model) unitKey() jobKey {
	return jobKey{kind: jobUnit, layer: m.layer, unit: m.unit, req: engine.Request{Ablation: m.ablation}}
}

func (m *Model) layersKey() jobKey {
	return jobKey{kind: jobLayers, variant: m.kind, req: m.request(m.mode), layers: m.markedKey()}
}

func (m *Model) baselineKey(layer int) jobKey {
	return jobKey{kind: jobBaseline, variant: m.kind, layer: layer, req: m.request(engine.MostTuned), n: m.draws}
}

func (m *Model) evalKey(layer int, mode engine.Mode) jobKey {
	return jobKey{kind: jobEval, variant: m.kind, layer: layer, req: m.request(mode)}
}

var evalCleanKey = jobKey{kind: jobEvalClean}

// markedKey names the marked layers, "3,5,7" ("" when none is marked).
func (m *Model) markedKey() string {
	var ls []string
	for _, l := range m.markedLayers() {
		ls = append(ls, strconv.Itoa(l))
	}
	return strings.Join(ls, ",")
}

// parseLayers reads a markedKey.
func parseLayers(s string) []int {
	var ls []int
	for _, f := range strings.Split(s, ",") {
		if l, err := strconv.Atoi(f); err == nil {
			ls = append(ls, l)
		}
	}
	return ls
}

// jobFor is the job computing k on study s.
func (m *Model) jobFor(s *engine.Study, k jobKey) job {
	j := job{key: k}
	switch k.kind {
	case jobLesion:
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			r, err := s.Lesion(ctx, k.layer, k.req)
			return lesionMsg{done(err), r}
		}
	case jobTopK:
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			p, err := s.TopK(ctx, k.layer, []engine.Request{k.req}, k.n)
			var r engine.Predictions
			if err == nil {
				r = p[0]
			}
			return topKMsg{done(err), r}
		}
	case jobCleanTopK:
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			p, err := s.CleanTopK(k.n)
			return topKMsg{done(err), p}
		}
	case jobUnit:
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			r, err := s.LesionSets(ctx, []engine.LayerUnits{{Layer: k.layer, Units: [2][]int{{k.unit}, {k.unit}}}}, k.req.Ablation)
			return setLesionMsg{done(err), r}
		}
	case jobLayers:
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			r, err := s.LesionLayers(ctx, parseLayers(k.layers), k.req)
			return setLesionMsg{done(err), r}
		}
	case jobBaseline:
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			r, err := s.Baseline(ctx, k.layer, k.req, k.n)
			return baselineMsg{done(err), r}
		}
	case jobEvalClean:
		set, prog := m.evalSet, m.res.evalProgress
		j.long = true
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			ev, err := s.NewEvaluation(ctx, set, func(p engine.Progress) { prog.Store(int32(p.Done)) })
			return evalCleanMsg{done(err), ev}
		}
	case jobEval:
		ev := m.res.evaluation
		j.long = true
		j.run = func(ctx context.Context, done func(error) jobDone) tea.Msg {
			r, err := s.Evaluate(ctx, ev, k.layer, k.req)
			return evalMsg{done(err), r}
		}
	}
	return j
}

// nearest lists the layers from the selected one outwards, ties towards the last move.
func (m *Model) nearest() []int {
	n := len(m.study().Layers)
	out := make([]int, 0, n)
	for d := 0; d < n; d++ {
		for i, l := range []int{m.layer + d*m.dir, m.layer - d*m.dir} {
			if l >= 0 && l < n && (d > 0 || i == 0) {
				out = append(out, l)
			}
		}
	}
	return out
}

// modes are the sweep's modes, the one shown first.
func (m *Model) modes() []engine.Mode {
	if m.mode == engine.LeastTuned {
		return []engine.Mode{engine.LeastTuned, engine.MostTuned}
	}
	return []engine.Mode{engine.MostTuned, engine.LeastTuned}
}

// plan is the list of jobs wanted now, most wanted first, without those already done.
func (m *Model) plan() []job {
	s := m.study()
	var jobs []job
	planned := map[jobKey]bool{}
	add := func(k jobKey, urgent bool) {
		if !m.res.has(k) && !planned[k] {
			planned[k] = true
			j := m.jobFor(s, k)
			j.urgent = urgent && !j.long
			jobs = append(jobs, j)
		}
	}
	evalReady := m.evalOn && m.res.evaluation != nil
	if m.lesionOn {
		if m.markedKey() != "" {
			add(m.layersKey(), true)
		}
		add(m.lesionKey(m.layer, m.mode), true)
	}
	if m.unitRested {
		add(m.unitKey(), true)
	}
	if m.topKOn {
		add(m.cleanTopKKey(), true)
		if m.lesionOn {
			add(m.topKKey(m.layer, m.mode), true)
		}
	}
	for _, mode := range m.modes() { // the sweep's numbers of the selected layer
		add(m.lesionKey(m.layer, mode), false)
	}
	if m.baselineOn {
		add(m.baselineKey(m.layer), false)
	}
	if m.evalOn {
		add(evalCleanKey, false)
		if evalReady {
			for _, mode := range m.modes() {
				add(m.evalKey(m.layer, mode), false)
			}
		}
	}
	if !m.background {
		return jobs
	}
	near := m.nearest()
	for _, l := range near {
		for _, mode := range m.modes() {
			add(m.lesionKey(l, mode), false)
		}
	}
	if m.topKOn {
		for _, l := range near {
			for _, mode := range m.modes() {
				add(m.topKKey(l, mode), false)
			}
		}
	}
	if m.baselineOn {
		for _, l := range near {
			add(m.baselineKey(l), false)
		}
	}
	if evalReady {
		for _, l := range near {
			for _, mode := range m.modes() {
				add(m.evalKey(l, mode), false)
			}
		}
	}
	return jobs
}

// progress counts what the background work has done of what the settings shown ask for, per
// kind: the sweep's lesions, the top-k predictions, the baseline's layers and the evaluation set's
// lesions (total 0 when that kind is off).
type progress struct{ done, total [4]int }

const (
	progLesions = iota
	progTopK
	progBaseline
	progEval
)

func (m *Model) progress() progress {
	var p progress
	count := func(i int, k jobKey) {
		p.total[i]++
		if m.res.has(k) {
			p.done[i]++
		}
	}
	for l := range m.study().Layers {
		for _, mode := range engine.Modes {
			count(progLesions, m.lesionKey(l, mode))
			if m.topKOn {
				count(progTopK, m.topKKey(l, mode))
			}
			if m.evalOn {
				count(progEval, m.evalKey(l, mode))
			}
		}
		if m.baselineOn {
			count(progBaseline, m.baselineKey(l))
		}
	}
	return p
}

// complete reports whether every job of the background work is done.
func (p progress) complete() bool { return p.done == p.total }
