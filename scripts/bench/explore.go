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

// exploreLatency is what the explorer benchmark measured.
type exploreLatency struct {
	Size  string  `json:"size"`
	OpenS float64 `json:"open_s"` // load + study, before the explorer starts
	// Busy are keys pressed right after the study opened, while the background lesions run:
	// g (layer 0, the farthest from the last), then j, j, j, G, k, k, k.
	Busy latencies `json:"busy"`
	// BackgroundS is the time from the explorer's start until every lesion of both modes was
	// computed.
	BackgroundS float64 `json:"background_s"`
	// Done are j, k and m pressed once the background work is done: k from the last layer to
	// the first, j back, and m twenty times.
	Done latencies `json:"done"`
}

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

// runExploreLatency opens the study on the checkpoint in dir and measures the explorer on it.
func runExploreLatency(ctx context.Context, dir string) (*exploreLatency, error) {
	start := time.Now()
	m, err := encoder.Load(dir, nil)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	s, err := engine.New(ctx, m, sentences.Builtin(), engine.Options{}, nil)
	if err != nil {
		return nil, err
	}
	r := &exploreLatency{Size: fmt.Sprintf("%dx%d", exploreSize[0], exploreSize[1]), OpenS: time.Since(start).Seconds()}
	w0, w1 := s.Targets.Words[0], s.Targets.Words[1]
	// answer is what the logit pane says once the lesion of layer l in mode is shown (its
	// wording in tui/logits.go).
	answer := func(l int, mode engine.Mode) string {
		if mode == engine.LeastTuned {
			return fmt.Sprintf("as many as %q has) zeroed at [MASK] in layer %d", w0, l)
		}
		return fmt.Sprintf("%q units (%s>%s) zeroed at [MASK] in layer %d", w0, w0, w1, l)
	}
	var once sync.Once
	background := make(chan struct{})
	cfg := tui.Config{ModelName: "bert-large-shaped (random weights)", InitialLayer: -1, Context: ctx,
		Open: func(context.Context, tui.Progress) (*engine.Study, error) { return s, nil },
		// e exports once every lesion is computed: the signal that the background work is done.
		Export: func(*engine.Study, [][]engine.LesionResult, time.Duration, int) (string, error) {
			once.Do(func() { close(background) })
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
	if _, err := keys.Write([]byte("e")); err != nil {
		return nil, err
	}
	select {
	case <-background:
	case <-time.After(5 * time.Minute):
		return nil, errors.New("the background lesions did not finish within 5 minutes")
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

// printExplore writes the explorer's latencies.
func printExplore(w io.Writer, e *exploreLatency) {
	fmt.Fprintf(w, "\nexplorer key to screen at %s (study opened in %.1f s; every lesion of both modes computed %.1f s after the start):\n", e.Size, e.OpenS, e.BackgroundS)
	for _, row := range []struct {
		name string
		l    latencies
	}{{"while the background lesions run (g j j j G k k k)", e.Busy}, {"once they are done (k to layer 0, j back, m×20)", e.Done}} {
		fmt.Fprintf(w, "  %-52s median %6.1f ms  p95 %6.1f ms  max %6.1f ms  (%d keys)\n", row.name, row.l.MedianMS, row.l.P95MS, row.l.MaxMS, row.l.Keys)
	}
}
