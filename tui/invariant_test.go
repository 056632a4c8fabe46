package tui

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"lesionui/engine"
)

// sizes are the terminal sizes every layout must serve whole.
var sizes = [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {220, 60}}

// models are the studies the layouts are checked on: the demo (4 layers, 768 units) and a
// model as deep as bert-large (24 layers).
var models = []struct {
	name  string
	study func(testing.TB) *engine.Study
}{{"demo", demoStudy}, {"deep", deepStudy}}

// setup is one of the explorer's settings the layouts are checked in.
type setup struct {
	name string
	cfg  Config
	keys []string
}

// setups are the notebook's settings (top-k, the baseline and the evaluation set off), and
// everything on, with the first and last layer marked for a lesion together.
func setups(t testing.TB) []setup {
	return []setup{
		{"notebook", Config{}, nil},
		{"everything", Config{Design: engine.Design{Units: engine.Top(7), Ablation: engine.Ablation{Kind: engine.PatchAblation}, TopK: 5, Baseline: 4,
			Eval: smallEval(t), Seed: 1}}, []string{"x", "g", "x", "m", "m"}},
	}
}

// TestEveryNumberAndLayerIsDrawn draws every pane focused and zoomed, at the first and the last
// layer, in both modes and on every test text, at every size, in every setup, and checks that
// nothing had to be cut, that every per-layer chart drew every layer with labels every k-th
// layer, that the layer list accounts for every layer, and that each pane shown whole shows its
// numbers in full (a collapsed pane shows its summary, or says how many items it left out).
// LESIONUI_DUMP=FILE writes every screen checked to FILE, to look at.
func TestEveryNumberAndLayerIsDrawn(t *testing.T) {
	var dump *os.File
	if path := os.Getenv("LESIONUI_DUMP"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		dump = f
	}
	for _, md := range models {
		s := md.study(t)
		for _, su := range setups(t) {
			cfg := su.cfg
			cfg.ModelName, cfg.InitialLayer = md.name+" model", -1
			m := ready(t, s, cfg, 80, 24)
			press(t, m, su.keys...)
			for _, sz := range sizes {
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				for _, layer := range []int{0, len(s.Layers) - 1} {
					m.layer = layer
					for focus := range paneID(numStacked) {
						if !m.paneShown(focus) {
							continue
						}
						for _, zoom := range []bool{false, true} {
							for _, st := range []struct {
								mode engine.Mode
								text int
							}{{engine.MostTuned, 1}, {engine.LeastTuned, 2}, {engine.MostTuned, 0}} {
								m.focus, m.zoom, m.mode, m.text = focus, zoom, st.mode, st.text
								name := fmt.Sprintf("%s %s %dx%d layer %d focus %d zoom %v %v text %d", md.name, su.name, sz[0], sz[1], layer, focus, zoom, st.mode, st.text)
								f := m.render()
								if dump != nil {
									fmt.Fprintf(dump, "=== %s\n%s\n", name, ansi.Strip(f.String()))
								}
								checkFrame(t, name, m, f)
							}
						}
					}
				}
			}
		}
	}
}

// checkFrame checks one screen.
func checkFrame(t *testing.T, name string, m *Model, f *frame) {
	t.Helper()
	s := m.study()
	n := len(s.Layers)
	if len(f.lines) != m.height {
		t.Errorf("%s: %d lines, want %d", name, len(f.lines), m.height)
	}
	screen := ansi.Strip(f.String())
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if w := width(l); w != m.width {
			t.Errorf("%s: line %d is %d wide, want %d: %q", name, i, w, m.width, l)
		}
	}
	for _, c := range f.cuts {
		t.Errorf("%s: cut to fit: %q", name, c)
	}
	// Every per-layer chart draws every layer and labels every k-th from 0, at even spacing.
	for _, c := range f.charts {
		if len(c.layers) != n {
			t.Errorf("%s: %s drew %d of %d layers", name, c.name, len(c.layers), n)
		}
		if len(c.labels) == 0 || c.labels[0] != 0 {
			t.Errorf("%s: %s labels %v do not start at layer 0", name, c.name, c.labels)
		}
		if !axisOnScreen(lines, c.labels) {
			t.Errorf("%s: %s's axis labels %v are not on screen, evenly spaced:\n%s", name, c.name, c.labels, screen)
		}
	}
	lo := m.layout()
	expanded := func(p paneID) bool { return lo.panes[p].h > 1 }
	has := func(what, s string) {
		if !strings.Contains(screen, s) {
			t.Errorf("%s: %s %q not on screen:\n%s", name, what, s, screen)
		}
	}
	// The layer list: the rows shown and the count of those above and below make every layer.
	if expanded(paneLayers) {
		lw, cw := m.layersCols()
		first, shown := m.layersWindow(lo.panes[paneLayers].h - 3)
		for l := first; l < first+shown; l++ {
			lt := s.Layers[l]
			has("layer row", fmt.Sprintf("%*d %*d %*d", lw, l, cw, len(lt.A), cw, len(lt.B)))
		}
		if shown < n {
			has("layer list note", fmt.Sprintf("↑%d ↓%d more", first, n-first-shown))
		}
	}
	for p := range paneID(numStacked) {
		r := lo.panes[p]
		switch {
		case r.h == 0:
		case r.h == 1:
			line := lines[r.y]
			for _, it := range m.panes[p].summary(m) {
				if !strings.Contains(line, it) && !regexp.MustCompile(`\(\+\d+: tab\)|\(tab opens it\)`).MatchString(line) {
					t.Errorf("%s: collapsed %s lacks %q and says nothing of it: %q", name, m.panes[p].name(), it, line)
				}
			}
		default:
			checkPaneNumbers(t, name, m, p, screen, has)
		}
	}
}

