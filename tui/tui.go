// Package tui is lesionui's explorer: a Bubble Tea terminal UI over an engine.Study. It shows,
// per layer, the units that tell the two contrast words apart (the notebook's Parts 2 and 3),
// the logits of both words at both masks of the test texts with and without a lesion of the
// selected layer (Parts 4 and 5), and the laminar sweep of lesions over every layer for the
// most- and the least-tuned units (Parts 6 and 7).
//
// Every computation runs in a tea.Cmd or a background task; results are tagged with what they
// were computed for (study generation, t-test kind, layer, mode) and dropped when stale, so
// Update never blocks.
package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"lesionui/engine"
	"lesionui/engine/stats"
)

// OpenFunc builds a study, reporting its phases to progress; it must return soon after ctx is
// cancelled.
type OpenFunc func(ctx context.Context, progress func(engine.Progress)) (*engine.Study, error)

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
	// Export writes the report of a study and its sweep ([mode][layer], computed in took) and
	// returns the folder;
	// nil means export is unavailable.
	// layer is the selected layer, which the layer-specific figures show.
	Export func(s *engine.Study, sweep [][]engine.LesionResult, took time.Duration, layer int) (dir string, err error)
	// Context is the parent of every computation; nil means context.Background().
	Context context.Context
}

// Run runs the explorer full-screen on the terminal until the user quits. It returns the error
// of a failed start-up (after the user has seen it) or of the terminal, and nil on q.
func Run(cfg Config) error {
	m := newModel(cfg)
	opts := []tea.ProgramOption{tea.WithAltScreen()}
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

// New returns the explorer as a tea.Model (for tests and embedding); Run is the usual entry.
func New(cfg Config) tea.Model { return newModel(cfg) }

type appState int

const (
	stateLoading appState = iota
	stateFailed
	stateReady
)

// pane identifies one of the explorer's panes.
type pane int

const (
	paneScatter pane = iota // t-values of the selected layer (Part 2)
	panePercent             // % significant units per layer (Part 3)
	paneLogits              // clean vs lesioned logits (Parts 4-5)
	paneSweep               // laminar sweep (Parts 6-7)
	paneLayers              // the layer list (always shown)
	numFocus    = 4         // the panes tab cycles through
)

// lesionKey names one lesion of a study.
type lesionKey struct {
	layer int
	mode  engine.Mode
}

// studyView is a study under one t-test kind, with what has been computed on it.
type studyView struct {
	study     *engine.Study
	lesions   map[lesionKey]engine.LesionResult
	lesionErr map[lesionKey]error
	pending   map[lesionKey]bool
	sweep     [][]engine.LesionResult // [mode][layer], engine.Modes order
	sweepTook time.Duration           // how long the sweep ran
	sweepTask *task
	sweepProg engine.Progress
	sweepErr  error
}

func newView(s *engine.Study) *studyView {
	return &studyView{study: s, lesions: map[lesionKey]engine.LesionResult{},
		lesionErr: map[lesionKey]error{}, pending: map[lesionKey]bool{}}
}

// loadStep is a finished start-up phase.
type loadStep struct {
	phase       string
	done, total int
}

// Model is the explorer's state. Use New or Run.
type Model struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	work   *workers

	keys    keyMap
	help    help.Model
	spin    spinner.Model
	bar     progress.Model
	spinOn  bool
	width   int
	height  int
	state   appState
	name    string // model name shown
	demo    bool   // the model is the shipped demo model
	openErr error

	openTask *task
	loadProg engine.Progress
	steps    []loadStep

	gen         int // bumps with every opened study; older results are dropped
	views       map[stats.Kind]*studyView
	kind        stats.Kind  // the t-test shown
	pendingKind *stats.Kind // the t-test being computed, if any

	layer       int
	mode        engine.Mode
	lesionOn    bool
	text        int // test text inspected: 0 clean, 1 and 2 masked
	focus       pane
	showHelp    bool
	status      string
	exportAfter bool // export once the running sweep finishes
	exporting   bool
}

