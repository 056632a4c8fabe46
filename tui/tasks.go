package tui

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/engine/stats"
	"lesionui/hub"
)

// The explorer's background work. Update never computes: it starts work here and gets every
// result back as one typed message, tagged with what it was computed for (the study's
// generation, the t-test, the layer and mode), so that a result that arrives after the user
// moved on is kept where it belongs or dropped.

// Progress receives the reports of Config.Open while a study opens. Its methods may be called
// from any goroutine. The explorer shows one line per file being downloaded, updated in place,
// then the loading of the model and the study's collection.
type Progress interface {
	// Download reports one file fetched from the Hub: the bytes so far, rate and ETA.
	Download(hub.Progress)
	// Load reports the model being opened (config, tokenizer, weights).
	Load(encoder.LoadProgress)
	// Study reports the study's own work, in layers.
	Study(engine.Progress)
}

// OpenFunc builds a study, reporting how far it has come to progress; it must return soon
// after ctx is cancelled.
type OpenFunc func(ctx context.Context, progress Progress) (*engine.Study, error)

// openState is what the start-up view shows: the latest report of every downloaded file (in
// the order they started), of the loading and of the study.
type openState struct {
	downloads []hub.Progress
	load      *encoder.LoadProgress
	study     *engine.Progress
}

// openTask runs Config.Open and is its Progress: it keeps the latest state of every report and
// wakes the explorer, which draws the state as it is when it gets there (never a backlog).
type openTask struct {
	mu    sync.Mutex
	state openState
	wake  chan struct{} // one slot: there is news
	done  chan openedMsg
}

// openProgressMsg is news from the open: the state at that moment.
type openProgressMsg struct {
	task  *openTask
	state openState
}

// openedMsg is the end of the open: a study, or why there is none.
type openedMsg struct {
	task  *openTask
	study *engine.Study
	err   error
}

func startOpen(ctx context.Context, w *workers, open OpenFunc) *openTask {
	t := &openTask{wake: make(chan struct{}, 1), done: make(chan openedMsg, 1)}
	go func() {
		msg := openedMsg{task: t}
		if !w.run(func() { msg.study, msg.err = open(ctx, t) }) {
			msg.err = context.Canceled
		}
		t.done <- msg
	}()
	return t
}

func (t *openTask) update(f func(*openState)) {
	t.mu.Lock()
	f(&t.state)
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Download implements Progress.
func (t *openTask) Download(p hub.Progress) {
	t.update(func(s *openState) {
		for i := range s.downloads {
			if s.downloads[i].File == p.File {
				s.downloads[i] = p
				return
			}
		}
		s.downloads = append(s.downloads, p)
	})
}

// Load implements Progress.
func (t *openTask) Load(p encoder.LoadProgress) { t.update(func(s *openState) { s.load = &p }) }

// Study implements Progress.
func (t *openTask) Study(p engine.Progress) { t.update(func(s *openState) { s.study = &p }) }

// next is a Cmd that returns the open's next news or its end.
func (t *openTask) next() tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-t.done:
			return msg
		case <-t.wake:
			t.mu.Lock()
			s := t.state
			s.downloads = append([]hub.Progress(nil), s.downloads...)
			t.mu.Unlock()
			return openProgressMsg{task: t, state: s}
		}
	}
}

// lesionKey names one lesion of a study.
type lesionKey struct {
	layer int
	mode  engine.Mode
}

// lesionJob is one lesion of one study and t-test.
type lesionJob struct {
	gen  int
	kind stats.Kind
	key  lesionKey
}

// lesionMsg is one computed lesion.
type lesionMsg struct {
	gen  int
	kind stats.Kind
	key  lesionKey
	res  engine.LesionResult
	err  error
	took time.Duration
}

// lesionsIdleMsg says that the lesion queue has nothing left to do.
type lesionsIdleMsg struct{}

// lesionQueue computes lesions one at a time on its own goroutine: the one shown first, then,
// while background work is on, every other lesion of the study shown, both modes, nearest the
// selected layer first. A lesion is computed once per study and t-test; the results go to
// the explorer as lesionMsgs, and a lesionsIdleMsg when there is nothing left to do. Moving the
// selection reorders what is left at once, and to a lesion not computed yet stops the one being
// computed (it is redone later), so that the lesion asked for starts without waiting.
type lesionQueue struct {
	mu      sync.Mutex
	wake    chan struct{}
	out     chan lesionMsg
	idle    chan struct{}
	busy    bool      // a lesion is being computed:
	running lesionJob // this one,
	stop    func()    // which this stops
	gen     int
	kind    stats.Kind
	study   *engine.Study
	focus   lesionKey
	dir     int  // direction of the last move: ties between layers above and below go that way
	shown   bool // the focus is shown (lesion on): compute it even without background work
	all     bool // background work on
	sent    map[stats.Kind]map[lesionKey]bool
}

