package tui

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
)

// installed is an explorer showing s at layer, nothing computed and no job run.
func installed(t *testing.T, s *engine.Study, cfg Config, layer int) *Model {
	t.Helper()
	m := newModel(cfg)
	t.Cleanup(m.cancel)
	m.install(s)
	m.layer = layer
	return m
}

// lesionOrder is the order of the plan's lesion jobs.
func lesionOrder(jobs []job) []jobKey {
	var ks []jobKey
	for _, j := range jobs {
		if j.key.kind == jobLesion {
			ks = append(ks, j.key)
		}
	}
	return ks
}

func TestPlanNearestFirst(t *testing.T) {
	s := deepStudy(t)
	m := installed(t, s, Config{Design: engine.Design{TopK: 5}}, 10)
	m.dir, m.mode = 1, engine.LeastTuned
	jobs := m.plan()
	if jobs[0].key != m.lesionKey(10, engine.LeastTuned) || !jobs[0].urgent {
		t.Fatalf("first job %+v, want the lesion shown, urgent", jobs[0].key)
	}
	if jobs[1].key != m.cleanTopKKey() || jobs[2].key != m.topKKey(10, engine.LeastTuned) || !jobs[2].urgent {
		t.Errorf("then %+v %+v, want the top-k shown", jobs[1].key, jobs[2].key)
	}
	want := []jobKey{m.lesionKey(10, engine.LeastTuned), m.lesionKey(10, engine.MostTuned), m.lesionKey(11, engine.LeastTuned),
		m.lesionKey(11, engine.MostTuned), m.lesionKey(9, engine.LeastTuned), m.lesionKey(9, engine.MostTuned)}
	order := lesionOrder(jobs)
	if len(order) != 2*len(s.Layers) {
		t.Fatalf("%d lesion jobs, want %d", len(order), 2*len(s.Layers))
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("lesion order %v, want %v first", order[:6], want)
		}
	}
	for _, j := range jobs[3:] {
		if j.urgent {
			t.Errorf("background job %+v is urgent", j.key)
		}
	}
	// Computed results leave the plan; the user jumps to layer 0 going up.
	m.res.lesions[m.lesionKey(0, engine.MostTuned)] = engine.LesionResult{}
	m.layer, m.dir, m.mode = 0, -1, engine.MostTuned
	order = lesionOrder(m.plan())
	if order[0] != m.lesionKey(0, engine.LeastTuned) || order[1].layer != 1 || len(order) != 2*len(s.Layers)-1 {
		t.Errorf("after the jump: %v", order[:3])
	}
	for i := 1; i < len(order); i++ {
		if order[i].layer < order[i-1].layer {
			t.Fatalf("from layer 0 the order goes back: %v", order)
		}
	}
	// Other settings and t-tests have results of their own.
	m.toggleUnits(s.Model.Config.IntermediateSize)
	if n := len(lesionOrder(m.plan())); n != 2*len(s.Layers) {
		t.Errorf("top=K: %d lesions planned, want all %d", n, 2*len(s.Layers))
	}
}

func TestPlanOfEverything(t *testing.T) {
	s := deepStudy(t)
	m := installed(t, s, Config{Design: engine.Design{TopK: 3, Baseline: 4}}, 5)
	m.toggleEval()
	if err := m.toggleMark(2, len(s.Layers)); err != nil {
		t.Fatal(err)
	}
	m.toggleMark(7, len(s.Layers))
	m.unitRested = true
	count := map[jobKind]int{}
	var first []jobKind
	for _, j := range m.plan() {
		count[j.key.kind]++
		if j.urgent {
			first = append(first, j.key.kind)
		}
		if j.long != (j.key.kind == jobEvalClean || j.key.kind == jobEval) {
			t.Errorf("%+v: long %v", j.key, j.long)
		}
	}
	n := len(s.Layers)
	want := map[jobKind]int{jobLesion: 2 * n, jobTopK: 2 * n, jobCleanTopK: 1, jobUnit: 1, jobLayers: 1, jobBaseline: n, jobEvalClean: 1}
	for k, c := range want {
		if count[k] != c {
			t.Errorf("%d jobs of kind %d, want %d", count[k], k, c)
		}
	}
	if count[jobEval] != 0 {
		t.Error("evaluation lesions planned before the clean pass")
	}
	if len(first) != 5 || first[0] != jobLayers {
		t.Errorf("urgent jobs %v, want the marked layers' lesion first, then the layer's, the unit's and the top-k", first)
	}
	if k := m.layersKey(); k.layers != "2,7" {
		t.Errorf("marked layers %q", k.layers)
	}
	m.res.evaluation = &engine.Evaluation{}
	m.background = false
	count = map[jobKind]int{}
	for _, j := range m.plan() {
		count[j.key.kind]++
	}
	if count[jobEval] != 2 || count[jobLesion] != 2 || count[jobBaseline] != 1 || count[jobTopK] != 1 {
		t.Errorf("background off: %v, want only the selected layer's", count)
	}
}