func newModel(cfg Config) *Model {
	parent := cfg.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	h := help.New()
	h.Styles.ShortKey = styles.helpKey
	h.Styles.FullKey = styles.helpKey
	// colorAccentHex and lipgloss.ColorProfile ask the terminal for its background and colours
	// now, before the program owns stdin, where the answer would arrive as key presses.
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(styles.accent))
	bar := progress.New(progress.WithSolidFill(colorAccentHex()), progress.WithColorProfile(lipgloss.ColorProfile()), progress.WithoutPercentage())
	return &Model{cfg: cfg, ctx: ctx, cancel: cancel, work: &workers{}, keys: newKeyMap(), help: h, spin: sp, bar: bar,
		name: cfg.ModelName, demo: cfg.Demo, lesionOn: true, text: 1, width: 80, height: 24}
}

// Init starts opening the study.
func (m *Model) Init() tea.Cmd {
	if m.cfg.Open == nil {
		m.state, m.openErr = stateFailed, errors.New("no model to open (Config.Open is nil)")
		return nil
	}
	return tea.Batch(m.startOpen(m.cfg.Open), m.startSpinner())
}

func (m *Model) startOpen(open OpenFunc) tea.Cmd {
	m.state, m.openErr, m.steps, m.loadProg = stateLoading, nil, nil, engine.Progress{}
	m.openTask = startTask(m.ctx, m.work, func(ctx context.Context, p func(engine.Progress)) (any, error) {
		return open(ctx, p)
	})
	return m.openTask.wait()
}

// busy reports whether anything shown is waiting for a computation.
func (m *Model) busy() bool {
	if m.state == stateLoading || m.pendingKind != nil || m.exporting {
		return true
	}
	v := m.view()
	return v != nil && (v.sweepTask != nil || v.pending[m.key()])
}

func (m *Model) startSpinner() tea.Cmd {
	if m.spinOn || !m.busy() {
		return nil
	}
	m.spinOn = true
	return m.spin.Tick
}

// view is the study under the t-test shown (nil before one is open).
func (m *Model) view() *studyView {
	if m.views == nil {
		return nil
	}
	return m.views[m.kind]
}

func (m *Model) study() *engine.Study {
	if v := m.view(); v != nil {
		return v.study
	}
	return nil
}

func (m *Model) key() lesionKey { return lesionKey{m.layer, m.mode} }

// Messages.

// lesionMsg is the result of one lesion, tagged with what it was computed for.
type lesionMsg struct {
	gen  int
	kind stats.Kind
	key  lesionKey
	res  engine.LesionResult
	err  error
}

// lesionTickMsg starts a lesion once the selection has rested (debounced navigation).
type lesionTickMsg struct {
	gen  int
	kind stats.Kind
	key  lesionKey
}

// kindMsg is a study recomputed under another t-test.
type kindMsg struct {
	gen   int
	kind  stats.Kind
	study *engine.Study
	err   error
}

// exportMsg is the result of an export.
type exportMsg struct {
	gen int
	dir string
	err error
}

// lesionDebounce is how long the selection must rest before its lesion starts.
const lesionDebounce = 120 * time.Millisecond

