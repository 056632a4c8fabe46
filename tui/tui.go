// Package tui is lesionui's explorer: a Bubble Tea terminal UI over an engine.Study. It shows,
// per layer, the units that tell the two contrast words apart (the notebook's Parts 2 and 3)
// with an inspector for one unit, the logits of both words at both masks of the test texts
// with and without a lesion of the selected layer (Parts 4 and 5), and the laminar sweep of
// lesions over every layer for the most- and the least-tuned units (Parts 6 and 7).
//
// The package holds no science: every number comes from engine. The root model (this file)
// routes keys and mouse events to the panes (one file each, with their own update and view),
// lays them out (layout.go) and starts the background work (tasks.go), whose results come back
// as typed messages. Once a study is open every lesion of every layer is computed in the
// background, nearest the selected layer first, so that moving over layers shows results at
// once.
package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
	"lesionui/engine/stats"
)

// Config configures the explorer.
type Config struct {
	// ModelName is how the model is shown.
	ModelName string
	// Demo marks ModelName as lesionui's shipped demo model (shown with a badge).
	Demo bool
	// Open builds the study; it runs in the background while the start-up progress is shown.
	Open OpenFunc
	// OpenDemo, if not nil, is offered ("press d") when Open fails.
	OpenDemo OpenFunc
	// DemoName is ModelName after switching to OpenDemo; "" means "demo model".
	DemoName string
	// InitialLayer is the layer selected first; -1 (or any negative value) means the last.
	InitialLayer int
	// Design is where the lesion controls start (the flags --units, --ablate, --seed, --baseline,
	// --eval and --topk): its units, ablation and seed; Baseline > 0 turns the random baseline on
	// with that many draws; Eval turns the evaluation set on; TopK > 0 shows that many top-k
	// predictions. The zero Design is the notebook's lesion with everything else off.
	Design engine.Design
	// Export writes the report of a study and its results (the sweep of the lesions shown, and
	// the baseline, evaluation set and top-k predictions when they are complete) with the
	// layer-specific figures of layer, and returns the folder; nil means export is unavailable.
	Export func(s *engine.Study, res *engine.Results, layer int) (dir string, err error)
	// Context is the parent of every computation; nil means context.Background().
	Context context.Context
}

// Run runs the explorer full-screen on the terminal until the user quits. It returns the error
// of a failed start-up (after the user has seen it) or of the terminal, and nil on q.
func Run(cfg Config) error {
	adaptToBackground(os.Stdin, os.Stdout)
	m := newModel(cfg)
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion()}
	if cfg.Context != nil {
		opts = append(opts, tea.WithContext(cfg.Context))
	}
	final, err := tea.NewProgram(m, opts...).Run()
	m.shutdown()
	if err != nil {
		if cfg.Context != nil && cfg.Context.Err() != nil {
			return cfg.Context.Err()
		}
		return err
	}
	if fm, ok := final.(*Model); ok && fm.state == stateFailed {
		return fm.openErr
	}
	return nil
}

// New returns the explorer as a tea.Model (for tests, benchmarks and embedding); Run is the
// usual entry. The caller of New should send it a tea.WindowSizeMsg first.
func New(cfg Config) tea.Model { return newModel(cfg) }

type appState int

const (
	stateLoading appState = iota
	stateFailed
	stateReady
)

// variant is the study under one t-test, and its per-layer presentation (made on first use).
// Its results are in the Model's store, under its t-test.
type variant struct {
	study  *engine.Study
	layers []layerView
}

func newVariant(s *engine.Study) *variant {
	return &variant{study: s, layers: make([]layerView, len(s.Layers))}
}

// Model is the explorer's state. Use New or Run.
type Model struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	work   *workers
	queue  *jobQueue
	res    store

	keys          keyMap
	spin          spinner.Model
	spinning      bool
	width, height int
	panes         [numPanes]pane

	state   appState
	name    string // model name shown
	demo    bool   // the model is the shipped demo model
	openErr error
	open    *openTask
	opening openState

	gen         int  // bumps with every opened study; older results are dropped
	waiting     bool // a Cmd waits for the job queue's next message
	variants    map[stats.Kind]*variant
	kind        stats.Kind  // the t-test shown
	pendingKind *stats.Kind // the t-test being computed, if any

	layer      int
	dir        int // last move over layers: -1 up, +1 down
	mode       engine.Mode
	lesionOn   bool
	text       int // test text: 0 clean, 1 and 2 masked
	unit       int // Part 2's unit cursor
	background bool
	controls

	unitMoves  int  // counts the cursor's moves (unit or layer), for unitRestMsg
	unitRested bool // the cursor has rested: its unit's own lesion is wanted

	focus       paneID
	zoom        bool
	help        helpPane
	status      string
	statusBad   bool
	jump        *string // the layer number being typed after ':'
	exportAfter bool    // export once every lesion is there
	exporting   bool
}

