package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/engine/stats"
	"lesionui/hub"
)

// shown returns the lesion of the selected layer in the mode shown, failing when there is none.
func shown(t *testing.T, m *Model) engine.LesionResult {
	t.Helper()
	r, ok := m.lesion(m.layer, m.mode)
	if !ok {
		t.Fatalf("no lesion shown for layer %d %v (state %v)", m.layer, m.mode, m.jobState(m.lesionKey(m.layer, m.mode)))
	}
	return r
}

// effectShown returns the lesion the logit pane draws, failing when there is none.
func effectShown(t *testing.T, m *Model) effect {
	t.Helper()
	r, ok := m.shownLesion()
	if !ok {
		t.Fatalf("no lesion drawn for layer %d %v (state %v)", m.layer, m.mode, m.jobState(m.shownKey()))
	}
	return r
}

func TestLayerKeys(t *testing.T) {
	m := ready(t, fixtureStudy(t), Config{InitialLayer: -1}, 80, 24)
	steps := []struct {
		keys []string
		want int
	}{
		{nil, 2}, {[]string{"k"}, 1}, {[]string{"up"}, 0}, {[]string{"k"}, 0}, {[]string{"G"}, 2}, {[]string{"j"}, 2},
		{[]string{"g"}, 0}, {[]string{"down"}, 1}, {[]string{"pgdown"}, 2}, {[]string{"pgup"}, 1},
		{[]string{":", "0", "enter"}, 0}, {[]string{":", "2", "1", "backspace", "enter"}, 2}, {[]string{":", "1", "esc"}, 2},
	}
	for _, st := range steps {
		press(t, m, st.keys...)
		if m.layer != st.want {
			t.Fatalf("after %q: layer %d, want %d", st.keys, m.layer, st.want)
		}
		if r := shown(t, m); r.Layer != st.want || r.Request.Mode != engine.MostTuned {
			t.Fatalf("after %q: lesion of layer %d %v shown, want layer %d most", st.keys, r.Layer, r.Request.Mode, st.want)
		}
	}
	press(t, m, ":", "9", "enter")
	if m.layer != 2 || !strings.Contains(m.status, `no layer "9": the layers are 0–2`) {
		t.Errorf("jump to a missing layer: layer %d, status %q", m.layer, m.status)
	}
	if !strings.Contains(m.View(), "▶2") {
		t.Errorf("layer 2 is not marked in the layer list:\n%s", m.View())
	}
	// The message stays until esc.
	press(t, m, "j", "k", "m", "m")
	if m.status == "" {
		t.Error("a key dismissed the message")
	}
	press(t, m, "esc")
	if m.status != "" {
		t.Errorf("esc left the message %q", m.status)
	}
}

func TestModeLesionAndTextKeys(t *testing.T) {
	s := fixtureStudy(t)
	m := ready(t, s, Config{}, 80, 24)
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
	if !strings.Contains(v, `least-tuned units (smallest |t|, as many as "her" has)`) || !strings.Contains(v, s.Set.Masked[0].Text[:30]) {
		t.Errorf("logit pane does not show the her-mask lesion:\n%s", v)
	}
	press(t, m, "3", "m")
	if v := m.View(); m.text != 2 || !strings.Contains(v, `"him" units (him>her) zeroed at [MASK]`) {
		t.Errorf("text %d after 3:\n%s", m.text, v)
	}
	press(t, m, "1")
	if v := m.View(); !strings.Contains(v, "never lesioned") || !strings.Contains(v, `at "her"`) || strings.Contains(v, "at [MASK]") {
		t.Errorf("clean text view:\n%s", v)
	}
	press(t, m, " ")
	if m.lesionOn || !strings.Contains(m.View(), "lesion off") {
		t.Errorf("space did not turn the lesion off:\n%s", m.View())
	}
	press(t, m, " ")
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
	m := ready(t, fixtureStudy(t), Config{InitialLayer: 1}, 80, 24)
	real := shown(t, m)
	fake := engine.LesionResult{Layer: 1, Magnitude: 1234}
	k := m.lesionKey(m.layer, m.mode)
	delete(m.res.lesions, k)
	// A result of an earlier study (generation) is dropped, even for the layer shown.
	m.Update(lesionMsg{jobDone: jobDone{gen: m.gen - 1, key: k}, res: fake})
	if _, ok := m.res.lesions[k]; ok {
		t.Fatal("a lesion of an older study was stored")
	}
	// A result for a t-test not shown is kept under its own t-test.
	welch := k
	welch.variant = stats.Welch
	m.Update(lesionMsg{jobDone: jobDone{gen: m.gen, key: welch}, res: fake})
	if _, ok := m.lesion(m.layer, m.mode); ok {
		t.Fatal("a Welch lesion is shown in the Student view")
	}
	// The current one is shown.
	m.Update(lesionMsg{jobDone: jobDone{gen: m.gen, key: k}, res: real})
	if r := shown(t, m); r.Magnitude != real.Magnitude {
		t.Fatalf("magnitude %g shown, want %g", r.Magnitude, real.Magnitude)
	}
	// A t-test result of an older study is dropped.
	if _, cmd := m.Update(kindMsg{gen: m.gen - 1, kind: stats.Welch, study: fixtureStudy(t)}); cmd != nil || len(m.variants) != 1 {
		t.Error("a stale t-test result was used")
	}
	// Open news of a task no one follows any more is ignored.
	m.Update(openProgressMsg{task: &openTask{}, state: openState{downloads: []hub.Progress{{File: "x"}}}})
	if len(m.opening.downloads) != 0 {
		t.Error("a stray open report was shown")
	}
}