// Update handles a message; it never blocks.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case spinner.TickMsg:
		if !m.busy() {
			m.spinOn = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case taskMsg:
		return m, m.handleTask(msg)
	case lesionTickMsg:
		if msg.gen == m.gen && msg.kind == m.kind && msg.key == m.key() {
			return m, m.startLesion()
		}
		return m, nil
	case lesionMsg:
		m.handleLesion(msg)
		return m, nil
	case kindMsg:
		return m, m.handleKind(msg)
	case exportMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.exporting = false
		if msg.err != nil {
			m.status = "export failed: " + msg.err.Error()
		} else {
			m.status = "exported to " + msg.dir
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.Quit) {
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
			return tea.Batch(m.startOpen(m.cfg.OpenDemo), m.startSpinner())
		}
		return nil
	}
	m.status = "" // a message lasts until the next key
	s := m.study()
	last := len(s.Layers) - 1
	move := func(to int) tea.Cmd {
		to = max(0, min(last, to))
		if to == m.layer {
			return nil
		}
		m.layer = to
		return m.requestLesion(lesionDebounce)
	}
	switch {
	case key.Matches(msg, k.Up):
		return move(m.layer - 1)
	case key.Matches(msg, k.Down):
		return move(m.layer + 1)
	case key.Matches(msg, k.Top):
		return move(0)
	case key.Matches(msg, k.Bottom):
		return move(last)
	case key.Matches(msg, k.PageUp):
		return move(m.layer - m.pageSize())
	case key.Matches(msg, k.PageDown):
		return move(m.layer + m.pageSize())
	case key.Matches(msg, k.Focus):
		m.focus = (m.focus + 1) % numFocus
	case key.Matches(msg, k.FocusBack):
		m.focus = (m.focus + numFocus - 1) % numFocus
	case key.Matches(msg, k.Mode):
		if m.mode == engine.MostTuned {
			m.mode = engine.LeastTuned
		} else {
			m.mode = engine.MostTuned
		}
		return m.requestLesion(0)
	case key.Matches(msg, k.Lesion):
		m.lesionOn = !m.lesionOn
		return m.requestLesion(0)
	case key.Matches(msg, k.Text):
		m.text = int(msg.Runes[0] - '1')
	case key.Matches(msg, k.Welch):
		return m.toggleKind()
	case key.Matches(msg, k.Sweep):
		return m.startSweep()
	case key.Matches(msg, k.Export):
		return m.export()
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		m.help.ShowAll = m.showHelp
	}
	return nil
}

// pageSize is how far pgup/pgdn move: a quarter of the layers, at least one.
func (m *Model) pageSize() int { return max(1, len(m.study().Layers)/4) }

// opened installs a freshly opened study.
func (m *Model) opened(s *engine.Study) tea.Cmd {
	m.gen++
	m.state = stateReady
	m.kind = s.Options.Test
	m.views = map[stats.Kind]*studyView{m.kind: newView(s)}
	m.pendingKind = nil
	n := len(s.Layers)
	switch {
	case m.cfg.InitialLayer < 0:
		m.layer = n - 1
	case m.cfg.InitialLayer >= n:
		m.layer = n - 1
		m.status = fmt.Sprintf("layer %d does not exist (the model has %d); showing layer %d", m.cfg.InitialLayer, n, n-1)
	default:
		m.layer = m.cfg.InitialLayer
	}
	return m.requestLesion(0)
}

// requestLesion makes sure the lesion shown is computed or on its way; after delay, if the
// selection has not moved on by then.
func (m *Model) requestLesion(delay time.Duration) tea.Cmd {
	v := m.view()
	if v == nil || !m.lesionOn {
		return nil
	}
	k := m.key()
	if _, ok := v.lesions[k]; ok {
		return nil
	}
	if v.pending[k] {
		return m.startSpinner()
	}
	if delay > 0 {
		gen, kind := m.gen, m.kind
		return tea.Tick(delay, func(time.Time) tea.Msg { return lesionTickMsg{gen, kind, k} })
	}
	return m.startLesion()
}

// startLesion computes the lesion shown in a Cmd.
func (m *Model) startLesion() tea.Cmd {
	v := m.view()
	k := m.key()
	if _, ok := v.lesions[k]; ok || v.pending[k] || !m.lesionOn {
		return nil
	}
	v.pending[k] = true
	delete(v.lesionErr, k)
	gen, kind, s, ctx, work := m.gen, m.kind, v.study, m.ctx, m.work
	return tea.Batch(func() tea.Msg {
		msg := lesionMsg{gen: gen, kind: kind, key: k}
		if !work.run(func() { msg.res, msg.err = s.Lesion(ctx, k.layer, engine.Design{}.Request(k.mode)) }) {
			msg.err = context.Canceled
		}
		return msg
	}, m.startSpinner())
}

