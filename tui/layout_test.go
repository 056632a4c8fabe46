package tui

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/sentences"
)

// bertLargeShaped is a study shaped like bert-large-uncased's (24 layers × 4096 units) with
// made-up statistics and a made-up sweep, for layout tests; it cannot run lesions.
func bertLargeShaped() (*engine.Study, [][]engine.LesionResult) {
	r := rand.New(rand.NewSource(1))
	s := &engine.Study{Model: &encoder.Model{}, Set: sentences.Builtin()}
	s.Model.Config.IntermediateSize = 4096
	s.Targets.Words = [2]string{"her", "him"}
	sweep := make([][]engine.LesionResult, len(engine.Modes))
	for l := range 24 {
		lt := engine.LayerTest{Layer: l, T: make([]float64, 4096)}
		for u := range lt.T {
			lt.T[u] = r.NormFloat64() * (1 + float64(l)/6)
			switch {
			case lt.T[u] > 4:
				lt.A = append(lt.A, u)
			case lt.T[u] < -4:
				lt.B = append(lt.B, u)
			}
		}
		s.Layers = append(s.Layers, lt)
		for i, mode := range engine.Modes {
			sweep[i] = append(sweep[i], engine.LesionResult{Layer: l, Request: engine.Design{}.Request(mode), Magnitude: r.Float64(),
				Impact: [2]float64{r.NormFloat64(), r.NormFloat64()}})
		}
	}
	return s, sweep
}

// largeModel is an explorer opened on bertLargeShaped, with its sweep and lesions in place.
func largeModel(t testing.TB) (*Model, *engine.Study) {
	s, sweep := bertLargeShaped()
	m := newModel(Config{ModelName: "bert-large-uncased", InitialLayer: -1})
	t.Cleanup(m.cancel)
	m.opened(s)
	v := m.view()
	v.sweep = sweep
	for i, mode := range engine.Modes {
		for _, r := range sweep[i] {
			v.lesions[lesionKey{r.Layer, mode}] = r
		}
	}
	return m, s
}

func TestManyLayersLayout(t *testing.T) {
	m, s := largeModel(t)
	for _, sz := range [][2]int{{80, 24}, {200, 50}} {
		w, h := sz[0], sz[1]
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		for _, layer := range []int{0, 23} {
			m.layer = layer
			for f := range numFocus {
				m.focus = pane(f)
				out := m.View()
				lines := strings.Split(out, "\n")
				if len(lines) != h {
					t.Errorf("%dx%d focus %v: %d lines", w, h, m.focus, len(lines))
				}
				for i, l := range lines {
					if lipgloss.Width(l) > w {
						t.Errorf("%dx%d focus %v: line %d is %d wide", w, h, m.focus, i, lipgloss.Width(l))
					}
				}
				if want := fmt.Sprintf("▶%3d", layer); !strings.Contains(out, want) {
					t.Errorf("%dx%d: selected layer %d not in the list:\n%s", w, h, layer, out)
				}
			}
		}
	}
	// The scatter's title counts the classes of all 4096 units.
	m.layer, m.focus = 23, paneScatter
	lt := s.Layers[23]
	if want := "n.s. " + share(4096-len(lt.A)-len(lt.B), 4096); !strings.Contains(m.View(), want) {
		t.Errorf("scatter legend lacks %q", want)
	}
}

// BenchmarkViewLarge draws whole 200×50 screens of the bert-large-shaped study, each chart pane
// focused in turn, without and with colour: a screen must take a few milliseconds at most.
func BenchmarkViewLarge(b *testing.B) {
	prev := lipgloss.ColorProfile()
	b.Cleanup(func() { lipgloss.SetColorProfile(prev) })
	m, _ := largeModel(b)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	m.layer = 23
	for _, prof := range []termenv.Profile{termenv.Ascii, termenv.TrueColor} {
		lipgloss.SetColorProfile(prof)
		for _, f := range []pane{paneScatter, panePercent, paneSweep} {
			m.focus = f
			b.Run(fmt.Sprintf("profile=%d/pane=%d", prof, f), func(b *testing.B) {
				for b.Loop() {
					_ = m.View()
				}
			})
		}
	}
}
