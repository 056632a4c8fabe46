package tui

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"lesionui/engine"
	"lesionui/engine/stats"
)

// shown returns the lesion the logit pane shows, failing when there is none.
func shown(t *testing.T, m *Model) engine.LesionResult {
	t.Helper()
	r, pending, err := m.currentLesion()
	if r == nil || pending || err != nil {
		t.Fatalf("no lesion shown for layer %d %v (pending %v, error %v)", m.layer, m.mode, pending, err)
	}
	return *r
}

func TestLayerKeys(t *testing.T) {
	m := ready(t, Config{InitialLayer: -1}, 80, 24)
	steps := []struct {
		key  string
		want int
	}{
		{"", 2}, {"k", 1}, {"up", 0}, {"k", 0}, {"G", 2}, {"j", 2}, {"g", 0}, {"down", 1}, {"pgdown", 2}, {"pgup", 1},
	}
	for _, st := range steps {
		if st.key != "" {
			press(t, m, st.key)
		}
		if m.layer != st.want {
			t.Fatalf("after %q: layer %d, want %d", st.key, m.layer, st.want)
		}
		if r := shown(t, m); r.Layer != st.want || r.Request.Mode != engine.MostTuned {
			t.Fatalf("after %q: lesion of layer %d %v shown, want layer %d most", st.key, r.Layer, r.Request.Mode, st.want)
		}
	}
	if !strings.Contains(m.View(), "▶  1") {
		t.Errorf("layer 1 is not marked in the layer list:\n%s", m.View())
	}
}

