package tui

import (
	"fmt"
	"math"

	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
)

// sweepPane is Parts 6 and 7, the laminar sweep: for every layer, the mean |Δ| of the 12
// target logits under the most- and the least-tuned lesion side by side (Part 7's control on
// the same chart and scale), and the signed change of each word's logit at its own [MASK]
// under the mode shown. Both charts share one x axis. The lesions come from the background
// work, so the charts fill in as they arrive, nearest the selected layer first.
type sweepPane struct{}

// sweepData is the sweep as computed so far, [mode][layer] in engine.Modes order.
type sweepData struct {
	have        [2][]bool
	mag         [2][]float64
	impact      [2][2][]float64 // [mode][word][layer]
	magTop, imp float64         // the scales, shared by both modes
	done, total int
}

func (m *Model) sweepData() sweepData {
	v := m.variant()
	n := len(v.study.Layers)
	var d sweepData
	d.total = n * len(engine.Modes)
	for i, mode := range engine.Modes {
		d.have[i], d.mag[i] = make([]bool, n), make([]float64, n)
		d.impact[i] = [2][]float64{make([]float64, n), make([]float64, n)}
		for l := range n {
			r, ok := v.lesions[lesionKey{l, mode}]
			if !ok {
				continue
			}
			d.done++
			d.have[i][l], d.mag[i][l] = true, r.Magnitude
			d.magTop = math.Max(d.magTop, r.Magnitude)
			for w := range 2 {
				d.impact[i][w][l] = r.Impact[w]
				d.imp = math.Max(d.imp, math.Abs(r.Impact[w]))
			}
		}
	}
	return d
}

func modeIndex(mode engine.Mode) int {
	if mode == engine.LeastTuned {
		return 1
	}
	return 0
}

// sweepNumbers are the selected layer's sweep numbers, one line per mode.
func (m *Model) sweepNumbers() []string {
	s := m.study()
	words := s.Targets.Words
	var lines []string
	for _, mode := range engine.Modes {
		r, ok := m.lesion(lesionKey{m.layer, mode})
		line := fmt.Sprintf("%-5s ", mode)
		if ok {
			line += fmt.Sprintf("|Δ| %.3f  Δ%s %+.3f  Δ%s %+.3f", r.Magnitude, words[0], r.Impact[0], words[1], r.Impact[1])
		} else {
			line += styles.dim.Render("not computed yet")
		}
		if mode == m.mode {
			line = styles.selected.Render(glyphs.mark) + line
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	return lines
}

// sweepStatus says how far the background work is, or nothing when it is done.
func (m *Model) sweepStatus(d sweepData) string {
	switch {
	case d.done == d.total:
		return ""
	case m.background:
		return fmt.Sprintf("%s %d of %d lesions, nearest layer %d first; %s not yet", m.spin.View(), d.done, d.total, m.layer, glyphs.pending)
	}
	return fmt.Sprintf("%d of %d lesions; background work paused (s resumes)", d.done, d.total)
}

func (sweepPane) name() string { return "Parts 6–7 · sweep" }

func (sweepPane) title(m *Model) string {
	return "Parts 6–7 · laminar sweep, every layer lesioned"
}

func (sweepPane) summary(m *Model) []string {
	d := m.sweepData()
	items := []string{}
	for _, mode := range engine.Modes {
		if r, ok := m.lesion(lesionKey{m.layer, mode}); ok {
			items = append(items, fmt.Sprintf("%s |Δ| %.3f", mode, r.Magnitude))
		}
	}
	if d.done < d.total {
		items = append(items, fmt.Sprintf("%d/%d lesions", d.done, d.total))
	}
	return items
}

func (m *Model) sweepLegends() (mag, imp string) {
	s := m.study()
	mag = styles.dim.Render("mean |Δ| of the 12 logits: ") + styles.lesion.Render(seriesMark(false)+" most-tuned") + "  " + styles.lesion.Render(seriesMark(true)+" least-tuned")
	imp = styles.dim.Render(fmt.Sprintf("Δ of each word at its [MASK], %s-tuned (m): ", m.mode))
	for wd, word := range s.Targets.Words {
		imp += m.wordStyle(wd).Render(seriesMark(word == s.Set.B.Word)+" "+word) + " "
	}
	return mag, imp
}

const sweepFixed = 2 + 2 + 2 // the numbers, the two legends, the axis rows

func (sweepPane) heights(m *Model, w int) (int, int) {
	status := 0
	if d := m.sweepData(); d.done < d.total {
		status = 1
	}
	mag, imp := m.sweepLegends()
	legends := len(wrapText(mag, w-2)) + len(wrapText(imp, w-2)) - 2
	least := 2 + sweepFixed + status + legends + 2*3
	return least, least + 2*5
}

func (sweepPane) view(m *Model, f *frame, w, h int) ([]string, string) {
	s := m.study()
	d := m.sweepData()
	lines := m.sweepNumbers()
	if st := m.sweepStatus(d); st != "" {
		lines = append(lines, st)
	}
	ax, ok := fitLayerAxis(len(s.Layers), 2, w-yLabelW)
	if !ok {
		return append(lines, m.tooNarrow(ax, w)...), "z zooms"
	}
	magLegend, impLegend := m.sweepLegends()
	legend1, legend2 := wrapText(magLegend, w), wrapText(impLegend, w)
	avail := max(2, h-len(lines)-len(legend1)-len(legend2)-2)
	r1 := max(1, avail/2)
	r2 := max(1, avail-r1)
	mi := modeIndex(m.mode)
	lines = append(lines, legend1...)
	lines = append(lines, layerBars(ax, []layerSeries{
		{vals: d.mag[0], have: d.have[0], style: styles.lesion},
		{vals: d.mag[1], have: d.have[1], style: styles.lesion, shade: true},
	}, 0, d.magTop, r1, "%.2f")...)
	lines = append(lines, legend2...)
	var imp []layerSeries
	for wd, word := range s.Targets.Words {
		imp = append(imp, layerSeries{vals: d.impact[mi][wd], have: d.have[mi], style: m.wordStyle(wd), shade: word == s.Set.B.Word})
	}
	lines = append(lines, layerBars(ax, imp, -d.imp, d.imp, r2, "%+.2f")...)
	axis := ax.axisRows(m.layer, w)
	f.recordChart("Parts 6–7", ax)
	return append(lines, axis[0], axis[1]), ""
}

func (sweepPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	return nil, m.layerChartMouse(msg, paneSweep)
}