// fakeJob is a job that reports its start and runs until release is closed or it is stopped.
func fakeJob(k int, urgent, long bool, started chan<- int, release <-chan struct{}) job {
	return job{key: jobKey{layer: k}, urgent: urgent, long: long, run: func(ctx context.Context, done func(error) jobDone) tea.Msg {
		started <- k
		select {
		case <-release:
		case <-ctx.Done():
			return lesionMsg{jobDone: done(ctx.Err())}
		}
		return lesionMsg{jobDone: done(nil)}
	}}
}

func TestJobQueueStopsForUrgentJobs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := newJobQueue()
	go q.run(ctx, mainLane)
	go q.run(ctx, sideLane)
	started := make(chan int, 10)
	release := make(chan struct{})
	wait := func(want int) {
		t.Helper()
		select {
		case k := <-started:
			if k != want {
				t.Fatalf("job %d started, want %d", k, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("job %d did not start", want)
		}
	}
	quick, long, urgent := fakeJob(1, false, false, started, release), fakeJob(2, false, true, started, release), fakeJob(3, true, false, started, release)
	q.want(1, []job{quick, long})
	wait(1)
	// An urgent job stops the quick one, which is redone after it.
	q.want(1, []job{urgent, quick, long})
	wait(3)
	close(release)
	got := map[int]bool{}
	for range 3 {
		msg := q.next(ctx)().(lesionMsg)
		if msg.err != nil {
			t.Fatalf("job %d: %v", msg.key.layer, msg.err)
		}
		got[msg.key.layer] = true
	}
	wait(1)
	wait(2)
	if !got[1] || !got[2] || !got[3] {
		t.Errorf("results of %v, want jobs 1, 2 and 3", got)
	}
	if _, ok := q.next(ctx)().(jobsIdleMsg); !ok || q.pending() {
		t.Error("the queue is not idle with every job done")
	}
	// An urgent job under way is not stopped for one planned after it.
	started, release = make(chan int, 10), make(chan struct{})
	first, second := fakeJob(6, true, false, started, release), fakeJob(7, true, false, started, release)
	q.want(1, []job{first})
	wait(6)
	q.want(1, []job{first, second})
	close(release)
	for _, want := range []int{6, 7} {
		if msg := q.next(ctx)().(lesionMsg); msg.err != nil || msg.key.layer != want {
			t.Errorf("job %d (%v), want %d done", msg.key.layer, msg.err, want)
		}
	}
	wait(7)
	if _, ok := q.next(ctx)().(jobsIdleMsg); !ok {
		t.Error("not idle after jobs 6 and 7")
	}
	// A long job goes on; an urgent one runs beside it.
	started, release = make(chan int, 10), make(chan struct{})
	long, urgent = fakeJob(4, false, true, started, release), fakeJob(5, true, false, started, release)
	q.want(1, []job{long})
	wait(4)
	q.want(1, []job{urgent})
	wait(5)
	close(release)
	for range 2 {
		if msg := q.next(ctx)().(lesionMsg); msg.err != nil {
			t.Errorf("job %d: %v", msg.key.layer, msg.err)
		}
	}
}