// handleLesion stores a lesion result of the current study; results of another study are stale.
func (m *Model) handleLesion(msg lesionMsg) {
	if msg.gen != m.gen {
		return
	}
	v := m.views[msg.kind]
	if v == nil {
		return
	}
	delete(v.pending, msg.key)
	switch {
	case errors.Is(msg.err, context.Canceled):
	case msg.err != nil:
		v.lesionErr[msg.key] = msg.err
	default:
		v.lesions[msg.key] = msg.res
	}
}

// toggleKind switches between Student's and Welch's t-test, recomputing the statistics once.
func (m *Model) toggleKind() tea.Cmd {
	want := stats.Welch
	if m.kind == stats.Welch {
		want = stats.Student
	}
	if m.pendingKind != nil {
		if *m.pendingKind == want {
			return nil
		}
		m.pendingKind = nil // toggled back before the recomputation finished
	}
	if _, ok := m.views[want]; ok {
		m.kind = want
		return m.requestLesion(0)
	}
	m.pendingKind = &want
	gen, base := m.gen, m.study()
	opt := base.Options
	opt.Test = want
	var work = m.work
	return tea.Batch(func() tea.Msg {
		msg := kindMsg{gen: gen, kind: want}
		if !work.run(func() { msg.study, msg.err = base.WithOptions(opt) }) {
			msg.err = context.Canceled
		}
		return msg
	}, m.startSpinner())
}

func (m *Model) handleKind(msg kindMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	if msg.err == nil {
		if _, ok := m.views[msg.kind]; !ok {
			m.views[msg.kind] = newView(msg.study)
		}
	}
	if m.pendingKind == nil || *m.pendingKind != msg.kind {
		return nil // toggled back meanwhile; the study stays cached
	}
	m.pendingKind = nil
	if msg.err != nil {
		m.status = fmt.Sprintf("%s t-test failed: %v", msg.kind, msg.err)
		return nil
	}
	m.kind = msg.kind
	return m.requestLesion(0)
}

// startSweep lesions every layer in both modes in the background.
func (m *Model) startSweep() tea.Cmd {
	v := m.view()
	if v.sweepTask != nil {
		return nil
	}
	if v.sweep != nil {
		m.status = "the sweep is done; m switches most/least-tuned"
		return nil
	}
	s := v.study
	v.sweepErr, v.sweepProg = nil, engine.Progress{Phase: "sweep", Total: len(s.Layers)}
	v.sweepTask = startTask(m.ctx, m.work, func(ctx context.Context, p func(engine.Progress)) (any, error) {
		start := time.Now()
		sweep, err := s.Sweep(ctx, engine.Design{}.Requests(), p)
		return timedSweep{sweep, time.Since(start)}, err
	})
	return tea.Batch(v.sweepTask.wait(), m.startSpinner())
}

// timedSweep is the result of the sweep task.
type timedSweep struct {
	sweep [][]engine.LesionResult
	took  time.Duration
}

// export writes the report, running the sweep first when needed.
func (m *Model) export() tea.Cmd {
	if m.cfg.Export == nil {
		m.status = "export is unavailable in this build"
		return nil
	}
	if m.exporting {
		return nil
	}
	v := m.view()
	if v.sweep == nil {
		m.exportAfter = true
		m.status = "export: running the sweep first"
		return m.startSweep()
	}
	m.exporting = true
	m.status = "exporting…"
	gen, s, sweep, took, layer, export, work := m.gen, v.study, v.sweep, v.sweepTook, m.layer, m.cfg.Export, m.work
	return tea.Batch(func() tea.Msg {
		msg := exportMsg{gen: gen}
		if !work.run(func() { msg.dir, msg.err = export(s, sweep, took, layer) }) {
			msg.err = context.Canceled
		}
		return msg
	}, m.startSpinner())
}

