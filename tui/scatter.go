package tui

import (
	"fmt"
	"math"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"lesionui/engine"
)

// scatterPane is Part 2: the t-value of every unit of the selected layer by class, with the
// lines of the smallest significant |t| and a unit cursor whose unit is inspected beside or
// under the chart (its t, p, q, rank and its activations in both groups).
//
// The y range leaves out the most extreme 0.5 % of t-values on each side (they show as ↑ ↓ in
// the edge rows and are counted in the legend), so that the bulk of the units, the
// non-significant ones among them, spreads over the rows; each cell shows the class most of its
// units belong to, ties going to the non-significant.
type scatterPane struct{}

// layerView is what Part 2 shows of one layer, made once per layer and t-test.
type layerView struct {
	ready        bool
	classes      []engine.Class
	counts       [3]int  // units by class
	crit         float64 // smallest |t| of a significant unit; 0 when there is none
	lo, hi       float64 // the y range
	above, below int     // units beyond it
	nan          int     // units without a t
}

// layerView returns the presentation of layer l of the variant shown.
func (m *Model) layerView(l int) *layerView {
	v := m.variant()
	lv := &v.layers[l]
	if lv.ready {
		return lv
	}
	lt := v.study.Layers[l]
	lv.classes = lt.Classes()
	for _, c := range lv.classes {
		lv.counts[c]++
	}
	lv.crit = math.Inf(1)
	for _, set := range [][]int{lt.A, lt.B} {
		for _, u := range set {
			lv.crit = math.Min(lv.crit, math.Abs(lt.T[u]))
		}
	}
	if math.IsInf(lv.crit, 1) {
		lv.crit = 0
	}
	var finite []float64
	for _, t := range lt.T {
		switch {
		case math.IsNaN(t):
			lv.nan++
		case !math.IsInf(t, 0):
			finite = append(finite, t)
		}
	}
	slices.Sort(finite)
	lv.lo, lv.hi = -1, 1
	if n := len(finite); n > 0 {
		lv.lo = math.Min(finite[int(0.005*float64(n-1))], -1)
		lv.hi = math.Max(finite[int(math.Ceil(0.995*float64(n-1)))], 1)
	}
	lv.lo = math.Floor(math.Min(lv.lo, -1.25*lv.crit)*10) / 10
	lv.hi = math.Ceil(math.Max(lv.hi, 1.25*lv.crit)*10) / 10
	for _, t := range lt.T {
		switch {
		case t > lv.hi:
			lv.above++
		case t < lv.lo:
			lv.below++
		}
	}
	lv.ready = true
	return lv
}

// mostTunedUnit is the unit of the selected layer with the largest |t|.
func (m *Model) mostTunedUnit() int {
	info := m.study().Unit(m.layer, 0)
	lt := m.study().Layers[m.layer]
	if info.Ranked == 0 {
		return 0
	}
	return lt.ByTuning[info.Ranked-1]
}

// clampUnit keeps the unit cursor inside the layer.
func (m *Model) clampUnit() {
	m.unit = max(0, min(m.study().Model.Config.IntermediateSize-1, m.unit))
}

// scatterLayout is where Part 2's parts go inside a w×h pane.
type scatterLayout struct {
	legend []string
	g      scatterGeom
	side   int      // width of the inspector right of the chart; 0: below it
	unit   []string // the inspector's lines
}

const (
	sideMinPane = 96 // panes at least this wide put the inspector right of the chart
	sideW       = 34
	stripRows   = 3 // the activation strips: group A, group B, their axis
)

func (m *Model) scatterLayout(w, h int) scatterLayout {
	s := m.study()
	lv := m.layerView(m.layer)
	var sl scatterLayout
	plotW := w - yLabelW
	if w >= sideMinPane {
		sl.side = sideW
		plotW -= sideW + 1
	}
	sl.legend = flow(m.scatterLegend(lv), "  ", w)
	sl.unit = m.unitLines(sl.side, w)
	ph := h - len(sl.legend) - 1
	if sl.side == 0 {
		ph -= len(sl.unit)
	}
	sl.g = scatterGeom{n: len(s.Layers[m.layer].T), pw: max(1, plotW), ph: max(1, ph), lo: lv.lo, hi: lv.hi}
	return sl
}

// scatterLegend are the legend's items: the classes with their counts, the significance line
// and the units beyond the y range.
func (m *Model) scatterLegend(lv *layerView) []string {
	s := m.study()
	a, b := s.Set.A.Word, s.Set.B.Word
	n := len(lv.classes)
	share := func(k engine.Class) string {
		return fmt.Sprintf("%d (%.1f%%)", lv.counts[k], 100*float64(lv.counts[k])/float64(max(1, n)))
	}
	items := []string{
		styles.a.Render(classMark(glyphs.a) + " " + a + ">" + b + " " + share(engine.PrefersA)),
		styles.b.Render(classMark(glyphs.b) + " " + b + ">" + a + " " + share(engine.PrefersB)),
		styles.ns.Render(classMark(glyphs.ns) + " n.s. " + share(engine.NotSignificant)),
	}
	q := fmt.Sprintf("%s q<%g", correctionName(s.Options.Correction), s.Options.Alpha)
	if lv.crit > 0 {
		items = append(items, styles.dim.Render(fmt.Sprintf("╌ |t| ≥ %.2f: %s", lv.crit, q)))
	} else {
		items = append(items, styles.dim.Render("no unit significant ("+q+")"))
	}
	if lv.above+lv.below > 0 {
		items = append(items, styles.dim.Render(fmt.Sprintf("%s%s %d above %.1f, %d below %.1f", glyphs.up, glyphs.down, lv.above, lv.hi, lv.below, lv.lo)))
	}
	if lv.nan > 0 {
		items = append(items, styles.dim.Render(fmt.Sprintf("%d without a t (constant)", lv.nan)))
	}
	return items
}