func newModel(cfg Config) *Model {
	parent := cfg.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	m := &Model{cfg: cfg, ctx: ctx, cancel: cancel, work: &workers{}, queue: newJobQueue(), res: newStore(), keys: newKeyMap(),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(styles.accent)),
		name: cfg.ModelName, demo: cfg.Demo, lesionOn: true, text: 1, background: true, width: 80, height: 24, dir: -1,
		controls: newControls(cfg.Design)}
	m.panes = [numPanes]pane{paneScatter: scatterPane{}, panePercent: percentPane{}, paneLogits: logitsPane{},
		paneTopK: topKPane{}, paneSweep: sweepPane{}, paneEval: evalPane{}, paneLayers: layersPane{}}
	return m
}

// Init starts opening the study.
func (m *Model) Init() tea.Cmd {
	if m.cfg.Open == nil {
		m.state, m.openErr = stateFailed, errors.New("no model to open (Config.Open is nil)")
		return nil
	}
	return m.startOpen(m.cfg.Open)
}

func (m *Model) startOpen(open OpenFunc) tea.Cmd {
	m.state, m.openErr, m.opening = stateLoading, nil, openState{}
	m.open = startOpen(m.ctx, m.work, open)
	return tea.Batch(m.open.next(), m.startSpinner())
}

// busy reports whether anything waits for a computation.
func (m *Model) busy() bool {
	return m.state == stateLoading || m.pendingKind != nil || m.exporting || m.state == stateReady && m.queue.pending()
}

func (m *Model) startSpinner() tea.Cmd {
	if m.spinning || !m.busy() {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

// variant is the study under the t-test shown (nil before one is open).
func (m *Model) variant() *variant {
	if m.variants == nil {
		return nil
	}
	return m.variants[m.kind]
}

func (m *Model) study() *engine.Study {
	if v := m.variant(); v != nil {
		return v.study
	}
	return nil
}

// jobState says where a job of the study shown stands.
type jobState int

const (
	jobReady jobState = iota
	jobPending
	jobFailed
)

func (m *Model) jobState(k jobKey) jobState {
	switch {
	case m.res.errs[k] != nil:
		return jobFailed
	case m.res.has(k):
		return jobReady
	}
	return jobPending
}

// lesion returns the lesion of layer in mode under the controls shown, if computed.
func (m *Model) lesion(layer int, mode engine.Mode) (engine.LesionResult, bool) {
	r, ok := m.res.lesions[m.lesionKey(layer, mode)]
	return r, ok
}

// Update handles a message; it never blocks.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyMsg:
		at := m.cursor()
		cmd := m.handleKey(msg)
		m.keepFocusShown()
		return m, tea.Batch(cmd, m.afterMove(at), m.afterChange(), m.startSpinner())
	case tea.MouseMsg:
		at := m.cursor()
		cmd := m.handleMouse(msg)
		return m, tea.Batch(cmd, m.afterMove(at), m.afterChange(), m.startSpinner())
	case spinner.TickMsg:
		if !m.busy() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case openProgressMsg:
		if msg.task != m.open {
			return m, nil
		}
		m.opening = msg.state
		return m, msg.task.next()
	case openedMsg:
		if msg.task != m.open {
			return m, nil
		}
		return m, m.opened(msg)
	case lesionMsg:
		return m, m.jobFinished(msg.jobDone, func() {
			m.res.lesions[msg.key] = msg.res
			m.res.took[msg.key] = msg.took.Seconds()
		})
	case topKMsg:
		return m, m.jobFinished(msg.jobDone, func() { m.res.topK[msg.key] = msg.preds })
	case setLesionMsg:
		return m, m.jobFinished(msg.jobDone, func() { m.res.sets[msg.key] = msg.res })
	case baselineMsg:
		return m, m.jobFinished(msg.jobDone, func() { m.res.baselines[msg.key] = msg.res })
	case evalCleanMsg:
		return m, m.jobFinished(msg.jobDone, func() { m.res.evaluation = msg.ev })
	case evalMsg:
		return m, m.jobFinished(msg.jobDone, func() { m.res.evals[msg.key] = msg.res })
	case jobsIdleMsg:
		m.waiting = false
		return m, m.afterChange()
	case unitRestMsg:
		if msg.moves == m.unitMoves && m.state == stateReady {
			m.unitRested = true
			return m, tea.Batch(m.afterChange(), m.startSpinner())
		}
		return m, nil
	case kindMsg:
		return m, tea.Batch(m.handleKind(msg), m.afterChange(), m.startSpinner())
	case exportMsg:
		if msg.gen == m.gen {
			m.exporting = false
			switch {
			case msg.err != nil:
				m.setStatus("export failed: "+msg.err.Error(), true)
			case len(msg.left) > 0:
				m.setStatus(fmt.Sprintf("exported to %s (left out, not computed yet: %s)", msg.dir, strings.Join(msg.left, ", ")), false)
			default:
				m.setStatus("exported to "+msg.dir, false)
			}
		}
		return m, nil
	}
	return m, nil
}