func TestModeLesionAndTextKeys(t *testing.T) {
	m := ready(t, Config{}, 80, 24)
	s := study(t)
	press(t, m, "m")
	r := shown(t, m)
	lt := s.Layers[m.layer]
	// Words are her, him: her = group B, him = group A; the control takes as many units.
	if r.Request.Mode != engine.LeastTuned || len(r.Units[0]) != len(lt.B) || len(r.Units[1]) != len(lt.A) {
		t.Fatalf("least-tuned lesion: mode %v, %d and %d units; want %d and %d", r.Request.Mode, len(r.Units[0]), len(r.Units[1]), len(lt.B), len(lt.A))
	}
	want, err := s.Lesion(context.Background(), m.layer, engine.Design{}.Request(engine.LeastTuned))
	if err != nil {
		t.Fatal(err)
	}
	if r.Delta != want.Delta {
		t.Errorf("shown delta %v, study's %v", r.Delta, want.Delta)
	}
	press(t, m, "tab", "tab") // the logit pane
	if m.focus != paneLogits {
		t.Fatalf("focus %v after two tabs, want the logit pane", m.focus)
	}
	v := m.View()
	if !strings.Contains(v, "least-tuned units of \"her\" zeroed") || !strings.Contains(v, s.Set.Masked[0].Text[:30]) {
		t.Errorf("logit pane does not show the her-mask lesion:\n%s", v)
	}
	press(t, m, "3")
	if m.text != 2 || !strings.Contains(m.View(), "units of \"him\" zeroed at the him mask") {
		t.Errorf("text %d after 3:\n%s", m.text, m.View())
	}
	press(t, m, "1")
	if !strings.Contains(m.View(), "clean text is never lesioned") {
		t.Errorf("clean text view:\n%s", m.View())
	}
	press(t, m, " ")
	if m.lesionOn || !strings.Contains(m.View(), "lesion off") {
		t.Errorf("space did not turn the lesion off:\n%s", m.View())
	}
	press(t, m, " ", "m")
	if !m.lesionOn || m.mode != engine.MostTuned {
		t.Errorf("lesion %v mode %v, want on and most", m.lesionOn, m.mode)
	}
	press(t, m, "tab", "tab")
	if m.focus != paneScatter {
		t.Errorf("focus %v after four tabs, want the scatter", m.focus)
	}
	press(t, m, "shift+tab")
	if m.focus != paneSweep {
		t.Errorf("focus %v after shift+tab, want the sweep", m.focus)
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	m := ready(t, Config{InitialLayer: 1}, 80, 24)
	v := m.view()
	real := shown(t, m)
	fake := engine.LesionResult{Layer: 1, Magnitude: 1234}

	// A result of an earlier study (generation) is dropped, even for the layer shown.
	delete(v.lesions, m.key())
	v.pending[m.key()] = true
	m.Update(lesionMsg{gen: m.gen - 1, kind: m.kind, key: m.key(), res: fake})
	if _, ok := v.lesions[m.key()]; ok || !v.pending[m.key()] {
		t.Fatal("a lesion of an older study was stored")
	}
	// A result for a t-test with no study is dropped.
	m.Update(lesionMsg{gen: m.gen, kind: stats.Welch, key: m.key(), res: fake})
	if _, ok := v.lesions[m.key()]; ok {
		t.Fatal("a Welch lesion was stored in the Student view")
	}
	// A current result for another layer is kept but not shown.
	m.Update(lesionMsg{gen: m.gen, kind: m.kind, key: lesionKey{0, engine.MostTuned}, res: engine.LesionResult{Layer: 0, Magnitude: 5}})
	if r, pending, _ := m.currentLesion(); r != nil || !pending {
		t.Fatalf("another layer's lesion is shown: %+v", r)
	}
	// The current one is shown.
	m.Update(lesionMsg{gen: m.gen, kind: m.kind, key: m.key(), res: real})
	if r := shown(t, m); r.Magnitude != real.Magnitude {
		t.Fatalf("magnitude %g shown, want %g", r.Magnitude, real.Magnitude)
	}
	// A debounced request for a layer left meanwhile starts nothing.
	if _, cmd := m.Update(lesionTickMsg{gen: m.gen, kind: m.kind, key: lesionKey{2, engine.LeastTuned}}); cmd != nil {
		t.Error("a stale debounce tick started a lesion")
	}
	// A t-test result of an older study is dropped.
	if _, cmd := m.Update(kindMsg{gen: m.gen - 1, kind: stats.Welch, study: study(t)}); cmd != nil || len(m.views) != 1 {
		t.Error("a stale t-test result was used")
	}
	// A task no one follows any more is ignored.
	m.Update(taskMsg{task: &task{}, value: [][]engine.LesionResult{}})
	if v.sweep != nil {
		t.Error("a stray task result became the sweep")
	}
}

func TestWelchToggle(t *testing.T) {
	m := ready(t, Config{}, 80, 24)
	s := study(t)
	welch, err := s.WithOptions(engine.Options{Test: stats.Welch})
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(keyMsg("w"))
	if m.pendingKind == nil || *m.pendingKind != stats.Welch || m.kind != stats.Student {
		t.Fatalf("w: pending %v, kind %v", m.pendingKind, m.kind)
	}
	if !strings.Contains(m.View(), "Student t") {
		t.Error("the title does not show the test being replaced")
	}
	run(t, m, cmd, 10)
	if m.kind != stats.Welch || m.pendingKind != nil {
		t.Fatalf("after the recomputation: kind %v pending %v", m.kind, m.pendingKind)
	}
	for l, lt := range m.study().Layers {
		if len(lt.A) != len(welch.Layers[l].A) || len(lt.B) != len(welch.Layers[l].B) {
			t.Errorf("layer %d: %d/%d units, Welch gives %d/%d", l, len(lt.A), len(lt.B), len(welch.Layers[l].A), len(welch.Layers[l].B))
		}
	}
	if r := shown(t, m); !equalSets(r.Units[1], welch.Layers[m.layer].A) {
		t.Errorf("Welch lesion zeroes %v, want %v", r.Units[1], welch.Layers[m.layer].A)
	}
	if !strings.Contains(m.View(), "Welch t") {
		t.Errorf("title does not name Welch:\n%s", m.View())
	}
	// Back to Student: cached, no computation.
	if _, cmd := m.Update(keyMsg("w")); cmd != nil || m.kind != stats.Student {
		t.Errorf("second w: kind %v, cmd %v", m.kind, cmd != nil)
	}
}

func equalSets(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSweepAndExport(t *testing.T) {
	m := ready(t, Config{}, 120, 40)
	press(t, m, "e")
	if !strings.Contains(m.status, "unavailable") {
		t.Errorf("export without Export: status %q", m.status)
	}
	_, cmd := m.Update(keyMsg("s"))
	if v := m.View(); !strings.Contains(v, "sweep 0/3") || !strings.Contains(v, "sweeping layer 0 of 3") {
		t.Errorf("no sweep progress in the title and the sweep pane:\n%s", v)
	}
	run(t, m, cmd, 20)
	if m.view().sweep == nil || strings.Contains(m.View(), "sweep 0/3") {
		t.Error("the sweep did not finish")
	}
	var got [][]engine.LesionResult
	gotLayer := -1
	m = ready(t, Config{Export: func(s *engine.Study, sw [][]engine.LesionResult, _ time.Duration, layer int) (string, error) {
		got, gotLayer = sw, layer
		return "/tmp/report-x", nil
	}}, 120, 40)
	press(t, m, "j") // select layer 1: the export follows the selection
	press(t, m, "e") // runs the sweep first, then exports
	if got == nil || m.status != "exported to /tmp/report-x" {
		t.Fatalf("export: status %q, sweeps %v", m.status, got != nil)
	}
	if gotLayer != 1 {
		t.Errorf("exported layer %d, want the selected 1", gotLayer)
	}
	s := study(t)
	if len(got) != 2 || len(got[0]) != len(s.Layers) {
		t.Fatalf("exported sweep has %d modes", len(got))
	}
	for i, mode := range engine.Modes {
		for l := range s.Layers {
			want, err := s.Lesion(context.Background(), l, engine.Design{}.Request(mode))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got[i][l].Magnitude-want.Magnitude) > 1e-4 {
				t.Errorf("%v layer %d: sweep magnitude %g, lesion %g", mode, l, got[i][l].Magnitude, want.Magnitude)
			}
		}
	}
	v := m.View()
	if !strings.Contains(v, "least: |Δ|") || !strings.Contains(v, "signed Δ") {
		t.Errorf("the sweep pane does not show the sweep:\n%s", v)
	}
	press(t, m, "s")
	if !strings.Contains(m.status, "sweep is done") {
		t.Errorf("second s: status %q", m.status)
	}
	m.Update(exportMsg{gen: m.gen, err: errors.New("disk full")})
	if m.status != "export failed: disk full" {
		t.Errorf("status %q", m.status)
	}
}

func TestResize(t *testing.T) {
	m := ready(t, Config{}, 80, 24)
	press(t, m, "s")
	for _, sz := range [][2]int{{80, 24}, {200, 50}, {120, 32}, {119, 40}, {60, 16}, {100, 30}, {250, 70}} {
		w, h := sz[0], sz[1]
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		for f := range numFocus {
			m.focus = pane(f)
			for _, help := range []bool{false, true} {
				m.showHelp, m.help.ShowAll = help, help
				lines := strings.Split(m.View(), "\n")
				if len(lines) != h {
					t.Errorf("%dx%d focus %v help %v: %d lines", w, h, m.focus, help, len(lines))
				}
				for i, l := range lines {
					if lipgloss.Width(l) > w {
						t.Errorf("%dx%d focus %v: line %d is %d wide: %q", w, h, m.focus, i, lipgloss.Width(l), l)
						break
					}
				}
			}
		}
	}
	// The full help shows every key at 80 columns.
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.showHelp, m.help.ShowAll = true, true
	v := m.View()
	for _, b := range m.keys.FullHelp() {
		for _, k := range b {
			if !strings.Contains(v, k.Help().Key+" ") || !strings.Contains(v, k.Help().Desc) {
				t.Errorf("full help at 80x24 lacks %q %q:\n%s", k.Help().Key, k.Help().Desc, v)
			}
		}
	}
	m.showHelp = false
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	if v := m.View(); !strings.Contains(v, "at least 60x16") {
		t.Errorf("tiny terminal: %q", v)
	}
}

func TestNoColourCodes(t *testing.T) {
	m := ready(t, Config{ModelName: "lesionui demo BERT", Demo: true}, 200, 50)
	press(t, m, "s")
	for f := range numFocus {
		m.focus = pane(f)
		if v := m.View(); strings.Contains(v, "\x1b[") {
			t.Fatalf("escape codes in the Ascii profile:\n%q", v)
		}
	}
	if !strings.Contains(m.View(), "DEMO MODEL") {
		t.Error("the demo model is not labelled")
	}
}

func TestInitialLayerOutOfRange(t *testing.T) {
	m := ready(t, Config{InitialLayer: 7}, 80, 24)
	if m.layer != 2 || !strings.Contains(m.status, "layer 7 does not exist") {
		t.Errorf("layer %d, status %q", m.layer, m.status)
	}
	m = ready(t, Config{InitialLayer: 0}, 80, 24)
	if m.layer != 0 {
		t.Errorf("layer %d, want 0", m.layer)
	}
}

func TestOpenFailureOffersDemo(t *testing.T) {
	m := newModel(Config{
		ModelName: "bert-large-uncased",
		Open: func(ctx context.Context, p func(engine.Progress)) (*engine.Study, error) {
			return nil, errors.New("resolving bert-large-uncased: no network")
		},
		OpenDemo: openFixture(t),
		DemoName: "lesionui demo BERT",
	})
	t.Cleanup(m.cancel)
	run(t, m, m.Init(), 10)
	v := m.View()
	if m.state != stateFailed || !strings.Contains(v, "no network") || !strings.Contains(v, "press d to open the shipped demo model instead") {
		t.Fatalf("state %v:\n%s", m.state, v)
	}
	press(t, m, "d")
	if m.state != stateReady || !strings.Contains(m.View(), "DEMO MODEL") {
		t.Fatalf("after d: state %v:\n%s", m.state, m.View())
	}
}

func TestLoadingProgressAndCancel(t *testing.T) {
	started := make(chan func(engine.Progress))
	m := newModel(Config{ModelName: "bert-large-uncased", Open: func(ctx context.Context, p func(engine.Progress)) (*engine.Study, error) {
		started <- p
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	cmd := m.Init()
	go func() {
		p := <-started
		p(engine.Progress{Phase: "download model.safetensors", Done: 1_500_000, Total: 3_000_000})
	}()
	// Init's batch: the task's first report, then the spinner.
	for _, c := range cmd().(tea.BatchMsg) {
		if msg := c(); !isSpinnerTick(msg) {
			m.Update(msg)
		}
	}
	m.Update(taskMsg{task: m.openTask, progress: &engine.Progress{Phase: "collect", Done: 12, Total: 24}})
	v := m.View()
	for _, want := range []string{"opening bert-large-uncased", "✓ download model.safetensors  1.5 MB / 3.0 MB", "collect  layer 12 of 24", "q / ctrl+c cancels"} {
		if !strings.Contains(v, want) {
			t.Errorf("loading view lacks %q:\n%s", want, v)
		}
	}
	if _, cmd := m.Update(keyMsg("j")); cmd != nil {
		t.Error("a key other than q did something while loading")
	}
	if _, cmd := m.Update(keyMsg("ctrl+c")); cmd == nil || cmd() != tea.Quit() {
		t.Error("ctrl+c did not quit")
	}
	if m.ctx.Err() == nil {
		t.Error("quitting did not cancel the open")
	}
	if !m.work.close(5e9) {
		t.Error("the cancelled open did not return")
	}
}