// unitLines are the inspector's numbers for the unit under the cursor, flowed into lines of
// side cells beside the chart (side > 0) or of w below it: its t, p, q, Hedges' g, class and rank,
// and what lesioning it alone does (at both masks, with the ablation shown).
func (m *Model) unitLines(side, w int) []string {
	s := m.study()
	u := s.Unit(m.layer, m.unit)
	class := "n.s."
	switch u.Class {
	case engine.PrefersA:
		class = s.Set.A.Word + ">" + s.Set.B.Word
	case engine.PrefersB:
		class = s.Set.B.Word + ">" + s.Set.A.Word
	}
	rank := "no rank (t is NaN)"
	if u.Rank > 0 {
		rank = fmt.Sprintf("rank %d of %d by |t|", u.Rank, u.Ranked)
	}
	items := []string{
		styles.selected.Render(fmt.Sprintf("unit %d", u.Unit)), rank,
		fmt.Sprintf("t %+.3f", u.T), fmt.Sprintf("p %.2g", u.P), fmt.Sprintf("q %.2g", u.Q), fmt.Sprintf("g %+.2f", u.G),
		classStyle(u.Class).Render(class),
	}
	items = append(items, m.unitLesionItems()...)
	if side > 0 {
		w = side
	}
	return flow(items, "  ", w)
}

// unitLesionItems say what lesioning the unit under the cursor alone does: the mean |Δ| of the 12
// logits and each word's Δ at its own [MASK], or that it is being computed.
func (m *Model) unitLesionItems() []string {
	k := m.unitKey()
	r, ok := m.res.sets[k]
	switch {
	case ok:
		words := m.study().Targets.Words
		return []string{styles.lesion.Render(fmt.Sprintf("alone (%s):", ablationName(m.ablation))), "|Δ| " + small(r.Magnitude, ""),
			fmt.Sprintf("Δ%s %s", words[0], small(r.Impact[0], "+")), fmt.Sprintf("Δ%s %s", words[1], small(r.Impact[1], "+"))}
	case m.res.errs[k] != nil:
		return []string{styles.bad.Render("alone: failed: " + m.res.errs[k].Error())}
	}
	return []string{styles.dim.Render(m.spin.View() + " alone: lesioning…")}
}

// small formats a change that may be tiny (one unit's lesion) with three significant digits,
// sign ("+" or "") in front: "0.0123", "-4.27e-05"; exactly 0 is "0".
func small(v float64, sign string) string {
	if v == 0 {
		return "0"
	}
	if math.Abs(v) >= 1e-3 {
		return fmt.Sprintf("%"+sign+".4f", v)
	}
	return fmt.Sprintf("%"+sign+".2e", v)
}