// checkPaneNumbers checks that a pane shown whole shows its numbers.
func checkPaneNumbers(t *testing.T, name string, m *Model, p paneID, screen string, has func(what, s string)) {
	s := m.study()
	switch p {
	case paneScatter:
		lv := m.layerView(m.layer)
		for k := range lv.counts {
			has("class count", fmt.Sprintf(" %d (%.1f%%)", lv.counts[k], 100*float64(lv.counts[k])/float64(len(lv.classes))))
		}
		// Both lines of the smallest significant |t| are labelled, or one label says ± when
		// they share a row.
		if c := lv.crit; c > 0 && !strings.Contains(screen, fmt.Sprintf("±%.1f┤", c)) {
			has("+t-critical label", fmt.Sprintf("%+.1f┤", c))
			has("-t-critical label", fmt.Sprintf("%+.1f┤", -c))
		}
		u := s.Unit(m.layer, m.unit)
		has("unit", fmt.Sprintf("unit %d", u.Unit))
		has("unit t", fmt.Sprintf("t %+.3f", u.T))
		has("unit q", fmt.Sprintf("q %.2g", u.Q))
		has("unit g", fmt.Sprintf("g %+.2f", u.G))
		if r, ok := m.res.sets[m.unitKey()]; ok {
			has("unit alone", "|Δ| "+small(r.Magnitude, ""))
			has("unit alone, its word", small(r.Impact[1], "+"))
		}
	case panePercent:
		pa, pb, _ := m.percents()
		has("selected layer's shares", fmt.Sprintf("%s: %.1f%% / %.1f%%", m.layerTag(m.layer), pa[m.layer], pb[m.layer]))
	case paneLogits:
		r := effectShown(t, m)
		r2 := m.layout().panes[paneLogits]
		texts, _ := m.logitTexts(r2.w - 2)
		for _, tx := range texts {
			for pos := range 2 {
				for wd := range 2 {
					has("clean logit", fmt.Sprintf("%.2f", s.Clean[tx][pos][wd]))
					if tx > 0 {
						has("Δ", fmt.Sprintf("%+.3f", r.delta[tx][pos][wd]))
					}
				}
			}
		}
	case paneSweep:
		for _, mode := range engine.Modes {
			r, _ := m.lesion(m.layer, mode)
			has("sweep magnitude", fmt.Sprintf("|Δ| %.3f", r.Magnitude))
			has("sweep impact", fmt.Sprintf("%+.3f", r.Impact[1]))
		}
		// The signed Δ chart draws both signs (its top and bottom labels), or is left out and
		// the pane says so: one row would show only the negative changes.
		if d := m.sweepData(); !strings.Contains(screen, "Δ per word: z") {
			has("Δ chart's top", fmt.Sprintf("%+.2f┤", d.imp))
			has("Δ chart's bottom", fmt.Sprintf("%+.2f┤", -d.imp))
		}
		if m.baselineOn {
			b := m.res.baselines[m.baselineKey(m.layer)]
			lo, _ := b.Quantile(0.05)
			hi, _ := b.Quantile(0.95)
			has("random band", fmt.Sprintf("%.3f–%.3f", lo, hi))
			has("percentile", fmt.Sprintf("at the %.0fth percentile", b.Percentile))
		}
	case paneTopK:
		clean := m.res.topK[m.cleanTopKKey()]
		lesioned := m.res.topK[m.topKKey(m.layer, m.mode)]
		for _, tx := range m.topKTexts(m.layout().panes[paneTopK].w - 2) {
			has("top clean token", tokenText(clean[tx][tx-1][0].Token))
			has("top clean logit", fmt.Sprintf(" %.2f", clean[tx][tx-1][0].Logit))
			if m.lesionOn {
				has("top lesioned logit", fmt.Sprintf(" %.2f", lesioned[tx][tx-1][0].Logit))
			}
		}
	case paneEval:
		has("clean accuracy", fmt.Sprintf("clean two-word accuracy %.1f%%", 100*m.res.evaluation.AccuracyClean))
		for _, mode := range engine.Modes {
			r := m.res.evals[m.evalKey(m.layer, mode)]
			has("margin change", fmt.Sprintf("Δmargin %+.3f [%+.3f, %+.3f]", r.MarginDelta, r.CI[0], r.CI[1]))
			has("accuracy", fmt.Sprintf("%.1f%% → %.1f%%", 100*r.AccuracyClean, 100*r.AccuracyLesioned))
		}
	}
}

var number = regexp.MustCompile(`\d+`)

// axisOnScreen reports whether some line holds exactly the labels, evenly spaced.
func axisOnScreen(lines []string, labels []int) bool {
	for _, l := range lines {
		for _, seg := range strings.FieldsFunc(l, func(r rune) bool { return r == '│' || r == '┃' }) {
			locs := number.FindAllStringIndex(seg, -1)
			if len(locs) != len(labels) {
				continue
			}
			ok := true
			for i, loc := range locs {
				v, _ := strconv.Atoi(seg[loc[0]:loc[1]])
				if v != labels[i] || i >= 2 && loc[0]-locs[i-1][0] != locs[1][0]-locs[0][0] {
					ok = false
					break
				}
			}
			if ok && strings.TrimSpace(number.ReplaceAllString(seg, "")) == "" {
				return true
			}
		}
	}
	return false
}
