package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"lesionui/actcache"
	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/sentences"
	"lesionui/tui"
)

// The explorer's key-to-screen latency: the real explorer (tui.New) runs in a tea.Program whose
// input is a pipe and whose output is recorded; a key is written to the pipe and the time taken
// until the screen shows its answer (the logit pane's line naming the lesion of the new layer
// and mode) is one sample. That is Update, View and the renderer's frame (Bubble Tea draws at
// most 60 frames a second), everything but the terminal's own drawing.

// exploreSize is the terminal the explorer is measured in.
var exploreSize = [2]int{120, 40}

// latencies summarises key-to-screen samples in milliseconds.
type latencies struct {
	Keys     int       `json:"keys"`
	MedianMS float64   `json:"median_ms"`
	P95MS    float64   `json:"p95_ms"`
	MaxMS    float64   `json:"max_ms"`
	Samples  []float64 `json:"samples_ms"`
}

func summarise(samples []float64) latencies {
	s := slices.Sorted(slices.Values(samples))
	l := latencies{Keys: len(s), Samples: samples}
	if len(s) > 0 {
		l.MedianMS, l.MaxMS = median(s), s[len(s)-1]
		l.P95MS = s[min(len(s)-1, int(0.95*float64(len(s)-1)+0.5))]
	}
	return l
}

// exploreLatency is what the explorer benchmark measured in one launch.
type exploreLatency struct {
	Size string `json:"size"`
	// Cached says whether the study's recording came from the activation cache.
	Cached bool `json:"cached"`
	// OpenS is the launch: from the process's start to the study open (model load, the activation
	// cache's key, then the recorded or the cached activations, the statistics and the clean pass);
	// LoadS and StudyS are its two parts.
	OpenS  float64 `json:"open_s"`
	LoadS  float64 `json:"load_s"`
	StudyS float64 `json:"study_s"`
	// Busy are keys pressed right after the study opened, while the background work runs:
	// g (layer 0, the farthest from the last), then j, j, j, G, k, k, k.
	Busy latencies `json:"busy"`
	// BackgroundS is the time from the explorer's start until every lesion of both modes and
	// their top-k predictions were computed.
	BackgroundS float64 `json:"background_s"`
	// Done are j, k and m pressed once the background work is done: k from the last layer to
	// the first, j back, and m twenty times.
	Done latencies `json:"done"`
}

// processStart is about when the process started (package initialisation), the start of a launch.
var processStart = time.Now()

// screen records what the program draws and wakes whoever waits for it.
type screen struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  bytes.Buffer
}

func newScreen() *screen {
	s := &screen{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Write records p and wakes the waiters.
func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf.Write(p)
	s.mu.Unlock()
	s.cond.Broadcast()
	return len(p), nil
}

// mark is where the output is now; waitFor waits until what was drawn since mark shows text.
func (s *screen) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Len()
}

func (s *screen) waitFor(from int, text string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	go func() { time.Sleep(timeout); s.cond.Broadcast() }()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !bytes.Contains([]byte(ansi.Strip(string(s.buf.Bytes()[from:]))), []byte(text)) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the explorer did not show %q within %v", text, timeout)
		}
		s.cond.Wait()
	}
	return nil
}