// strips are the unit's activations in each group as histograms on one scale, with the means.
func (m *Model) strips(w int) []string {
	s := m.study()
	u := s.Unit(m.layer, m.unit)
	a, b := s.Set.A.Word, s.Set.B.Word
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range append(append([]float64{}, u.A...), u.B...) {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	labelW := max(len(a), len(b))
	tail := func(mean float64) string { return fmt.Sprintf(" mean %+.3f", mean) }
	bins := w - labelW - 1 - width(tail(-99.999))
	if bins < 4 || math.IsInf(lo, 0) {
		return nil
	}
	ca, cb := histogram(u.A, lo, hi, bins), histogram(u.B, lo, hi, bins)
	top := max(slices.Max(ca), slices.Max(cb))
	axisL, axisR := fmt.Sprintf("%#.3g", lo), fmt.Sprintf("%#.3g", hi)
	axis := fmt.Sprintf("%*s %-*s%*s", labelW, "", bins/2, axisL, bins-bins/2, axisR)
	return []string{
		fmt.Sprintf("%*s ", labelW, a) + histRow(ca, top, styles.a) + styles.dim.Render(tail(u.MeanA)),
		fmt.Sprintf("%*s ", labelW, b) + histRow(cb, top, styles.b) + styles.dim.Render(tail(u.MeanB)),
		styles.dim.Render(axis),
	}
}

func (scatterPane) name() string { return "Part 2 · t-values" }

func (scatterPane) title(m *Model) string {
	s := m.study()
	return fmt.Sprintf("Part 2 · t-values, %s (%s − %s)", m.layerName(m.layer), s.Set.A.Word, s.Set.B.Word)
}

func (scatterPane) summary(m *Model) []string {
	s := m.study()
	lv := m.layerView(m.layer)
	a, b := s.Set.A.Word, s.Set.B.Word
	u := s.Unit(m.layer, m.unit)
	return []string{fmt.Sprintf("%s>%s %d", a, b, lv.counts[engine.PrefersA]), fmt.Sprintf("%s>%s %d", b, a, lv.counts[engine.PrefersB]),
		fmt.Sprintf("n.s. %d", lv.counts[engine.NotSignificant]), fmt.Sprintf("unit %d t %+.2f", u.Unit, u.T)}
}

func (scatterPane) heights(m *Model, w int) (int, int) {
	iw := w - 2
	legend := len(flow(m.scatterLegend(m.layerView(m.layer)), "  ", iw))
	below := 0
	if iw < sideMinPane {
		below = len(m.unitLines(0, iw))
	}
	least := 2 + legend + 5 + 1 + below
	if below > 0 {
		return least, least + 9 + stripRows
	}
	return least, least + 9
}

func (scatterPane) view(m *Model, f *frame, w, h int) ([]string, string) {
	sl := m.scatterLayout(w, h)
	lv := m.layerView(m.layer)
	lt := m.study().Layers[m.layer]
	chart := scatterChart(lt.T, lv.classes, sl.g, lv.crit, m.unit)
	lines := append([]string{}, sl.legend...)
	note := ""
	if sl.side > 0 {
		panel := append(sl.unit, "")
		if strips := m.strips(sl.side); len(panel)+len(strips) <= len(chart) {
			panel = append(panel, strips...)
		} else {
			note = "activations: z"
		}
		for i, row := range chart {
			side := ""
			if i < len(panel) {
				side = panel[i]
			}
			lines = append(lines, f.fit(row, w-sl.side-1)+" "+side)
		}
		return lines, note
	}
	// Below the chart: the unit's numbers, and its activations if the chart keeps 8 rows.
	strips := m.strips(w)
	if sl.g.ph-len(strips) >= 8 && len(strips) > 0 {
		sl.g.ph -= len(strips)
		chart = scatterChart(lt.T, lv.classes, sl.g, lv.crit, m.unit)
	} else {
		strips = nil
		note = "activations: z"
	}
	lines = append(lines, chart...)
	lines = append(lines, sl.unit...)
	return append(lines, strips...), note
}

func (scatterPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	s := m.study()
	lt := s.Layers[m.layer]
	n := len(lt.T)
	rankPos := func() int { return slices.Index(lt.ByTuning, m.unit) }
	ranked := s.Unit(m.layer, m.unit).Ranked
	k := m.keys
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.UnitLeft):
			m.unit--
		case key.Matches(msg, k.UnitRight):
			m.unit++
		case key.Matches(msg, k.UnitFarLeft), key.Matches(msg, k.UnitFarRight):
			step := max(1, n/max(1, m.scatterPlotWidth()))
			if key.Matches(msg, k.UnitFarLeft) {
				step = -step
			}
			m.unit += step
		case key.Matches(msg, k.MostTuned):
			m.unit = m.mostTunedUnit()
		case key.Matches(msg, k.LeastTuned):
			m.unit = lt.ByTuning[0]
		case key.Matches(msg, k.RankUp):
			if p := rankPos(); p+1 < ranked {
				m.unit = lt.ByTuning[p+1]
			}
		case key.Matches(msg, k.RankDown):
			if p := rankPos(); p > 0 {
				m.unit = lt.ByTuning[p-1]
			}
		default:
			return nil, false
		}
		m.clampUnit()
		return nil, true
	case paneMouse:
		if m.wheel(msg.MouseMsg) {
			return nil, true
		}
		if !leftClick(msg.MouseMsg) {
			return nil, true
		}
		r := m.layout().panes[paneScatter]
		sl := m.scatterLayout(r.w-2, r.h-2)
		x, y := msg.x-yLabelW, msg.y-len(sl.legend)
		if x < 0 || x >= sl.g.pw || y < 0 || y >= sl.g.ph {
			return nil, true
		}
		if u, ok := nearestUnit(lt.T, sl.g, x, y); ok {
			m.unit = u
		}
		return nil, true
	}
	return nil, false
}

// scatterPlotWidth is the width of Part 2's plot as laid out now.
func (m *Model) scatterPlotWidth() int {
	r := m.layout().panes[paneScatter]
	if r.h < 3 {
		return 64
	}
	return m.scatterLayout(r.w-2, r.h-2).g.pw
}

// nearestUnit is the unit drawn in cell column c whose row is nearest to row r (ties: the
// larger |t|).
func nearestUnit(t []float64, g scatterGeom, c, r int) (int, bool) {
	from, to := g.units(c)
	best, bestD := -1, 0
	for u := from; u < to; u++ {
		if math.IsNaN(t[u]) {
			continue
		}
		d := g.row(t[u]) - r
		if d < 0 {
			d = -d
		}
		if best < 0 || d < bestD || d == bestD && math.Abs(t[u]) > math.Abs(t[best]) {
			best, bestD = u, d
		}
	}
	return best, best >= 0
}
