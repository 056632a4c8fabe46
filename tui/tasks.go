package tui

import (
	"context"
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

// jobKind is what a background job computes.
type jobKind int

const (
	jobLesion    jobKind = iota // one layer's lesion (Study.Lesion)
	jobTopK                     // the top-k predictions under one layer's lesion (Study.TopK)
	jobCleanTopK                // the clean model's top-k predictions (Study.CleanTopK)
	jobUnit                     // one unit lesioned alone (Study.LesionSets)
	jobLayers                   // the marked layers lesioned together (Study.LesionLayers)
	jobBaseline                 // one layer's random baseline (Study.Baseline)
	jobEvalClean                // the evaluation set's clean traced pass (Study.NewEvaluation)
	jobEval                     // one layer's lesion of the evaluation set (Study.Evaluate)
)

// jobKey names one computation of a study generation: its kind, the t-test variant whose
// selections it uses, and its parameters (the fields its kind does not use are zero).
type jobKey struct {
	kind    jobKind
	variant stats.Kind
	layer   int
	req     engine.Request
	unit    int
	n       int    // a baseline's draws, a top-k's K
	layers  string // the layers of a jobLayers, "3,5,7"
}

// job is one computation the explorer wants, as the root model plans it (plan.go): urgent jobs
// are on screen now and quick, and stop a quick job under way that is not; long jobs (the
// evaluation set's) are never stopped for another, and urgent jobs run beside them instead. run
// computes and returns the result as its typed message, whose jobDone it gets from done.
type job struct {
	key    jobKey
	urgent bool
	long   bool
	run    func(ctx context.Context, done func(error) jobDone) tea.Msg
}

// jobDone is what every job's message carries: the study generation and the job, how long it
// took, and its error.
type jobDone struct {
	gen  int
	key  jobKey
	took time.Duration
	err  error
}

// The jobs' messages, one type a kind of result.
type (
	lesionMsg struct {
		jobDone
		res engine.LesionResult
	}
	topKMsg struct { // jobTopK and jobCleanTopK
		jobDone
		preds engine.Predictions
	}
	setLesionMsg struct { // jobUnit and jobLayers
		jobDone
		res engine.SetLesion
	}
	baselineMsg struct {
		jobDone
		res engine.Baseline
	}
	evalCleanMsg struct {
		jobDone
		ev *engine.Evaluation
	}
	evalMsg struct {
		jobDone
		res engine.EvalResult
	}
)

// jobsIdleMsg says that the job queue has nothing left to do.
type jobsIdleMsg struct{}

// jobQueue runs the explorer's background jobs on two lanes. The main lane takes the jobs in the
// order the explorer wants them (want), one at a time; while it runs a long job, the side lane
// takes the urgent ones beside it. A new list whose first job not yet taken is urgent, and comes
// before the main lane's job, stops that job unless it is long (it is redone later), so that what
// is asked for starts at once. A job is taken once per study generation; the results go to the explorer as their
// messages, and a jobsIdleMsg when there is nothing left to do.
type jobQueue struct {
	mu    sync.Mutex
	wake  chan struct{} // closed and replaced on every change
	out   chan tea.Msg
	idle  chan struct{}
	gen   int
	jobs  []job
	taken map[jobKey]bool
	lanes [2]lane
}

// lane is what one lane is doing.
type lane struct {
	busy    bool
	running job
	stop    func()
}

const (
	mainLane = iota
	sideLane
)

func newJobQueue() *jobQueue {
	return &jobQueue{wake: make(chan struct{}), out: make(chan tea.Msg), idle: make(chan struct{}), taken: map[jobKey]bool{}}
}

// changed wakes the lanes (the caller holds mu).
func (q *jobQueue) changed() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// want replaces the list of jobs wanted for study generation gen, most wanted first.
func (q *jobQueue) want(gen int, jobs []job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if gen != q.gen {
		q.gen, q.taken = gen, map[jobKey]bool{}
	}
	q.jobs = jobs
	l := &q.lanes[mainLane]
	for _, j := range jobs {
		if l.busy && j.key == l.running.key {
			break // the job under way comes first: it goes on
		}
		if !q.taken[j.key] {
			if j.urgent && l.busy && !l.running.long {
				l.stop() // redone later
			}
			break
		}
	}
	q.changed()
}

// pickLocked returns the next job for a lane: the first not taken for the main lane; the first
// urgent one for the side lane, while the main lane runs a long job.
func (q *jobQueue) pickLocked(ln int) (job, bool) {
	if ln == sideLane && !(q.lanes[mainLane].busy && q.lanes[mainLane].running.long) {
		return job{}, false
	}
	for _, j := range q.jobs {
		if !q.taken[j.key] && (ln == mainLane || j.urgent) {
			return j, true
		}
	}
	return job{}, false
}

// pending reports whether the queue has a job to run or one running.
func (q *jobQueue) pending() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.pickLocked(mainLane)
	return ok || q.lanes[mainLane].busy || q.lanes[sideLane].busy
}

// run works lane ln until ctx ends. With nothing to do on either lane, the main lane offers a
// jobsIdleMsg until there is work again.
func (q *jobQueue) run(ctx context.Context, ln int) {
	l := &q.lanes[ln]
	for {
		q.mu.Lock()
		j, ok := q.pickLocked(ln)
		gen, wake := q.gen, q.wake
		jobCtx, stop := context.WithCancel(ctx)
		if ok {
			q.taken[j.key] = true
			l.busy, l.running, l.stop = true, j, stop
			q.changed()
		}
		offer := q.idle
		if ok || ln == sideLane || q.lanes[1-ln].busy {
			offer = nil
		}
		q.mu.Unlock()
		if !ok {
			stop()
			select {
			case <-wake:
			case offer <- struct{}{}:
				select {
				case <-wake:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
			continue
		}
		start := time.Now()
		msg := j.run(jobCtx, func(err error) jobDone { return jobDone{gen: gen, key: j.key, took: time.Since(start), err: err} })
		stopped := jobCtx.Err() != nil && ctx.Err() == nil
		stop()
		if !stopped {
			select {
			case q.out <- msg:
			case <-ctx.Done():
				return
			}
		}
		q.mu.Lock()
		l.busy = false
		if stopped && q.gen == gen { // stopped for another: redo it later
			delete(q.taken, j.key)
		}
		q.changed()
		q.mu.Unlock()
	}
}

// retry makes a failed job computable again.
func (q *jobQueue) retry(k jobKey) {
	q.mu.Lock()
	delete(q.taken, k)
	q.changed()
	q.mu.Unlock()
}

// next is a Cmd that returns the next job's message, or jobsIdleMsg (nil once ctx ends).
func (q *jobQueue) next(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-q.out:
			return msg
		case <-q.idle:
			return jobsIdleMsg{}
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

// exportMsg is the end of an export; left names what it left out, not being complete.
type exportMsg struct {
	gen  int
	dir  string
	left []string
	err  error
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