// runExploreLatency opens the study on the checkpoint in dir as lesionui does, through the
// activation cache in cacheDir, and measures the explorer on it with the command line's default
// controls (top-k predictions on).
func runExploreLatency(ctx context.Context, dir, cacheDir string) (*exploreLatency, error) {
	m, err := encoder.Load(dir, nil)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	loaded := time.Now()
	cache := &actcache.Cache{Dir: cacheDir, Limit: actcache.DefaultLimit}
	s, outcome, err := actcache.Open(ctx, cache, m, sentences.Builtin(), engine.Options{}, nil)
	if err != nil {
		return nil, err
	}
	if outcome.Problem != nil {
		return nil, outcome.Problem
	}
	r := &exploreLatency{Size: fmt.Sprintf("%dx%d", exploreSize[0], exploreSize[1]), Cached: outcome.Hit,
		OpenS: time.Since(processStart).Seconds(), LoadS: loaded.Sub(processStart).Seconds(), StudyS: time.Since(loaded).Seconds()}
	w0, w1 := s.Targets.Words[0], s.Targets.Words[1]
	// answer is what the logit pane says once the lesion of layer l in mode is shown (its
	// wording in tui/logits.go).
	answer := func(l int, mode engine.Mode) string {
		if mode == engine.LeastTuned {
			return fmt.Sprintf("as many as %q has) zeroed at [MASK] in layer %d", w0, l)
		}
		return fmt.Sprintf("%q units (%s>%s) zeroed at [MASK] in layer %d", w0, w0, w1, l)
	}
	// e exports once every lesion is computed, with the top-k predictions when they are complete
	// too: the signal that the background work is done.
	exported := make(chan bool)
	cfg := tui.Config{ModelName: "bert-large-shaped (random weights)", InitialLayer: -1, Context: ctx,
		Design: engine.Design{TopK: engine.DefaultTopK},
		Open:   func(context.Context, tui.Progress) (*engine.Study, error) { return s, nil },
		Export: func(_ *engine.Study, res *engine.Results, _ int) (string, error) {
			exported <- res.TopK != nil
			return "(not written)", nil
		}}
	out := newScreen()
	in, keys := io.Pipe()
	p := tea.NewProgram(tui.New(cfg), tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	defer func() {
		p.Quit()
		keys.Close()
		<-done
	}()
	p.Send(tea.WindowSizeMsg{Width: exploreSize[0], Height: exploreSize[1]})
	started := time.Now()
	last := len(s.Layers) - 1
	if err := out.waitFor(0, answer(last, engine.MostTuned), 60*time.Second); err != nil {
		return nil, err
	}
	layer, mode := last, engine.MostTuned
	press := func(k string) (float64, error) {
		switch k {
		case "g":
			layer = 0
		case "G":
			layer = last
		case "j":
			layer = min(last, layer+1)
		case "k":
			layer = max(0, layer-1)
		case "m":
			mode = 1 - mode
		}
		from := out.mark()
		t := time.Now()
		if _, err := keys.Write([]byte(k)); err != nil {
			return 0, err
		}
		if err := out.waitFor(from, answer(layer, mode), 30*time.Second); err != nil {
			return 0, err
		}
		return float64(time.Since(t).Microseconds()) / 1e3, nil
	}
	measure := func(seq []string) (latencies, error) {
		var ms []float64
		for _, k := range seq {
			v, err := press(k)
			if err != nil {
				return latencies{}, err
			}
			ms = append(ms, v)
		}
		return summarise(ms), nil
	}
	if r.Busy, err = measure([]string{"g", "j", "j", "j", "G", "k", "k", "k"}); err != nil {
		return nil, err
	}
	deadline := time.After(10 * time.Minute)
	for done := false; !done; {
		if _, err := keys.Write([]byte("e")); err != nil {
			return nil, err
		}
		select {
		case done = <-exported:
		case <-deadline:
			return nil, errors.New("the background work did not finish within 10 minutes")
		}
		if !done {
			time.Sleep(500 * time.Millisecond)
		}
	}
	r.BackgroundS = time.Since(started).Seconds()
	keys.Write([]byte{0x1b}) // esc: dismiss the export's message
	time.Sleep(200 * time.Millisecond)
	var seq []string
	for range layer {
		seq = append(seq, "k")
	}
	for range last {
		seq = append(seq, "j")
	}
	for range 20 {
		seq = append(seq, "m")
	}
	if r.Done, err = measure(seq); err != nil {
		return nil, err
	}
	return r, nil
}

// printExplore writes the latencies of one launch.
func printExplore(w io.Writer, e *exploreLatency) {
	cache := "recorded, no activation cache entry"
	if e.Cached {
		cache = "activations read from the cache"
	}
	fmt.Fprintf(w, "\nexplorer at %s, %s: opened %.2f s after the process started (model %.2f s, study %.2f s); every lesion and top-k of both modes computed %.1f s after the explorer's start:\n",
		e.Size, cache, e.OpenS, e.LoadS, e.StudyS, e.BackgroundS)
	for _, row := range []struct {
		name string
		l    latencies
	}{{"while the background work runs (g j j j G k k k)", e.Busy}, {"once it is done (k to layer 0, j back, m×20)", e.Done}} {
		fmt.Fprintf(w, "  %-52s median %6.1f ms  p95 %6.1f ms  max %6.1f ms  (%d keys)\n", row.name, row.l.MedianMS, row.l.P95MS, row.l.MaxMS, row.l.Keys)
	}
}
