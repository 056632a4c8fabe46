package tui

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/sentences"
)

// fixture is the tiny test checkpoint (3 layers, 64 units).
var fixture = filepath.FromSlash("../engine/encoder/testdata/tiny-bert")

var (
	fixtureOnce  sync.Once
	fixtureStudy *engine.Study
	fixtureErr   error
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// study is the fixture's study on the built-in contrast set, built once.
func study(t testing.TB) *engine.Study {
	t.Helper()
	fixtureOnce.Do(func() {
		m, err := encoder.Load(fixture, nil)
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureStudy, fixtureErr = engine.New(context.Background(), m, sentences.Builtin(), engine.Options{}, nil)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureStudy
}

// openFixture is a Config.Open that returns the fixture study.
func openFixture(t testing.TB) OpenFunc {
	s := study(t)
	return func(ctx context.Context, progress func(engine.Progress)) (*engine.Study, error) {
		progress(engine.Progress{Phase: "collect", Done: 3, Total: 3})
		return s, nil
	}
}

// run executes cmd and every Cmd it batches, feeding the messages back into m, up to depth
// rounds; Ticks and the spinner are skipped so that the test stays synchronous.
func run(t *testing.T, m *Model, cmd tea.Cmd, depth int) {
	t.Helper()
	if cmd == nil || depth == 0 {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			run(t, m, c, depth)
		}
	case nil, lesionTickMsg:
		if tick, ok := msg.(lesionTickMsg); ok {
			_, next := m.Update(tick)
			run(t, m, next, depth-1)
		}
	default:
		if isSpinnerTick(msg) {
			return
		}
		_, next := m.Update(msg)
		run(t, m, next, depth-1)
	}
}

// ready returns an explorer with the fixture study open at w×h and its first lesion computed.
func ready(t *testing.T, cfg Config, w, h int) *Model {
	t.Helper()
	if cfg.Open == nil {
		cfg.Open = openFixture(t)
	}
	m := newModel(cfg)
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	run(t, m, m.Init(), 10)
	if m.state != stateReady {
		t.Fatalf("state %v after open (error %v)", m.state, m.openErr)
	}
	return m
}

// press sends a key and runs what it starts.
func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		run(t, m, cmd, 10)
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func isSpinnerTick(msg tea.Msg) bool {
	_, ok := msg.(spinner.TickMsg)
	return ok
}
