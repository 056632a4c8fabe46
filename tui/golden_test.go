package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/hub"
)

// Golden screens of the explorer driven through a real tea.Program (teatest), at the five sizes
// for the demo model and for the 24-layer model. `go test ./tui -update` rewrites
// testdata/*.golden; look at them before committing.

func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// explore opens s at w×h with layer selected in a tea.Program, waits until every lesion is
// computed (e exports once they are; the unit under the cursor, placed there and not moved, is
// computed before them), presses keys that move no cursor and returns the last screen.
func explore(t *testing.T, s *engine.Study, name string, w, h, layer int, keys ...string) []byte {
	t.Helper()
	cfg := Config{ModelName: name, Open: openWith(s), InitialLayer: layer,
		Export: func(*engine.Study, *engine.Results, int) (string, error) {
			return "/tmp/report", nil
		}}
	tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(w, h))
	waitFor(t, tm, "Layers")
	tm.Type("e")
	waitFor(t, tm, "exported to /tmp/report")
	for _, k := range append([]string{"esc"}, keys...) {
		tm.Send(keyMsg(k))
	}
	tm.Send(keyMsg("q"))
	return []byte(tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).View())
}

// screen opens s with cfg at w×h, computes everything the explorer wants, presses keys
// (computing what each asks for, the unit cursor's rest included) and returns the screen.
func screen(t *testing.T, s *engine.Study, cfg Config, w, h int, keys ...string) []byte {
	t.Helper()
	m := ready(t, s, cfg, w, h)
	press(t, m, keys...)
	return []byte(m.View())
}

func TestGoldenDemo(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			teatest.RequireEqualOutput(t, explore(t, demoStudy(t), "lesionui demo BERT", sz[0], sz[1], -1))
		})
	}
}

// The 24-layer model one layer below the last, the logits focused, the least-tuned control.
func TestGoldenDeep(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			teatest.RequireEqualOutput(t, explore(t, deepStudy(t), "a 24-layer random BERT", sz[0], sz[1], 22, "tab", "tab", "m"))
		})
	}
}

// Every control on (top=K, mean or patch ablation, the baseline, the evaluation set, top-k, two
// layers marked), at the five sizes, on both models: the demo with the top-k pane focused, the
// 24-layer model with the sweep and its random band focused.
func TestGoldenControls(t *testing.T) {
	design := engine.Design{TopK: 5, Baseline: 4, Eval: smallEval(t), Seed: 1}
	for _, md := range []struct {
		name   string
		s      func(testing.TB) *engine.Study
		design func(engine.Design) engine.Design
		keys   []string
	}{
		{"demo", demoStudy, func(d engine.Design) engine.Design {
			d.Units, d.Ablation = engine.Top(20), engine.Ablation{Kind: engine.MeanAblation}
			return d
		}, []string{"x", "k", "x", "tab", "tab", "tab"}},
		{"deep", deepStudy, func(d engine.Design) engine.Design {
			d.Units, d.Ablation = engine.Top(5), engine.Ablation{Kind: engine.PatchAblation}
			return d
		}, []string{"x", "g", "x", "shift+tab", "shift+tab"}},
	} {
		cfg := Config{ModelName: md.name + " model", InitialLayer: -1, Design: md.design(design)}
		m := ready(t, md.s(t), cfg, 80, 24)
		press(t, m, md.keys...)
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", md.name, sz[0], sz[1]), func(t *testing.T) {
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				teatest.RequireEqualOutput(t, []byte(m.View()))
			})
		}
	}
}

// The evaluation set's pane zoomed, and the help on the new controls.
func TestGoldenEvalZoomed120x40(t *testing.T) {
	cfg := Config{ModelName: "a 24-layer random BERT", InitialLayer: -1, Design: engine.Design{Eval: smallEval(t), Seed: 1}}
	teatest.RequireEqualOutput(t, screen(t, deepStudy(t), cfg, 120, 40, "k", "m", "shift+tab", "z"))
}

func TestGoldenHelp80x24(t *testing.T) {
	teatest.RequireEqualOutput(t, explore(t, demoStudy(t), "lesionui demo BERT", 80, 24, -1, "?", "j", "j"))
}

func TestGoldenZoomedScatter80x24(t *testing.T) {
	teatest.RequireEqualOutput(t, screen(t, deepStudy(t), Config{ModelName: "a 24-layer random BERT", InitialLayer: -1}, 80, 24, "z", "U"))
}

func TestGoldenDownloading(t *testing.T) {
	m := newModel(Config{ModelName: "bert-large-uncased"})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.state = stateLoading
	m.opening = openState{downloads: []hub.Progress{
		{File: "config.json", Done: 571, Total: 571, Finished: true},
		{File: "model.safetensors", Done: 512_300_000, Total: 1_340_000_000, Rate: 21.4e6, ETA: 39 * time.Second},
	}}
	teatest.RequireEqualOutput(t, []byte(m.View()))
	m.opening.load = &encoder.LoadProgress{Stage: "weights", Done: 120, Total: 393}
	m.opening.downloads[1] = hub.Progress{File: "model.safetensors", Done: 1_340_000_000, Total: 1_340_000_000, Finished: true}
	m.opening.study = &engine.Progress{Phase: engine.PhaseCollect, Done: 9, Total: 24}
	t.Run("collect", func(t *testing.T) { teatest.RequireEqualOutput(t, []byte(m.View())) })
}

func TestGoldenOpenFailed(t *testing.T) {
	m := newModel(Config{ModelName: "bert-large-uncased",
		Open: func(context.Context, Progress) (*engine.Study, error) {
			return nil, errors.New(`hub: resolving "bert-large-uncased": dial tcp: lookup huggingface.co: no such host`)
		},
		OpenDemo: openWith(fixtureStudy(t))})
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	pump(t, m, m.Init())
	teatest.RequireEqualOutput(t, []byte(m.View()))
}

func TestGoldenTooSmall(t *testing.T) {
	m := ready(t, fixtureStudy(t), Config{}, 40, 10)
	teatest.RequireEqualOutput(t, []byte(m.View()))
}