// setStatus shows a message until esc or the next message.
func (m *Model) setStatus(s string, bad bool) { m.status, m.statusBad = s, bad }

// opened installs a freshly opened study, or shows why there is none.
func (m *Model) opened(msg openedMsg) tea.Cmd {
	m.open = nil
	if msg.err == nil && msg.study == nil {
		msg.err = errors.New("opening the model gave no study")
	}
	if msg.err != nil {
		m.state, m.openErr = stateFailed, msg.err
		return nil
	}
	first := m.gen == 0
	m.install(msg.study)
	if first {
		ctx, q := m.ctx, m.queue
		go m.work.run(func() { q.run(ctx, mainLane) })
		go m.work.run(func() { q.run(ctx, sideLane) })
	}
	m.unitRested = true // the cursor was put there, not moved: its unit is wanted at once
	return tea.Batch(m.afterChange(), m.startSpinner())
}

// install shows study s, a new generation of results, with the initial layer selected.
func (m *Model) install(s *engine.Study) {
	m.gen++
	m.state = stateReady
	m.kind = s.Options.Test
	m.variants = map[stats.Kind]*variant{m.kind: newVariant(s)}
	m.res = newStore()
	m.pendingKind = nil
	m.marks = nil
	n := len(s.Layers)
	switch {
	case m.cfg.InitialLayer < 0:
		m.layer = n - 1
	case m.cfg.InitialLayer >= n:
		m.layer = n - 1
		m.setStatus(fmt.Sprintf("layer %d does not exist (the model has %d, 0–%d); showing layer %d", m.cfg.InitialLayer, n, n-1, n-1), true)
	default:
		m.layer = m.cfg.InitialLayer
	}
	if err := m.units.Check(s.Model.Config.IntermediateSize); err != nil {
		m.setStatus(fmt.Sprintf("units %v; showing the significant units", err), true)
		m.units = engine.Significant
	}
	m.k = min(m.k, s.Model.Config.IntermediateSize)
	m.unit = m.mostTunedUnit()
}

// afterChange hands the job queue the plan for what is shown now and, if it has work and
// nobody waits for its results, waits for them.
func (m *Model) afterChange() tea.Cmd {
	if m.state != stateReady {
		return nil
	}
	m.queue.want(m.gen, m.plan())
	if m.waiting || !m.queue.pending() {
		return nil
	}
	m.waiting = true
	return m.queue.next(m.ctx)
}

// jobFinished stores a job's result (store runs when it has one) or its error; results of
// another study are stale. It then plans anew and waits for the next result.
func (m *Model) jobFinished(d jobDone, store func()) tea.Cmd {
	m.waiting = false
	if d.gen != m.gen {
		return m.afterChange()
	}
	if d.err != nil {
		m.res.errs[d.key] = d.err
	} else {
		delete(m.res.errs, d.key)
		store()
	}
	var cmd tea.Cmd
	if m.exportAfter && m.sweepComplete() {
		m.exportAfter = false
		cmd = m.export()
	}
	return tea.Batch(cmd, m.afterChange(), m.startSpinner())
}

// unitRestMsg is the unit cursor's rest timer: moves is the count of moves when it started.
type unitRestMsg struct{ moves int }

