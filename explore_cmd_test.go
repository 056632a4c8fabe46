package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"lesionui/engine"
	"lesionui/sentences"
	"lesionui/tui"
)

// slowWriter sends a response body in small pieces with pauses, as a slow link does.
type slowWriter struct{ http.ResponseWriter }

func (w slowWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(len(b), 12<<10)
		m, err := w.ResponseWriter.Write(b[:k])
		n += m
		if err != nil {
			return n, err
		}
		w.ResponseWriter.(http.Flusher).Flush()
		time.Sleep(30 * time.Millisecond)
		b = b[k:]
	}
	return n, nil
}

// TestExplorerShowsEachDownloadOnOneLine opens the explorer on a Hub model through the CLI's
// wiring, the Hub being a loopback fake that sends the weights slowly: every screen of the
// start-up shows each file on one line at most, the weights' line is updated in place several
// times, and the study opens.
func TestExplorerShowsEachDownloadOnOneLine(t *testing.T) {
	hubSrv := fakeHub(t, fixtureModel, false, "").srv
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, ".safetensors") {
			w = slowWriter{w}
		}
		hubSrv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	hubEnv(t, slow.URL)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := studyFlags{model: "some/model", alpha: engine.DefaultAlpha}
	var model tea.Model = tui.New(exploreConfig(ctx, &f, engine.Design{}, -1))
	model, _ = model.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	weightLines := map[string]bool{} // the distinct lines shown for the weights
	files := regexp.MustCompile(`\b(config\.json|model\.safetensors|vocab\.txt|tokenizer_config\.json)`)
	queue := []tea.Cmd{model.Init()}
	deadline := time.Now().Add(30 * time.Second)
	for len(queue) > 0 && time.Now().Before(deadline) {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case spinner.TickMsg, nil:
			continue
		default:
			var next tea.Cmd
			model, next = model.Update(msg)
			queue = append(queue, next)
		}
		view := ansi.Strip(model.View())
		if strings.Contains(view, "Layers") {
			if len(weightLines) < 3 {
				t.Errorf("the weights' line was drawn %d ways, want it updated in place several times: %v", len(weightLines), weightLines)
			}
			return // the study is open
		}
		seen := map[string]int{}
		for _, line := range strings.Split(view, "\n") {
			for _, name := range files.FindAllString(line, -1) {
				seen[name]++
				if name == "model.safetensors" {
					weightLines[strings.TrimSpace(regexp.MustCompile(`[⠁-⣿]`).ReplaceAllString(line, ""))] = true
				}
			}
		}
		for name, n := range seen {
			if n > 1 {
				t.Fatalf("%s on %d lines:\n%s", name, n, view)
			}
		}
		if lines := strings.Count(view, "\n") + 1; lines != 30 {
			t.Fatalf("the start-up screen has %d lines on a 30-line terminal:\n%s", lines, view)
		}
	}
	t.Fatalf("the study did not open:\n%s", ansi.Strip(model.View()))
}

// The explorer takes run's design flags; bad values are errors naming the flag before anything
// else happens, and values the model cannot take are refused when it is loaded.
func TestExploreTakesTheDesignFlags(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "eval.txt")
	if err := os.WriteFile(bad, []byte("[eval]\nhim: no mask here.\nher: She saw [MASK].\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--units", "top=0"}, 2, "--units"},
		{[]string{"--ablate", "scale=abc"}, 2, "--ablate"},
		{[]string{"--baseline", "-1"}, 2, "--baseline"},
		{[]string{"--topk", "-2"}, 2, "--topk"},
		{[]string{"--eval", bad}, 1, "eval.txt:2"},
	} {
		code, _, stderr := run(t, append([]string{"explore", "--model", fixtureModel}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("explore %v: exit %d, stderr %q; want %d naming %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if code, _, stderr := run(t, "explore", "--help"); code != 0 || !strings.Contains(stderr, "-units") || !strings.Contains(stderr, "-eval") {
		t.Errorf("explore --help: exit %d\n%s", code, stderr)
	}

	ctx := context.Background()
	f := studyFlags{model: fixtureModel, alpha: engine.DefaultAlpha}
	d := engine.Design{Units: engine.Top(5), Ablation: engine.Ablation{Kind: engine.MeanAblation}, Baseline: 3, TopK: 4, Seed: 9, Eval: sentences.BuiltinEval()}
	cfg := exploreConfig(ctx, &f, d, -1)
	if cfg.Design.Units != d.Units || cfg.Design.Baseline != 3 || cfg.Design.Eval == nil {
		t.Errorf("the explorer's design %+v, want %+v", cfg.Design, d)
	}
	s, err := cfg.Open(ctx, newProgressLine(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Close()
	d.Units = engine.Top(1000) // the fixture has 64 units a layer
	if _, err := exploreConfig(ctx, &f, d, -1).Open(ctx, newProgressLine(io.Discard)); err == nil || !strings.Contains(err.Error(), "--units: top=1000: a layer has only 64 units") {
		t.Errorf("top=1000 on 64 units: %v", err)
	}
}
