package tui

import (
	"fmt"
	"math"

	tea "github.com/charmbracelet/bubbletea"
)

// percentPane is Part 3: the share of significant units of each direction in every layer, as
// two bars a layer on one axis. Every layer is drawn; the labels are every k-th layer, and the
// selected layer is marked under the axis.
type percentPane struct{}

func (percentPane) name() string { return "Part 3 · % significant" }

func (percentPane) title(m *Model) string { return "Part 3 · % significant units per layer" }

// percents are the shares of both directions per layer, and the largest.
func (m *Model) percents() (pa, pb []float64, top float64) {
	s := m.study()
	units := float64(s.Model.Config.IntermediateSize)
	pa, pb = make([]float64, len(s.Layers)), make([]float64, len(s.Layers))
	for l, lt := range s.Layers {
		pa[l], pb[l] = 100*float64(len(lt.A))/units, 100*float64(len(lt.B))/units
		top = math.Max(top, math.Max(pa[l], pb[l]))
	}
	return pa, pb, top
}

func (percentPane) summary(m *Model) []string {
	s := m.study()
	pa, pb, _ := m.percents()
	a, b := s.Set.A.Word, s.Set.B.Word
	return []string{fmt.Sprintf("%s>%s %.1f%%", a, b, pa[m.layer]), fmt.Sprintf("%s>%s %.1f%%", b, a, pb[m.layer])}
}

func (m *Model) percentLegend(w int) []string {
	s := m.study()
	pa, pb, _ := m.percents()
	a, b := s.Set.A.Word, s.Set.B.Word
	return flow([]string{
		styles.a.Render(seriesMark(false) + " " + a + ">" + b), styles.b.Render(seriesMark(true) + " " + b + ">" + a),
		styles.dim.Render(fmt.Sprintf("(%% of %d units)", s.Model.Config.IntermediateSize)),
		styles.selected.Render(fmt.Sprintf("%s: %.1f%% / %.1f%%", m.layerTag(m.layer), pa[m.layer], pb[m.layer])),
	}, "  ", w)
}

func (percentPane) heights(m *Model, w int) (int, int) {
	legend := len(m.percentLegend(w - 2))
	return 2 + legend + 3 + 2, 2 + legend + 10 + 2
}

func (percentPane) view(m *Model, f *frame, w, h int) ([]string, string) {
	s := m.study()
	lines := m.percentLegend(w)
	ax, ok := fitLayerAxis(len(s.Layers), 2, w-yLabelW)
	if !ok {
		return append(lines, m.tooNarrow(ax, w)...), "z zooms"
	}
	pa, pb, top := m.percents()
	rows := max(1, h-len(lines)-2)
	lines = append(lines, layerBars(ax, []layerSeries{{vals: pa, style: styles.a}, {vals: pb, style: styles.b, shade: true}}, 0, top, rows, "%.0f%%")...)
	axis := ax.axisRows(m.layerTag(m.layer), m.layer, w)
	f.recordChart("Part 3", ax)
	return append(lines, axis[0], axis[1]), ""
}

// tooNarrow says that a per-layer chart does not fit and how to see it.
func (m *Model) tooNarrow(ax layerAxis, w int) []string {
	return wrapText(fmt.Sprintf("The %d layers need %d columns for their bars; this pane has %d. z zooms the pane, or widen the terminal.",
		ax.n, ax.minWidth()+yLabelW, w), w)
}

func (percentPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	return nil, m.layerChartMouse(msg, panePercent)
}

// layerChartMouse handles the mouse over the per-layer charts of pane p: the wheel moves over
// layers, a click on a layer's bars selects it. It reports whether msg was a mouse event.
func (m *Model) layerChartMouse(msg tea.Msg, p paneID) bool {
	ev, ok := msg.(paneMouse)
	if !ok {
		return false
	}
	if !m.wheel(ev.MouseMsg) && leftClick(ev.MouseMsg) {
		r := m.layout().panes[p]
		if ax, ok := m.chartAxis(p, r.w-2-yLabelW); ok {
			if l, ok := ax.layerAt(ev.x - yLabelW); ok {
				m.moveTo(l)
			}
		}
	}
	return true
}

// chartAxis is the x axis of pane p's per-layer charts in a plot w wide.
func (m *Model) chartAxis(p paneID, w int) (layerAxis, bool) {
	if p == paneSweep {
		ax, _, ok := m.sweepAxis(w)
		return ax, ok
	}
	return fitLayerAxis(len(m.study().Layers), 2, w)
}

// layerTag is layer l's short name under a chart: "layer 3", or in ALBERT "repetition 3".
func (m *Model) layerTag(l int) string {
	if m.study().Model.Arch.SharedLayer {
		return fmt.Sprintf("repetition %d", l)
	}
	return fmt.Sprintf("layer %d", l)
}