// unitRest is how long the cursor must rest before its unit is lesioned alone.
const unitRest = 150 * time.Millisecond

// cursorMoved notes that the unit cursor moved (to another unit or layer): the unit's own
// lesion is wanted once the cursor has rested unitRest there, unless it is computed already.
func (m *Model) cursorMoved() tea.Cmd {
	m.unitMoves++
	m.unitRested = false
	if m.state != stateReady {
		return nil
	}
	if m.res.has(m.unitKey()) {
		m.unitRested = true
		return nil
	}
	moves := m.unitMoves
	return tea.Tick(unitRest, func(time.Time) tea.Msg { return unitRestMsg{moves} })
}

// toggleKind switches between Student's and Welch's t-test, redoing the statistics once.
func (m *Model) toggleKind() tea.Cmd {
	want := stats.Welch
	if m.kind == stats.Welch {
		want = stats.Student
	}
	if m.pendingKind != nil {
		if *m.pendingKind == want {
			return nil
		}
		m.pendingKind = nil // toggled back before the statistics were redone
	}
	if _, ok := m.variants[want]; ok {
		m.kind = want
		m.clampUnit()
		return nil
	}
	m.pendingKind = &want
	gen, base := m.gen, m.study()
	opt := base.Options
	opt.Test = want
	return background(m.work, func() kindMsg {
		s, err := base.WithOptions(opt)
		return kindMsg{gen: gen, kind: want, study: s, err: err}
	}, kindMsg{gen: gen, kind: want, err: context.Canceled})
}

func (m *Model) handleKind(msg kindMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	if msg.err == nil {
		if _, ok := m.variants[msg.kind]; !ok {
			m.variants[msg.kind] = newVariant(msg.study)
		}
	}
	if m.pendingKind == nil || *m.pendingKind != msg.kind {
		return nil // toggled back meanwhile; the study stays for the next w
	}
	m.pendingKind = nil
	if msg.err != nil {
		m.setStatus(fmt.Sprintf("%s t-test failed: %v", msg.kind, msg.err), true)
		return nil
	}
	m.kind = msg.kind
	return nil
}

// sweepComplete reports whether every lesion of the sweep shown is computed.
func (m *Model) sweepComplete() bool {
	p := m.progress()
	return p.done[progLesions] == p.total[progLesions]
}

// export writes the report, once every lesion of the sweep shown is there, with the baseline,
// evaluation set and top-k predictions if they are complete too.
func (m *Model) export() tea.Cmd {
	if m.cfg.Export == nil {
		m.setStatus("export is unavailable in this build", true)
		return nil
	}
	if m.exporting {
		return nil
	}
	if p := m.progress(); !m.sweepComplete() {
		m.exportAfter, m.background = true, true
		m.setStatus(fmt.Sprintf("export: waiting for the last %d lesions of the sweep…", p.total[progLesions]-p.done[progLesions]), false)
		return nil
	}
	m.exporting = true
	m.setStatus("exporting…", false)
	res, left := m.results()
	gen, s, layer, export := m.gen, m.study(), m.layer, m.cfg.Export
	return background(m.work, func() exportMsg {
		dir, err := export(s, res, layer)
		return exportMsg{gen: gen, dir: dir, left: left, err: err}
	}, exportMsg{gen: gen, err: context.Canceled})
}

