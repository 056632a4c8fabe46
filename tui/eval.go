package tui

import (
	"fmt"
	"math"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
)

// evalPane is the evaluation set (v): per layer and mode, the mean change of the answer's margin
// over the items (clean − lesioned; + means the lesion weakened the right answer) with its 95 %
// bootstrap interval, drawn as a mean and a whisker per layer, and for the selected layer the
// two-word accuracy clean and lesioned and the number of items whose decision flips. The clean
// pass comes first (slow: every item through the model), then each layer's lesions, nearest the
// selected layer first.
type evalPane struct{}

// evalData is the evaluation set's results so far, [mode][layer] in engine.Modes order.
type evalData struct {
	have        [2][]bool
	mean        [2][]float64
	lo, hi      [2][]float64
	top, bottom float64 // the y range: every interval and 0
	done, total int
}

func (m *Model) evalData() evalData {
	n := len(m.study().Layers)
	d := evalData{total: n * len(engine.Modes)}
	for i, mode := range engine.Modes {
		d.have[i], d.mean[i], d.lo[i], d.hi[i] = make([]bool, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for l := range n {
			r, ok := m.res.evals[m.evalKey(l, mode)]
			if !ok {
				continue
			}
			d.done++
			d.have[i][l], d.mean[i][l], d.lo[i][l], d.hi[i][l] = true, r.MarginDelta, r.CI[0], r.CI[1]
			d.top, d.bottom = math.Max(d.top, r.CI[1]), math.Min(d.bottom, r.CI[0])
		}
	}
	return d
}

// evalNumbers are the set's clean accuracy (or why there is none yet) and the selected layer's
// results, a line or two per mode, in lines of w.
func (m *Model) evalNumbers(w int) []string {
	set := m.evalSet
	ev := m.res.evaluation
	var lines []string
	switch {
	case ev != nil:
		lines = flow([]string{set.Name + ":", fmt.Sprintf("%d items,", len(ev.Items)), fmt.Sprintf("clean two-word accuracy %.1f%%", 100*ev.AccuracyClean)}, " ", w)
	case m.res.errs[evalCleanKey] != nil:
		return wrapText(styles.bad.Render("evaluation set failed: "+m.res.errs[evalCleanKey].Error()), w)
	default:
		return wrapText(m.spin.View()+fmt.Sprintf(" %s: running its %d items through the clean model: layer %d of %d…", set.Name, len(set.Items),
			m.res.evalProgress.Load(), len(m.study().Layers)), w)
	}
	for _, mode := range engine.Modes {
		k := m.evalKey(m.layer, mode)
		mark := " "
		if mode == m.mode {
			mark = styles.selected.Render(glyphs.mark)
		}
		items := []string{mark + fmt.Sprintf("%-5s", mode)}
		switch r, ok := m.res.evals[k]; {
		case ok:
			items = append(items, fmt.Sprintf("Δmargin %+.3f [%+.3f, %+.3f]", r.MarginDelta, r.CI[0], r.CI[1]),
				fmt.Sprintf("accuracy %.1f%% → %.1f%%", 100*r.AccuracyClean, 100*r.AccuracyLesioned), fmt.Sprintf("%d %s", r.Flips, plural(r.Flips, "flip", "flips")))
		case m.res.errs[k] != nil:
			items = append(items, styles.bad.Render("failed: "+m.res.errs[k].Error()))
		default:
			items = append(items, styles.dim.Render("not computed yet"))
		}
		lines = append(lines, flow(items, "  ", w)...)
	}
	return lines
}

func (m *Model) evalLegend() string {
	return styles.dim.Render("Δmargin = clean − lesioned margin of the answer (+: the lesion weakened it), mean and 95 % interval "+glyphs.whisker+": ") +
		styles.lesion.Render(glyphs.meanA+" most-tuned") + "  " + styles.lesion.Render(glyphs.meanB+" least-tuned")
}

// evalStatus says how far the evaluation set's lesions are, or nothing when they are done.
func (m *Model) evalStatus(d evalData) string {
	switch {
	case d.done == d.total || m.res.evaluation == nil:
		return ""
	case m.background:
		return fmt.Sprintf("%s %d of %d lesions of the set, nearest %s first (slow: every item each)", m.spin.View(), d.done, d.total, m.layerTag(m.layer))
	}
	return fmt.Sprintf("%d of %d lesions of the set; background work paused (s resumes)", d.done, d.total)
}

func (evalPane) name() string { return "Evaluation set" }

func (evalPane) title(m *Model) string {
	return fmt.Sprintf("Evaluation set · margin change per layer, %s units %s", m.unitsName(), ablationName(m.ablation))
}

func (evalPane) summary(m *Model) []string {
	var items []string
	for _, mode := range engine.Modes {
		if r, ok := m.res.evals[m.evalKey(m.layer, mode)]; ok {
			items = append(items, fmt.Sprintf("%s Δmargin %+.3f", mode, r.MarginDelta))
		}
	}
	if d := m.evalData(); d.done < d.total {
		items = append(items, fmt.Sprintf("%d/%d lesions", d.done, d.total))
	}
	return items
}

func (evalPane) heights(m *Model, w int) (int, int) {
	lines := len(m.evalNumbers(w - 2))
	if m.res.evaluation == nil {
		return 2 + lines, 2 + lines
	}
	if d := m.evalData(); d.done < d.total {
		lines++
	}
	least := 2 + lines + 2 + 2 // the numbers, two chart rows, the axis
	return least, least + len(wrapText(m.evalLegend(), w-2)) + 8
}

func (evalPane) view(m *Model, f *frame, w, h int) ([]string, string) {
	lines := m.evalNumbers(w)
	if m.res.evaluation == nil {
		return lines, ""
	}
	d := m.evalData()
	if st := m.evalStatus(d); st != "" {
		lines = append(lines, st)
	}
	ax, ok := fitLayerAxis(len(m.study().Layers), 2, w-yLabelW)
	if !ok {
		return append(lines, m.tooNarrow(ax, w)...), "z zooms"
	}
	note := ""
	if legend := wrapText(m.evalLegend(), w); len(lines)+len(legend)+2+2 <= h {
		lines = append(lines, legend...)
	} else {
		note = "legend: ?"
	}
	rows := max(1, h-len(lines)-2)
	lines = append(lines, whiskerChart(ax, []whiskers{
		{mean: d.mean[0], lo: d.lo[0], hi: d.hi[0], have: d.have[0], glyph: glyphs.meanA},
		{mean: d.mean[1], lo: d.lo[1], hi: d.hi[1], have: d.have[1], glyph: glyphs.meanB},
	}, d.bottom, d.top, rows, "%+.2f")...)
	axis := ax.axisRows(m.layerTag(m.layer), m.layer, w)
	f.recordChart("Evaluation set", ax)
	return append(lines, axis[0], axis[1]), note
}

func (evalPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	return nil, m.layerChartMouse(msg, paneEval)
}

// whiskers is one series of a whisker chart: per layer a mean and its interval [lo, hi], have[l]
// false for a layer not computed yet.
type whiskers struct {
	mean, lo, hi []float64
	have         []bool
	glyph        string // the mean's mark
}

// whiskerChart draws rows rows of intervals on axis a, one slot per series in every layer's
// group, on the scale [lo, hi] (lo ≤ 0 ≤ hi) with a zero line and y labels in format: each
// interval as glyphs.whisker over the rows it covers, its mean as the series' glyph. A layer not
// computed yet shows glyphs.pending on the zero line.
func whiskerChart(a layerAxis, ss []whiskers, lo, hi float64, rows int, format string) []string {
	if hi-lo < 1e-12 {
		lo, hi = lo-1, hi+1
	}
	step := (hi - lo) / float64(rows)
	row := func(v float64) int { return max(0, min(rows-1, int((hi-v)/step))) }
	zero := row(0)
	lines := make([]string, 0, rows)
	for r := range rows {
		var b strings.Builder
		b.WriteString(styles.dim.Render(rowLabel(r, 0, zero, rows-1, lo, hi, format)))
		for l := range a.n {
			for _, s := range ss {
				cell, st := " ", styles.lesion
				switch {
				case !s.have[l]:
					st = styles.dim
					if r == zero {
						cell = glyphs.pending
					}
				case row(s.mean[l]) == r:
					cell = s.glyph
				case row(s.lo[l]) >= r && row(s.hi[l]) <= r:
					cell = glyphs.whisker
				case r == zero:
					b.WriteString(styles.dim.Render(strings.Repeat("┈", a.bw)))
					continue
				}
				left := (a.bw - 1) / 2 // the mark in the slot's middle
				b.WriteString(strings.Repeat(" ", left) + st.Render(cell) + strings.Repeat(" ", a.bw-1-left))
			}
			if l < a.n-1 {
				b.WriteString(strings.Repeat(" ", a.gap))
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}
