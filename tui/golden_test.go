package tui

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"lesionui/engine"
)

// Golden screens of the explorer on the fixture model, driven through a real tea.Program.
// `go test ./tui -update` rewrites testdata/*.golden.

func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// explore opens the fixture at w×h, runs the sweep, presses keys and returns the final screen.
func explore(t *testing.T, w, h int, keys ...string) []byte {
	tm := teatest.NewTestModel(t, New(Config{ModelName: "tiny-bert (test fixture)", Open: openFixture(t), InitialLayer: -1}),
		teatest.WithInitialTermSize(w, h))
	waitFor(t, tm, "Layers")
	tm.Type("s")
	waitFor(t, tm, "sweep done")
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
	tm.Send(keyMsg("q"))
	return []byte(tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).View())
}

func TestGoldenLogits80x24(t *testing.T) {
	teatest.RequireEqualOutput(t, explore(t, 80, 24, "tab", "tab", "3"))
}

func TestGoldenSweepLeast80x24(t *testing.T) {
	teatest.RequireEqualOutput(t, explore(t, 80, 24, "shift+tab", "m", "k", "k"))
}

func TestGoldenWide200x50(t *testing.T) {
	teatest.RequireEqualOutput(t, explore(t, 200, 50, "k", "2"))
}

func TestGoldenHelp120x32(t *testing.T) {
	teatest.RequireEqualOutput(t, explore(t, 120, 32, "g", "tab", "?"))
}

func TestGoldenStartup(t *testing.T) {
	m := newModel(Config{ModelName: "bert-large-uncased"})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.loadProgress(engine.Progress{Phase: "download model.safetensors", Done: 1_340_000_000, Total: 1_340_000_000})
	m.loadProgress(engine.Progress{Phase: "load weights", Done: 393, Total: 393})
	m.loadProgress(engine.Progress{Phase: "collect", Done: 9, Total: 24})
	teatest.RequireEqualOutput(t, []byte(m.View()))
}

func TestGoldenOpenFailed(t *testing.T) {
	m := newModel(Config{ModelName: "bert-large-uncased",
		Open: func(context.Context, func(engine.Progress)) (*engine.Study, error) {
			return nil, errors.New(`hub: resolving "bert-large-uncased": dial tcp: lookup huggingface.co: no such host`)
		},
		OpenDemo: openFixture(t)})
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	run(t, m, m.Init(), 10)
	teatest.RequireEqualOutput(t, []byte(m.View()))
}