// results gathers what the export writes: the sweep of the controls shown and, when complete,
// their baseline, evaluation set and top-k predictions; left names what was not complete.
func (m *Model) results() (*engine.Results, []string) {
	s := m.study()
	p := m.progress()
	res := &engine.Results{Design: m.design(), Sweeps: make([][]engine.LesionResult, len(engine.Modes))}
	var took float64
	for i, mode := range engine.Modes {
		for l := range s.Layers {
			k := m.lesionKey(l, mode)
			res.Sweeps[i] = append(res.Sweeps[i], m.res.lesions[k])
			took += m.res.took[k]
		}
	}
	res.Timing.Sweep = time.Duration(took * float64(time.Second))
	var left []string
	if m.baselineOn {
		if p.done[progBaseline] < p.total[progBaseline] {
			left = append(left, fmt.Sprintf("the baseline (%d of %d layers done)", p.done[progBaseline], p.total[progBaseline]))
		} else {
			res.Design.Baseline = m.draws
			for l := range s.Layers {
				res.Baseline = append(res.Baseline, m.res.baselines[m.baselineKey(l)])
			}
		}
	}
	if m.evalOn {
		if p.done[progEval] < p.total[progEval] || m.res.evaluation == nil {
			left = append(left, fmt.Sprintf("the evaluation set (%d of %d lesions done)", p.done[progEval], p.total[progEval]))
		} else {
			res.Design.Eval, res.Evaluation = m.evalSet, m.res.evaluation
			res.Eval = make([][]engine.EvalResult, len(engine.Modes))
			for i, mode := range engine.Modes {
				for l := range s.Layers {
					res.Eval[i] = append(res.Eval[i], m.res.evals[m.evalKey(l, mode)])
				}
			}
		}
	}
	if m.topKOn {
		clean, ok := m.res.topK[m.cleanTopKKey()]
		if p.done[progTopK] < p.total[progTopK] || !ok {
			left = append(left, fmt.Sprintf("the top-k predictions (%d of %d done)", p.done[progTopK], p.total[progTopK]))
		} else {
			res.Design.TopK, res.CleanTopK = m.predK, clean
			res.TopK = make([][]engine.Predictions, len(engine.Modes))
			for i, mode := range engine.Modes {
				for l := range s.Layers {
					res.TopK[i] = append(res.TopK[i], m.res.topK[m.topKKey(l, mode)])
				}
			}
		}
	}
	return res, left
}

// handleKey routes a key: quitting and the start-up states first, then the jump prompt and
// help when open, then the global keys, then the focused pane.
func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if msg.Type == tea.KeyCtrlC || (m.jump == nil && key.Matches(msg, k.Quit)) {
		m.cancel()
		return tea.Quit
	}
	switch m.state {
	case stateLoading:
		return nil
	case stateFailed:
		if key.Matches(msg, k.Demo) && m.cfg.OpenDemo != nil {
			m.name, m.demo = m.cfg.DemoName, true
			if m.name == "" {
				m.name = "demo model"
			}
			return m.startOpen(m.cfg.OpenDemo)
		}
		return nil
	}
	if m.jump != nil {
		return m.jumpKey(msg)
	}
	if m.help.shown {
		return m.help.key(m, msg)
	}
	switch {
	case key.Matches(msg, k.Dismiss):
		switch {
		case m.status != "":
			m.status = ""
		case m.zoom:
			m.zoom = false
		}
	case key.Matches(msg, k.Up):
		m.moveTo(m.layer - 1)
	case key.Matches(msg, k.Down):
		m.moveTo(m.layer + 1)
	case key.Matches(msg, k.Top):
		m.moveTo(0)
	case key.Matches(msg, k.Bottom):
		m.moveTo(len(m.study().Layers) - 1)
	case key.Matches(msg, k.PageUp):
		m.moveTo(m.layer - m.pageSize())
	case key.Matches(msg, k.PageDown):
		m.moveTo(m.layer + m.pageSize())
	case key.Matches(msg, k.Jump):
		s := ""
		m.jump = &s
	case key.Matches(msg, k.Focus):
		m.cycleFocus(1)
	case key.Matches(msg, k.FocusBack):
		m.cycleFocus(-1)
	case key.Matches(msg, k.Zoom):
		m.zoom = !m.zoom
	case key.Matches(msg, k.Mode):
		if m.mode == engine.MostTuned {
			m.mode = engine.LeastTuned
		} else {
			m.mode = engine.MostTuned
		}
	case key.Matches(msg, k.Lesion):
		m.lesionOn = !m.lesionOn
	case key.Matches(msg, k.Text):
		m.text = int(msg.Runes[0] - '1')
	case key.Matches(msg, k.Welch):
		return m.toggleKind()
	case key.Matches(msg, k.Background):
		m.background = !m.background
		if m.background {
			for k := range m.res.errs { // what failed is tried again
				m.queue.retry(k)
				delete(m.res.errs, k)
			}
			m.setStatus("background work on: every layer, nearest the selected one first", false)
		} else {
			m.setStatus("background work off: only what is shown is computed (s turns it on)", false)
		}
	case key.Matches(msg, k.Units):
		m.toggleUnits(m.study().Model.Config.IntermediateSize)
	case key.Matches(msg, k.MoreUnits), key.Matches(msg, k.FewerUnits):
		m.stepK(key.Matches(msg, k.MoreUnits), m.study().Model.Config.IntermediateSize)
	case key.Matches(msg, k.Ablate):
		m.cycleAblation()
	case key.Matches(msg, k.Baseline):
		m.baselineOn = !m.baselineOn
	case key.Matches(msg, k.Eval):
		m.toggleEval()
		if m.evalOn {
			m.showPane(paneEval)
		}
	case key.Matches(msg, k.TopK):
		m.topKOn = !m.topKOn
		if m.topKOn {
			m.showPane(paneTopK)
		}
	case key.Matches(msg, k.Mark):
		if err := m.toggleMark(m.layer, len(m.study().Layers)); err != nil {
			m.setStatus(err.Error(), true)
		}
	case key.Matches(msg, k.ClearMarks):
		m.marks = nil
	case key.Matches(msg, k.Export):
		return m.export()
	case key.Matches(msg, k.Help):
		m.help.shown, m.help.scroll = true, 0
	default:
		cmd, _ := m.panes[m.focus].update(m, msg)
		return cmd
	}
	return nil
}