func TestWelchToggleKeepsBothVariants(t *testing.T) {
	s := fixtureStudy(t)
	m := ready(t, s, Config{}, 120, 40)
	welch, err := s.WithOptions(engine.Options{Test: stats.Welch})
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(keyMsg("w"))
	if m.pendingKind == nil || *m.pendingKind != stats.Welch || m.kind != stats.Student {
		t.Fatalf("w: pending %v, kind %v", m.pendingKind, m.kind)
	}
	if !strings.Contains(m.View(), "Student t") {
		t.Error("the header does not show the test being replaced")
	}
	pump(t, m, cmd)
	if m.kind != stats.Welch || m.pendingKind != nil {
		t.Fatalf("after the recomputation: kind %v pending %v", m.kind, m.pendingKind)
	}
	if p := m.progress(); !p.complete() {
		t.Fatalf("Welch: background work %+v", p)
	}
	for l, lt := range m.study().Layers {
		if len(lt.A) != len(welch.Layers[l].A) || len(lt.B) != len(welch.Layers[l].B) {
			t.Errorf("layer %d: %d/%d units, Welch gives %d/%d", l, len(lt.A), len(lt.B), len(welch.Layers[l].A), len(welch.Layers[l].B))
		}
	}
	if r := shown(t, m); !equalInts(r.Units[1], welch.Layers[m.layer].A) {
		t.Errorf("Welch lesion zeroes %v, want %v", r.Units[1], welch.Layers[m.layer].A)
	}
	if !strings.Contains(m.View(), "Welch t") {
		t.Errorf("header does not name Welch:\n%s", m.View())
	}
	// Back to Student and to Welch again: both kept, nothing computed.
	for _, want := range []stats.Kind{stats.Student, stats.Welch} {
		_, cmd := m.Update(keyMsg("w"))
		if m.kind != want || m.pendingKind != nil || m.queue.pending() {
			t.Errorf("w to %v: kind %v, pending %v, queue busy %v", want, m.kind, m.pendingKind, m.queue.pending())
		}
		pump(t, m, cmd)
		if p := m.progress(); !p.complete() {
			t.Errorf("%v: lesions lost: %+v", want, p)
		}
	}
}

