package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// layersPane is the layer list: every layer with its numbers of significant units of each
// direction and a bar of them; the selected layer is marked glyphs.mark, the layers marked for a
// lesion together (x) glyphs.marked. It is as tall as its layers; when the screen is shorter it
// scrolls with the selection and its bottom border says how many layers are above and below.
type layersPane struct{}

// layersCols are the widths of the list's columns.
func (m *Model) layersCols() (layerW, countW int) {
	s := m.study()
	countW = max(len(s.Set.A.Word), len(s.Set.B.Word))
	for _, lt := range s.Layers {
		countW = max(countW, len(strconv.Itoa(len(lt.A))), len(strconv.Itoa(len(lt.B))))
	}
	return max(1, layerDigits(len(s.Layers))), countW
}

// layersWidth is the width of the layer list's box on a screen w wide: its columns, a bar of at
// least 4 cells, and a longer bar on wider screens.
func (m *Model) layersWidth(w int) int {
	lw, cw := m.layersCols()
	bar := 4 + max(0, min(12, (w-80)/8))
	return 2 + 2 + lw + 1 + cw + 1 + cw + 1 + bar
}

func (layersPane) name() string { return "Layers" }

func (layersPane) title(m *Model) string { return "Layers" }

func (layersPane) summary(m *Model) []string { return nil }

func (layersPane) heights(m *Model, w int) (int, int) {
	n := len(m.study().Layers) + 3
	return n, n
}

// window returns the first row and count of the layers shown in h rows, around the selection.
func (m *Model) layersWindow(h int) (first, n int) {
	total := len(m.study().Layers)
	n = max(1, min(total, h))
	first = max(0, min(m.layer-n/2, total-n))
	return first, n
}

func (layersPane) view(m *Model, f *frame, w, h int) ([]string, string) {
	s := m.study()
	lw, cw := m.layersCols()
	maxSig := 1
	for _, lt := range s.Layers {
		maxSig = max(maxSig, len(lt.A)+len(lt.B))
	}
	bw := max(0, w-(2+lw+1+cw+1+cw+1))
	lines := []string{styles.dim.Render(fmt.Sprintf("  %*s %*s %*s", lw, "L", cw, s.Set.A.Word, cw, s.Set.B.Word))}
	first, n := m.layersWindow(h - 1)
	for l := first; l < first+n; l++ {
		lt := s.Layers[l]
		na := int(math.Round(float64(len(lt.A)) / float64(maxSig) * float64(bw)))
		nb := int(math.Round(float64(len(lt.B)) / float64(maxSig) * float64(bw)))
		mark := " "
		if l < len(m.marks) && m.marks[l] {
			mark = glyphs.marked
		}
		if l == m.layer {
			mark += glyphs.mark
		} else {
			mark += " "
		}
		row := fmt.Sprintf("%s%*d %*d %*d ", mark, lw, l, cw, len(lt.A), cw, len(lt.B))
		if l == m.layer {
			row = styles.selected.Render(row)
		}
		lines = append(lines, row+styles.a.Render(strings.Repeat(seriesMark(false), na))+styles.b.Render(strings.Repeat(seriesMark(true), nb)))
	}
	note := ""
	if above, below := first, len(s.Layers)-first-n; above+below > 0 {
		note = fmt.Sprintf("↑%d ↓%d more", above, below)
	}
	return lines, note
}

func (layersPane) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	ev, ok := msg.(paneMouse)
	if !ok {
		return nil, false
	}
	if m.wheel(ev.MouseMsg) {
		return nil, true
	}
	if leftClick(ev.MouseMsg) && ev.y >= 1 {
		lo := m.layout()
		first, n := m.layersWindow(lo.panes[paneLayers].h - 3)
		if row := ev.y - 1; row < n {
			m.moveTo(first + row)
		}
	}
	return nil, true
}

// infoLines are the study's key under the layer list, as much of it as fits in h lines: what
// the marks and colours mean, the sign of Δ, the groups, and where help is.
func (m *Model) infoLines(w, h int) []string {
	s := m.study()
	a, b := s.Set.A.Word, s.Set.B.Word
	mark := func(g string) string {
		if noColor() {
			return g
		}
		return ""
	}
	parts := [][]string{
		{styles.a.Render(seriesMark(false)+mark(glyphs.a)) + " " + a + ">" + b,
			styles.b.Render(seriesMark(true)+mark(glyphs.b)) + " " + b + ">" + a,
			styles.ns.Render(glyphs.ns+mark(" ")) + " n.s."},
		wrapText("Δ = clean − lesion; + means the lesion lowered the logit", w),
		wrapText(fmt.Sprintf("%d %s + %d %s sentences, %d units/layer", len(s.Set.A.Sentences), a, len(s.Set.B.Sentences), b,
			s.Model.Config.IntermediateSize), w),
		{styles.key.Render("?") + " help"},
	}
	if n := len(s.Warnings); n > 0 {
		parts = append([][]string{wrapText(styles.bad.Render(fmt.Sprintf("%s %d %s: ? help", glyphs.warning, n, plural(n, "warning", "warnings"))), w)}, parts...)
	}
	var lines []string
	for _, p := range parts {
		if len(lines)+len(p) <= h {
			lines = append(lines, p...)
		}
	}
	return lines
}