// jumpKey edits the ':' prompt: digits, backspace, enter jumps, esc cancels.
func (m *Model) jumpKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		m.jump = nil
	case tea.KeyEnter:
		s := *m.jump
		m.jump = nil
		n, err := strconv.Atoi(s)
		last := len(m.study().Layers) - 1
		if err != nil || n < 0 || n > last {
			m.setStatus(fmt.Sprintf("no layer %q: the layers are 0–%d", s, last), true)
			return nil
		}
		m.moveTo(n)
	case tea.KeyBackspace:
		if s := *m.jump; s != "" {
			*m.jump = s[:len(s)-1]
		}
	case tea.KeyRunes:
		for _, r := range msg.Runes {
			if r >= '0' && r <= '9' && len(*m.jump) < 6 {
				*m.jump += string(r)
			}
		}
	}
	return nil
}

// cursor is where the unit cursor is: the layer and the unit.
func (m *Model) cursor() [2]int { return [2]int{m.layer, m.unit} }

// afterMove starts the cursor's rest timer if it moved since at.
func (m *Model) afterMove(at [2]int) tea.Cmd {
	if m.state != stateReady || m.cursor() == at {
		return nil
	}
	return m.cursorMoved()
}

// moveTo selects layer l (clamped).
func (m *Model) moveTo(l int) {
	l = max(0, min(len(m.study().Layers)-1, l))
	switch {
	case l < m.layer:
		m.dir = -1
	case l > m.layer:
		m.dir = 1
	}
	m.layer = l
}

// pageSize is how far pgup/pgdn move: a quarter of the layers, at least one.
func (m *Model) pageSize() int { return max(1, len(m.study().Layers)/4) }

// handleMouse focuses the pane clicked and hands it the event (clicks and the wheel).
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.state != stateReady {
		return nil
	}
	if m.help.shown {
		return m.help.mouse(m, msg)
	}
	lo := m.layout()
	for p := range paneID(numPanes) {
		r := lo.panes[p]
		if !r.has(msg.X, msg.Y) {
			continue
		}
		if leftClick(msg) && p != paneLayers {
			m.focus = p
		}
		if r.h == 1 {
			return nil // a collapsed pane: the click opened it
		}
		cmd, _ := m.panes[p].update(m, paneMouse{x: msg.X - r.x - 1, y: msg.Y - r.y - 1, MouseMsg: msg})
		return cmd
	}
	return nil
}

// leftClick reports whether msg is a press of the left button.
func leftClick(msg tea.MouseMsg) bool {
	return msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft
}

// wheel moves the layer selection for a wheel event, reporting whether it was one.
func (m *Model) wheel(msg tea.MouseMsg) bool {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.moveTo(m.layer - 1)
	case tea.MouseButtonWheelDown:
		m.moveTo(m.layer + 1)
	default:
		return false
	}
	return true
}

// View draws the whole screen.
func (m *Model) View() string { return m.render().String() }

// shutdown cancels every computation and waits briefly for them before the model is closed.
func (m *Model) shutdown() {
	m.cancel()
	if !m.work.close(3 * time.Second) {
		return // a computation ignores cancellation; leave the model mapped
	}
	for _, v := range m.variants {
		if v.study.Model != nil {
			v.study.Model.Close()
			break // every variant shares the same model
		}
	}
}