func equalInts(a, b []int) bool {
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

func TestExportWaitsForTheSweep(t *testing.T) {
	s := fixtureStudy(t)
	m := ready(t, s, Config{}, 120, 40)
	press(t, m, "e")
	if !strings.Contains(m.status, "unavailable") {
		t.Errorf("export without Export: status %q", m.status)
	}
	var got *engine.Results
	gotLayer := -1
	cfg := Config{InitialLayer: 1, Open: openWith(s), Export: func(s *engine.Study, res *engine.Results, layer int) (string, error) {
		got, gotLayer = res, layer
		return "/tmp/report-x", nil
	}}
	m = newModel(cfg)
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.background = false // only the lesion shown is computed: the export must wait for the rest
	pump(t, m, m.Init())
	if m.sweepComplete() {
		t.Fatal("every lesion computed with background work off")
	}
	press(t, m, "e")
	if got == nil || m.status != "exported to /tmp/report-x" {
		t.Fatalf("export: status %q, sweeps %v", m.status, got != nil)
	}
	if gotLayer != 1 || !m.background {
		t.Errorf("exported layer %d (want the selected 1), background %v", gotLayer, m.background)
	}
	if len(got.Sweeps) != 2 || len(got.Sweeps[0]) != len(s.Layers) || got.Timing.Sweep <= 0 {
		t.Fatalf("exported sweep has %d modes, took %v", len(got.Sweeps), got.Timing.Sweep)
	}
	sweep, err := s.Sweep(context.Background(), engine.Design{}.Requests(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range engine.Modes {
		for l := range s.Layers {
			if d := got.Sweeps[i][l].Magnitude - sweep[i][l].Magnitude; d > 1e-5 || d < -1e-5 {
				t.Errorf("%v layer %d: exported magnitude %g, Study.Sweep %g", engine.Modes[i], l, got.Sweeps[i][l].Magnitude, sweep[i][l].Magnitude)
			}
		}
	}
	m.Update(exportMsg{gen: m.gen, err: errors.New("disk full")})
	if m.status != "export failed: disk full" || !m.statusBad {
		t.Errorf("status %q", m.status)
	}
}

func TestBackgroundOffComputesOnlyWhatIsShown(t *testing.T) {
	s := fixtureStudy(t)
	m := newModel(Config{Open: openWith(s), InitialLayer: 0})
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.background = false
	pump(t, m, m.Init())
	if n := len(m.res.lesions); n != 2 {
		t.Fatalf("%d lesions with background work off, want the selected layer's two", n)
	}
	press(t, m, "j", "m")
	if n := len(m.res.lesions); n != 4 {
		t.Errorf("%d lesions after j m, want 4 (layers 0 and 1, both modes)", n)
	}
	press(t, m, "s")
	if !m.sweepComplete() {
		t.Errorf("s: %d lesions", len(m.res.lesions))
	}
}

func TestInitialLayerOutOfRange(t *testing.T) {
	m := ready(t, fixtureStudy(t), Config{InitialLayer: 7}, 80, 24)
	if m.layer != 2 || !strings.Contains(m.status, "layer 7 does not exist") {
		t.Errorf("layer %d, status %q", m.layer, m.status)
	}
	m = ready(t, fixtureStudy(t), Config{InitialLayer: 0}, 80, 24)
	if m.layer != 0 {
		t.Errorf("layer %d, want 0", m.layer)
	}
}

func TestOpenFailureOffersDemo(t *testing.T) {
	m := newModel(Config{
		ModelName: "bert-large-uncased",
		Open: func(ctx context.Context, p Progress) (*engine.Study, error) {
			return nil, errors.New("resolving bert-large-uncased: no network")
		},
		OpenDemo: openWith(fixtureStudy(t)),
		DemoName: "lesionui demo BERT",
	})
	t.Cleanup(m.cancel)
	pump(t, m, m.Init())
	v := m.View()
	if m.state != stateFailed || !strings.Contains(v, "no network") || !strings.Contains(v, "press d to open the shipped demo model instead") {
		t.Fatalf("state %v:\n%s", m.state, v)
	}
	press(t, m, "d")
	if m.state != stateReady || !strings.Contains(m.View(), "DEMO MODEL") {
		t.Fatalf("after d: state %v:\n%s", m.state, m.View())
	}
	if !m.sweepComplete() {
		t.Error("the demo's lesions were not computed")
	}
}

func TestLoadingShowsOneLinePerFile(t *testing.T) {
	started := make(chan Progress)
	m := newModel(Config{ModelName: "bert-large-uncased", Open: func(ctx context.Context, p Progress) (*engine.Study, error) {
		started <- p
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Init() // its Cmds (the open's news, the spinner) are run below, the news only
	p := <-started
	deliver := func() { m.Update(m.open.next()()) }
	// 30 reports of one file, as the Hub sends them every 100 ms, then another file.
	for i := range 30 {
		p.Download(hub.Progress{File: "model.safetensors", Done: int64(i) * 44_000_000, Total: 1_340_000_000, Rate: 21e6, ETA: 40 * time.Second})
		deliver()
		if n := strings.Count(m.View(), "model.safetensors"); n != 1 {
			t.Fatalf("report %d: model.safetensors on %d lines:\n%s", i, n, m.View())
		}
	}
	p.Download(hub.Progress{File: "model.safetensors", Done: 1_340_000_000, Total: 1_340_000_000, Finished: true})
	p.Download(hub.Progress{File: "vocab.txt", Done: 100_000, Total: 231_508})
	p.Load(encoder.LoadProgress{Stage: "weights", Done: 12, Total: 393})
	deliver()
	v := m.View()
	if n := strings.Count(v, "model.safetensors"); n != 1 {
		t.Errorf("model.safetensors on %d lines, want 1:\n%s", n, v)
	}
	for _, want := range []string{"opening bert-large-uncased", "✓ model.safetensors  1.34 GB / 1.34 GB 100%", "vocab.txt", "100.0 kB / 231.5 kB  43%",
		"loading the model: weights 12/393", "q / ctrl+c cancels"} {
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
	if !m.work.close(5 * time.Second) {
		t.Error("the cancelled open did not return")
	}
}

func TestMouse(t *testing.T) {
	s := deepStudy(t)
	m := ready(t, s, Config{InitialLayer: -1}, 120, 40)
	lo := m.layout()
	// A click on a layer row selects it; the wheel moves.
	r := lo.panes[paneLayers]
	first, _ := m.layersWindow(r.h - 3)
	m.Update(click(r.x+3, r.y+2+4)) // the fifth row
	if m.layer != first+4 {
		t.Errorf("click on the fifth layer row: layer %d, want %d", m.layer, first+4)
	}
	m.Update(tea.MouseMsg{X: r.x + 3, Y: r.y + 3, Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.layer != first+5 {
		t.Errorf("wheel down: layer %d, want %d", m.layer, first+5)
	}
	// A click on a collapsed pane's title line focuses it.
	var collapsed paneID = -1
	for p := range paneID(numStacked) {
		if lo.panes[p].h == 1 {
			collapsed = p
			break
		}
	}
	if collapsed < 0 {
		t.Fatal("no collapsed pane at 120x40")
	}
	m.Update(click(lo.panes[collapsed].x+5, lo.panes[collapsed].y))
	if m.focus != collapsed {
		t.Errorf("click on the title line of pane %d: focus %d", collapsed, m.focus)
	}
	// A click in the scatter moves the unit cursor to a unit drawn in that column.
	press(t, m, "z")
	m.focus = paneScatter
	sr := m.layout().panes[paneScatter]
	sl := m.scatterLayout(sr.w-2, sr.h-2)
	lt := s.Layers[m.layer]
	u := lt.ByTuning[len(lt.ByTuning)-1] // the most-tuned unit: at the top or bottom of the chart
	c, row := sl.g.cellCol(u), sl.g.row(lt.T[u])
	m.Update(click(sr.x+1+yLabelW+c, sr.y+1+len(sl.legend)+row))
	if from, to := sl.g.units(c); m.unit < from || m.unit >= to {
		t.Errorf("click on column %d: unit %d, want one of %d..%d", c, m.unit, from, to-1)
	}
	// A click on a bar of Part 3 selects its layer.
	press(t, m, "esc")
	m.focus = panePercent
	pr := m.layout().panes[panePercent]
	ax, _ := fitLayerAxis(len(s.Layers), 2, pr.w-2-yLabelW)
	m.Update(click(pr.x+1+yLabelW+ax.col(7), pr.y+3))
	if m.layer != 7 {
		t.Errorf("click on layer 7's bar: layer %d", m.layer)
	}
}

func TestUnitCursor(t *testing.T) {
	s := demoStudy(t)
	m := ready(t, s, Config{}, 120, 40)
	lt := s.Layers[m.layer]
	top := lt.ByTuning[len(lt.ByTuning)-1]
	if m.unit != top {
		t.Errorf("cursor starts on unit %d, want the most-tuned %d", m.unit, top)
	}
	press(t, m, "U")
	if m.unit != lt.ByTuning[0] {
		t.Errorf("U: unit %d, want the least-tuned %d", m.unit, lt.ByTuning[0])
	}
	press(t, m, "]")
	if m.unit != lt.ByTuning[1] {
		t.Errorf("]: unit %d, want %d", m.unit, lt.ByTuning[1])
	}
	press(t, m, "u", "[")
	if m.unit != lt.ByTuning[len(lt.ByTuning)-2] {
		t.Errorf("u [: unit %d, want the second most tuned", m.unit)
	}
	press(t, m, "h", "l", "l")
	if want := lt.ByTuning[len(lt.ByTuning)-2] + 1; m.unit != want {
		t.Errorf("h l l: unit %d, want %d", m.unit, want)
	}
	for range 200 { // 768 units, about 12 a column: far past the end
		m.Update(keyMsg("L"))
	}
	if m.unit != len(lt.T)-1 {
		t.Errorf("L past the end: unit %d", m.unit)
	}
	u := s.Unit(m.layer, m.unit)
	v := m.View()
	for _, want := range []string{fmt.Sprintf("unit %d", u.Unit), fmt.Sprintf("t %+.3f", u.T), fmt.Sprintf("rank %d of %d by |t|", u.Rank, u.Ranked)} {
		if !strings.Contains(v, want) {
			t.Errorf("inspector lacks %q:\n%s", want, v)
		}
	}
}

func TestResizeAndNoColour(t *testing.T) {
	m := ready(t, demoStudy(t), Config{ModelName: "lesionui demo BERT", Demo: true, Design: setups(t)[1].cfg.Design}, 80, 24)
	press(t, m, "x")
	for _, sz := range [][2]int{{80, 24}, {200, 50}, {64, 18}, {119, 40}, {250, 70}, {100, 30}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for f := range paneID(numStacked) {
			m.focus = f
			for _, help := range []bool{false, true} {
				m.help.shown = help
				fr := m.render()
				if len(fr.lines) != sz[1] || len(fr.cuts) > 0 {
					t.Errorf("%dx%d focus %d help %v: %d lines, cut %q", sz[0], sz[1], f, help, len(fr.lines), fr.cuts)
				}
				if v := fr.String(); strings.Contains(v, "\x1b[") {
					t.Fatalf("escape codes in the Ascii profile:\n%q", v)
				}
			}
		}
	}
	m.help.shown = false
	if !strings.Contains(m.View(), "DEMO MODEL") {
		t.Error("the demo model is not labelled")
	}
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	if v := m.View(); !strings.Contains(v, "at least") || !strings.Contains(v, "40×10") {
		t.Errorf("tiny terminal: %q", v)
	}
}

func TestHelpExplainsPanesColoursAndDelta(t *testing.T) {
	m := ready(t, demoStudy(t), Config{}, 100, 30)
	press(t, m, "?")
	var all strings.Builder
	for range 20 {
		all.WriteString(ansiStrip(m.View()))
		press(t, m, "pgdown")
	}
	text := strings.Join(strings.Fields(all.String()), " ")
	for _, want := range []string{"Part 2 · t-values:", "Part 3 · % significant:", "Parts 4–5 · logits:", "Parts 6–7 · laminar sweep:",
		"class most of its units belong to", "blue", "orange", "grey", "Δ = clean − lesioned", "the lesion lowered the logit", ":N⏎"} {
		if !strings.Contains(text, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	press(t, m, "esc")
	if m.help.shown {
		t.Error("esc did not close the help")
	}
}

func ansiStrip(s string) string { return ansi.Strip(s) }

func TestFailedLesionIsShownAndRetried(t *testing.T) {
	m := ready(t, fixtureStudy(t), Config{}, 100, 30)
	k := m.lesionKey(m.layer, m.mode)
	delete(m.res.lesions, k)
	m.Update(lesionMsg{jobDone: jobDone{gen: m.gen, key: k, err: errors.New("boom")}})
	m.focus = paneLogits
	if v := m.View(); !strings.Contains(v, "lesion failed: boom") {
		t.Fatalf("the failure is not shown:\n%s", v)
	}
	press(t, m, "s", "s") // background off, then on: what failed is tried again
	if _, ok := m.shownLesion(); !ok || len(m.res.errs) != 0 {
		t.Errorf("the failed lesion was not retried: errors %v", m.res.errs)
	}
}