func newLesionQueue() *lesionQueue {
	return &lesionQueue{wake: make(chan struct{}, 1), out: make(chan lesionMsg), idle: make(chan struct{}), dir: -1}
}

// show tells the queue which study is shown, what is selected and whether its lesion is shown.
func (q *lesionQueue) show(gen int, kind stats.Kind, s *engine.Study, focus lesionKey, dir int, shown, all bool) {
	q.mu.Lock()
	if gen != q.gen || q.sent == nil {
		q.sent = map[stats.Kind]map[lesionKey]bool{}
	}
	if q.sent[kind] == nil {
		q.sent[kind] = map[lesionKey]bool{}
	}
	q.gen, q.kind, q.study, q.focus, q.shown, q.all = gen, kind, s, focus, shown, all
	if dir != 0 {
		q.dir = dir
	}
	if want := (lesionJob{gen, kind, focus}); q.busy && shown && q.running != want && !q.sent[kind][focus] {
		q.stop()
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pick returns the next lesion to compute: the focus, else (all) the nearest layer's, the
// focus's mode before the other, ties towards the direction of the last move.
func (q *lesionQueue) pick() (lesionKey, bool) {
	if q.study == nil {
		return lesionKey{}, false
	}
	sent := q.sent[q.kind]
	if q.shown && !sent[q.focus] {
		return q.focus, true
	}
	if !q.all {
		return lesionKey{}, false
	}
	other := engine.MostTuned
	if q.focus.mode == engine.MostTuned {
		other = engine.LeastTuned
	}
	n := len(q.study.Layers)
	for d := 0; d < n; d++ {
		for _, l := range []int{q.focus.layer + d*q.dir, q.focus.layer - d*q.dir} {
			if l < 0 || l >= n {
				continue
			}
			for _, mode := range []engine.Mode{q.focus.mode, other} {
				if k := (lesionKey{l, mode}); !sent[k] {
					return k, true
				}
			}
		}
	}
	return lesionKey{}, false
}

// pending reports whether the queue has a lesion to compute or one being computed.
func (q *lesionQueue) pending() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.pick()
	return ok || q.busy
}

// run computes lesions until ctx ends. With nothing to do it offers a lesionsIdleMsg until
// there is work again.
func (q *lesionQueue) run(ctx context.Context) {
	for {
		q.mu.Lock()
		k, ok := q.pick()
		gen, kind, s := q.gen, q.kind, q.study
		jobCtx, stop := context.WithCancel(ctx)
		if ok {
			q.sent[kind][k] = true
			q.running, q.stop = lesionJob{gen, kind, k}, stop
		}
		q.busy = ok
		q.mu.Unlock()
		if !ok {
			stop()
			select {
			case <-q.wake:
			case q.idle <- struct{}{}:
				select {
				case <-q.wake:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
			continue
		}
		start := time.Now()
		res, err := s.Lesion(jobCtx, k.layer, engine.Design{}.Request(k.mode))
		stop()
		if errors.Is(err, context.Canceled) && ctx.Err() == nil { // stopped for another: redo it later
			q.mu.Lock()
			delete(q.sent[kind], k)
			q.busy = false
			q.mu.Unlock()
			continue
		}
		msg := lesionMsg{gen: gen, kind: kind, key: k, res: res, err: err, took: time.Since(start)}
		select {
		case q.out <- msg:
		case <-ctx.Done():
			return
		}
	}
}

// retry makes a failed lesion computable again.
func (q *lesionQueue) retry(kind stats.Kind, k lesionKey) {
	q.mu.Lock()
	delete(q.sent[kind], k)
	q.mu.Unlock()
}

// next is a Cmd that returns the next computed lesion, or lesionsIdleMsg (nil once ctx ends).
func (q *lesionQueue) next(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-q.out:
			return msg
		case <-q.idle:
			return lesionsIdleMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// kindMsg is a study redone under another t-test.
type kindMsg struct {
	gen   int
	kind  stats.Kind
	study *engine.Study
	err   error
}

// exportMsg is the end of an export.
type exportMsg struct {
	gen int
	dir string
	err error
}

// background runs f as a Cmd on w (a cancelled msg when the workers are closed).
func background[M tea.Msg](w *workers, f func() M, cancelled M) tea.Cmd {
	return func() tea.Msg {
		var msg M
		if !w.run(func() { msg = f() }) {
			return cancelled
		}
		return msg
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