// handleTask follows the open and sweep tasks; messages of tasks no longer followed are dropped.
func (m *Model) handleTask(msg taskMsg) tea.Cmd {
	if msg.task == m.openTask && m.state == stateLoading {
		if msg.progress != nil {
			m.loadProgress(*msg.progress)
			return msg.task.wait()
		}
		m.openTask = nil
		s, _ := msg.value.(*engine.Study)
		if msg.err == nil && s == nil {
			msg.err = errors.New("opening the model gave no study")
		}
		if msg.err != nil {
			m.state, m.openErr = stateFailed, msg.err
			return nil
		}
		return m.opened(s)
	}
	for kind, v := range m.views {
		if v.sweepTask != msg.task {
			continue
		}
		if msg.progress != nil {
			v.sweepProg = *msg.progress
			return msg.task.wait()
		}
		v.sweepTask = nil
		if msg.err != nil {
			if !errors.Is(msg.err, context.Canceled) {
				v.sweepErr = msg.err
			}
			m.exportAfter = false
			return nil
		}
		ts := msg.value.(timedSweep)
		v.sweep, v.sweepTook = ts.sweep, ts.took
		m.status = fmt.Sprintf("sweep done: %d layers, most- and least-tuned (%s t)", len(v.sweep[0]), kind)
		for i, mode := range engine.Modes {
			for _, r := range v.sweep[i] {
				v.lesions[lesionKey{r.Layer, mode}] = r
			}
		}
		if m.exportAfter {
			m.exportAfter = false
			if kind == m.kind {
				return m.export()
			}
			m.status = "export cancelled: the t-test changed during the sweep; press e again"
		}
		return nil
	}
	return nil
}

// loadProgress records a start-up progress report, keeping the finished phases.
func (m *Model) loadProgress(p engine.Progress) {
	if prev := m.loadProg; prev.Phase != "" && prev.Phase != p.Phase {
		m.steps = append(m.steps, loadStep{prev.Phase, prev.Done, prev.Total})
	}
	m.loadProg = p
}

// shutdown cancels every computation and waits briefly for them before the models are closed.
func (m *Model) shutdown() {
	m.cancel()
	if !m.work.close(3 * time.Second) {
		return // a computation ignores cancellation; leave the models mapped
	}
	for _, v := range m.views {
		if v.study.Model != nil {
			v.study.Model.Close()
			break // every view shares the same model
		}
	}
}

// task is a background computation that reports progress: the latest report waits in a
// one-slot channel (older ones are dropped), the result in another.
type task struct {
	progress chan engine.Progress
	done     chan taskResult
}

type taskResult struct {
	value any
	err   error
}

// taskMsg is a report of a task: progress, or (progress == nil) its result.
type taskMsg struct {
	task     *task
	progress *engine.Progress
	value    any
	err      error
}

func startTask(ctx context.Context, w *workers, run func(context.Context, func(engine.Progress)) (any, error)) *task {
	t := &task{progress: make(chan engine.Progress, 1), done: make(chan taskResult, 1)}
	report := func(p engine.Progress) {
		for {
			select {
			case t.progress <- p:
				return
			default:
				select { // replace the unread report
				case <-t.progress:
				default:
				}
			}
		}
	}
	go func() {
		var r taskResult
		if !w.run(func() { r.value, r.err = run(ctx, report) }) {
			r.err = context.Canceled
		}
		t.done <- r
	}()
	return t
}

// wait is a Cmd that returns the task's next report.
func (t *task) wait() tea.Cmd {
	return func() tea.Msg {
		select {
		case r := <-t.done:
			return taskMsg{task: t, value: r.value, err: r.err}
		case p := <-t.progress:
			return taskMsg{task: t, progress: &p}
		}
	}
}

// workers counts running computations so that shutdown can wait for them.
type workers struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

// run runs f unless the workers are closed, and reports whether it did.
func (w *workers) run(f func()) bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return false
	}
	w.wg.Add(1)
	w.mu.Unlock()
	defer w.wg.Done()
	f()
	return true
}

// close refuses new computations and waits up to timeout for the running ones; it reports
// whether they all finished.
func (w *workers) close(timeout time.Duration) bool {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}
