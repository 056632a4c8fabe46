package tui

import (
	"fmt"
	"math"

	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
)

// sweepPane is Parts 6 and 7, the laminar sweep: for every layer, the mean |Δ| of the 12
// target logits under the most- and the least-tuned lesion side by side (Part 7's control on
// the same chart and scale) and, with the random baseline on (b), the 5–95 % band of random
// units of the most-tuned sets' sizes; under it the signed change of each word's logit at its
// own [MASK] under the mode shown. Both charts share one x axis. The lesions come from the
// background work, so the charts fill in as they arrive, nearest the selected layer first.
type sweepPane struct{}

// sweepData is the sweep as computed so far, [mode][layer] in engine.Modes order, and the random
// baseline's band per layer.
type sweepData struct {
	have        [2][]bool
	mag         [2][]float64
	impact      [2][2][]float64 // [mode][word][layer]
	haveBand    []bool
	bandLo      []float64 // 5 % quantile of the random draws' magnitudes
	bandHi      []float64 // 95 %
	magTop, imp float64   // the scales, shared by both modes
	done, total int
}

func (m *Model) sweepData() sweepData {
	n := len(m.study().Layers)
	var d sweepData
	d.total = n * len(engine.Modes)
	for i, mode := range engine.Modes {
		d.have[i], d.mag[i] = make([]bool, n), make([]float64, n)
		d.impact[i] = [2][]float64{make([]float64, n), make([]float64, n)}
		for l := range n {
			r, ok := m.lesion(l, mode)
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
	if m.baselineOn {
		d.haveBand, d.bandLo, d.bandHi = make([]bool, n), make([]float64, n), make([]float64, n)
		for l := range n {
			if b, ok := m.res.baselines[m.baselineKey(l)]; ok {
				d.haveBand[l] = true
				d.bandLo[l], _ = b.Quantile(0.05)
				d.bandHi[l], _ = b.Quantile(0.95)
				d.magTop = math.Max(d.magTop, d.bandHi[l])
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

// sweepNumbers are the selected layer's sweep numbers, one line per mode, and the random
// baseline's when it is on, flowed into lines of w.
func (m *Model) sweepNumbers(w int) []string {
	s := m.study()
	words := s.Targets.Words
	var lines []string
	for _, mode := range engine.Modes {
		r, ok := m.lesion(m.layer, mode)
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
	if m.baselineOn {
		k := m.baselineKey(m.layer)
		var items []string
		switch b, ok := m.res.baselines[k]; {
		case ok:
			lo, _ := b.Quantile(0.05)
			hi, _ := b.Quantile(0.95)
			items = []string{fmt.Sprintf(" random |Δ| 5–95 %% %.3f–%.3f", lo, hi), fmt.Sprintf("of %d draws:", len(b.Draws)),
				fmt.Sprintf("most-tuned at the %.0fth percentile", b.Percentile)}
		case m.res.errs[k] != nil:
			items = []string{styles.bad.Render(" baseline failed: " + m.res.errs[k].Error())}
		default:
			items = []string{styles.dim.Render(fmt.Sprintf(" %s random baseline: %d draws…", m.spin.View(), m.draws))}
		}
		lines = append(lines, flow(items, " ", w)...)
	}
	return lines
}

// sweepStatus says how far the background work is, or nothing when it is done.
func (m *Model) sweepStatus(d sweepData) string {
	switch {
	case d.done == d.total:
		return ""
	case m.background:
		return fmt.Sprintf("%s %d of %d lesions, nearest %s first; %s not yet", m.spin.View(), d.done, d.total, m.layerTag(m.layer), glyphs.pending)
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
		if r, ok := m.lesion(m.layer, mode); ok {
			items = append(items, fmt.Sprintf("%s |Δ| %.3f", mode, r.Magnitude))
		}
	}
	if b, ok := m.res.baselines[m.baselineKey(m.layer)]; ok && m.baselineOn {
		items = append(items, fmt.Sprintf("random pct %.0f", b.Percentile))
	}
	if d.done < d.total {
		items = append(items, fmt.Sprintf("%d/%d lesions", d.done, d.total))
	}
	return items
}

func (m *Model) sweepLegends(band bool) (mag, imp string) {
	s := m.study()
	mag = styles.dim.Render("mean |Δ| of the 12 logits: ") + styles.lesion.Render(seriesMark(false)+" most-tuned") + "  " + styles.lesion.Render(seriesMark(true)+" least-tuned")
	if band {
		mag += "  " + styles.ns.Render(glyphs.band+" random 5–95 %")
	}
	imp = styles.dim.Render(fmt.Sprintf("Δ of each word at its [MASK], %s-tuned (m): ", m.mode))
	for wd, word := range s.Targets.Words {
		imp += m.wordStyle(wd).Render(seriesMark(word == s.Set.B.Word)+" "+word) + " "
	}
	return mag, imp
}

// sweepAxis is the sweep's x axis in a plot w wide: three bars a layer with the random band, when
// it is on and they fit, else two; band says whether the band is drawn.
func (m *Model) sweepAxis(w int) (ax layerAxis, band, ok bool) {
	n := len(m.study().Layers)
	if m.baselineOn {
		if ax, ok := fitLayerAxis(n, 3, w); ok {
			return ax, true, true
		}
	}
	ax, ok = fitLayerAxis(n, 2, w)
	return ax, false, ok
}

func (sweepPane) heights(m *Model, w int) (int, int) {
	iw := w - 2
	fixed := len(m.sweepNumbers(iw)) + 2 // the numbers, the axis rows
	if d := m.sweepData(); d.done < d.total {
		fixed++
	}
	_, band, _ := m.sweepAxis(iw - yLabelW)
	mag, imp := m.sweepLegends(band)
	legends := len(wrapText(mag, iw)) + len(wrapText(imp, iw))
	least := 2 + fixed + 2
	return least, least + legends + 2*4
}

func (sweepPane) view(m *Model, f *frame, w, h int) ([]string, string) {
	s := m.study()
	d := m.sweepData()
	lines := m.sweepNumbers(w)
	if st := m.sweepStatus(d); st != "" {
		lines = append(lines, wrapText(st, w)...)
	}
	ax, band, ok := m.sweepAxis(w - yLabelW)
	if !ok {
		return append(lines, m.tooNarrow(ax, w)...), "z zooms"
	}
	var notes []string
	if m.baselineOn && !band {
		notes = append(notes, fmt.Sprintf("random band (%d columns): widen", layerAxis{n: ax.n, slots: 3, bw: 1}.width()+yLabelW+2))
	}
	magLegend, impLegend := m.sweepLegends(band)
	legend1, legend2 := wrapText(magLegend, w), wrapText(impLegend, w)
	fixed := len(lines) + 2 // the axis rows
	if fixed+len(legend1)+len(legend2)+2 > h {
		legend1, legend2 = nil, nil
		notes = append(notes, "legend: ?")
	}
	// The signed chart needs a row for each sign (in one row only the negative changes would
	// show), so below three rows the magnitudes take them all.
	avail := max(1, h-fixed-len(legend1)-len(legend2))
	r1, r2 := avail, 0
	if avail >= 3 {
		r1 = avail / 2
		r2 = avail - r1
	} else {
		notes = append(notes, "Δ per word: z")
	}
	mi := modeIndex(m.mode)
	lines = append(lines, legend1...)
	mag := []layerSeries{
		{vals: d.mag[0], have: d.have[0], style: styles.lesion},
		{vals: d.mag[1], have: d.have[1], style: styles.lesion, shade: true},
	}
	if band {
		mag = append(mag, layerSeries{vals: d.bandHi, from: d.bandLo, have: d.haveBand, style: styles.ns})
	}
	lines = append(lines, layerBars(ax, mag, 0, d.magTop, r1, "%.2f")...)
	if r2 > 0 {
		lines = append(lines, legend2...)
		var imp []layerSeries
		for wd, word := range s.Targets.Words {
			imp = append(imp, layerSeries{vals: d.impact[mi][wd], have: d.have[mi], style: m.wordStyle(wd), shade: word == s.Set.B.Word})
		}
		if band {
			imp = append(imp, layerSeries{}) // the band's slot stays empty: one x axis for both charts
		}
		lines = append(lines, layerBars(ax, imp, -d.imp, d.imp, r2, "%+.2f")...)
	}
	axis := ax.axisRows(m.layerTag(m.layer), m.layer, w)
	f.recordChart("Parts 6–7", ax)
	return append(lines, axis[0], axis[1]), joinNote(notes...)
}

func (sweepPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	return nil, m.layerChartMouse(msg, paneSweep)
}
