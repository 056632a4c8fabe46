package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/graph"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/charmbracelet/lipgloss"
)

// Text charts. Each returns exactly the lines it was asked for, each at most w cells wide.

// dotClass is the class of a t-value in the scatter; higher classes win a shared cell.
type dotClass uint8

const (
	dotNone dotClass = iota
	dotNS
	dotB
	dotA
)

// scatterChart draws ys (one per unit, x = index) as a braille scatter of w×h cells with a y
// axis; class gives each point's colour. Each class has its own ntcharts braille grid, which
// buckets the units into the 2·(plot width) dot columns, so every point is drawn however many
// units there are; a cell shared by several classes shows all their dots in the highest class's
// style. The cells are composed here, one Render per run of a class, rather than on an ntcharts
// canvas: its 560-byte cells, each rendered on its own, made the scatter three times slower.
func scatterChart(ys []float64, class func(i int) dotClass, w, h int) []string {
	const labelW = 7 // "-123.4┤"
	pw, ph := w-labelW, h-1
	if pw < 4 || ph < 2 || len(ys) == 0 {
		return fitLines(nil, h)
	}
	lo, hi := 0.0, 0.0
	for _, y := range ys {
		if !math.IsNaN(y) {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
	}
	if hi-lo < 1e-9 {
		lo, hi = -1, 1
	}
	var grids [dotA + 1]*graph.BrailleGrid
	for k := dotNS; k <= dotA; k++ {
		grids[k] = graph.NewBrailleGrid(pw, ph, 0, float64(len(ys)-1), lo, hi)
	}
	for i, y := range ys {
		if !math.IsNaN(y) {
			g := grids[class(i)]
			g.Set(g.GridPoint(canvas.Float64Point{X: float64(i), Y: y}))
		}
	}
	var cells [dotA + 1][][]rune
	for k := dotNS; k <= dotA; k++ {
		cells[k] = grids[k].BraillePatterns()
	}
	zero := grids[dotNS].GridPoint(canvas.Float64Point{}).Y / 4
	lines := make([]string, 0, h)
	run := make([]rune, 0, pw)
	for r := range ph {
		label := fmt.Sprintf("%6s│", "")
		switch r {
		case 0:
			label = fmt.Sprintf("%6.1f┤", hi)
		case ph - 1:
			label = fmt.Sprintf("%6.1f┤", lo)
		case zero:
			label = fmt.Sprintf("%6s┤", "0")
		}
		var b strings.Builder
		b.WriteString(styles.dim.Render(label))
		run, runCls := run[:0], dotNone
		for c := range pw {
			ch, k := rune(runes.BrailleBlockOffset), dotNone
			for kk := dotNS; kk <= dotA; kk++ {
				if p := cells[kk][r][c]; p != runes.BrailleBlockOffset {
					ch, k = runes.CombineBraillePatterns(ch, p), kk
				}
			}
			if k == dotNone {
				ch = ' '
				if r == zero {
					ch = '┈'
				}
			}
			if k != runCls && len(run) > 0 {
				b.WriteString(classStyle(runCls).Render(string(run)))
				run = run[:0]
			}
			run, runCls = append(run, ch), k
		}
		b.WriteString(classStyle(runCls).Render(string(run)))
		lines = append(lines, b.String())
	}
	lines = append(lines, styles.dim.Render(axisLabels(labelW, pw, "0", "units", fmt.Sprint(len(ys)-1))))
	return lines
}

// axisLabels places left, middle and right labels under a plot that starts at column off.
func axisLabels(off, pw int, left, mid, right string) string {
	line := []rune(strings.Repeat(" ", off+pw))
	put := func(at int, s string) {
		for i, r := range []rune(s) {
			if at+i >= 0 && at+i < len(line) {
				line[at+i] = r
			}
		}
	}
	put(off, left)
	if pw > len(left)+len(mid)+len(right)+4 {
		put(off+(pw-len(mid))/2, mid)
	}
	put(off+pw-len(right), right)
	return string(line)
}

func classStyle(k dotClass) lipgloss.Style {
	switch k {
	case dotA:
		return styles.a
	case dotB:
		return styles.b
	case dotNS:
		return styles.ns
	}
	return lipgloss.NewStyle()
}

// series is one set of bars of a grouped bar chart.
type series struct {
	vals  []float64
	style lipgloss.Style
}

// barChart draws groups (layers) of vertical bars, one per series, signed around a zero line,
// with y-axis labels formatted by format and the group numbers under the bars. The scale is
// [lo, hi] (lo ≤ 0 ≤ hi). When the groups do not fit, the window around sel is shown.
func barChart(ss []series, lo, hi float64, format string, sel, w, h int) []string {
	const labelW = 7
	ng, ns := len(ss[0].vals), len(ss)
	pw, ph := w-labelW, h-1
	if pw < ns || ph < 1 || ng == 0 {
		return fitLines(nil, h)
	}
	// Bar width and gap: as wide as fits, up to 3 cells a bar.
	bw := max(1, min(3, (pw/ng-1)/ns))
	gap := 1
	if ng*(ns*bw+gap) > pw {
		gap = 0
	}
	gw := ns*bw + gap
	first, count := window(ng, pw/gw, sel)
	if hi-lo < 1e-12 {
		hi = 1
	}
	negRows := int(math.Round(float64(ph) * -lo / (hi - lo)))
	posRows := ph - negRows
	// height in eighths of a cell above (v ≥ 0) or below the zero line.
	eighths := func(v float64) int {
		if v >= 0 {
			return int(math.Round(v / hi * float64(posRows*8)))
		}
		return int(math.Round(v / lo * float64(negRows*8)))
	}
	lines := make([]string, 0, h)
	for r := range ph {
		var label string
		switch {
		case r == 0 && posRows > 0:
			label = fmt.Sprintf("%6s┤", fmt.Sprintf(format, hi))
		case r == max(0, posRows-1):
			label = fmt.Sprintf("%6s┤", "0")
		case r == ph-1:
			label = fmt.Sprintf("%6s┤", fmt.Sprintf(format, lo))
		default:
			label = fmt.Sprintf("%6s│", "")
		}
		var b strings.Builder
		b.WriteString(styles.dim.Render(label))
		for g := first; g < first+count; g++ {
			for _, s := range ss {
				v := s.vals[g]
				var cell string
				if r < posRows { // rows above zero, counted from the zero line up
					cell = upCell(eighths(math.Max(v, 0)) - (posRows-1-r)*8)
				} else {
					cell = downCell(eighths(math.Min(v, 0)) - (r-posRows)*8)
				}
				b.WriteString(s.style.Render(strings.Repeat(cell, bw)))
			}
			b.WriteString(strings.Repeat(" ", gap))
		}
		lines = append(lines, b.String())
	}
	// Group numbers: every k-th group, so that labels do not collide; the selected one always.
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", labelW))
	step := max(1, (len(fmt.Sprint(ng-1))+1+gw-1)/gw)
	for g := first; g < first+count; g++ {
		l := fmt.Sprint(g)
		if g != sel && (g-first)%step != 0 || len(l) > gw*step && g != sel {
			b.WriteString(strings.Repeat(" ", gw))
			continue
		}
		cell := fmt.Sprintf("%-*s", gw, l)
		if g == sel {
			cell = styles.selected.Render(cell)
		}
		b.WriteString(cell)
	}
	lines = append(lines, b.String())
	return fitLines(lines, h)
}

// window returns the first index and count of at most n of total items, around sel.
func window(total, n, sel int) (int, int) {
	n = max(1, min(total, n))
	first := max(0, min(sel-n/2, total-n))
	return first, n
}

// upCell is a cell of a bar growing upwards that reaches e eighths into it.
func upCell(e int) string { return blockCell(runes.LowerBlockElementFromFloat64(float64(e) / 8)) }

// blockCell is block element r as a cell, a space for none.
func blockCell(r rune) string {
	if r == runes.Null {
		return " "
	}
	return string(r)
}

// downCell is a cell of a bar hanging down that reaches e eighths into it (half-cell steps).
func downCell(e int) string {
	switch {
	case e >= 6:
		return "█"
	case e >= 3:
		return "▀"
	case e >= 1:
		return "▔"
	}
	return " "
}

// hbar is a horizontal bar of v on the scale [lo, hi] (lo ≤ 0 ≤ hi) in w cells: positive values
// grow right of the zero column, negative ones left of it.
func hbar(v, lo, hi float64, w int, style lipgloss.Style) string {
	if w < 1 {
		return ""
	}
	if hi-lo < 1e-12 {
		hi = 1
	}
	zero := int(math.Round(float64(w) * -lo / (hi - lo)))
	cells := make([]string, w)
	for i := range cells {
		cells[i] = " "
	}
	if v >= 0 {
		e := int(math.Round(v / (hi - lo) * float64(w) * 8))
		for i := zero; i < w && e > 0; i++ {
			cells[i] = blockCell(runes.LeftBlockElementFromFloat64(float64(e) / 8))
			e -= 8
		}
	} else {
		e := int(math.Round(-v / (hi - lo) * float64(w) * 8))
		for i := zero - 1; i >= 0 && e > 0; i-- {
			cells[i] = "█"
			if e < 6 {
				cells[i] = "▐"
			}
			if e < 3 {
				cells[i] = " "
			}
			e -= 8
		}
	}
	if zero > 0 && zero < w && cells[zero] == " " && lo < 0 {
		cells[zero] = "│"
	}
	return style.Render(strings.Join(cells, ""))
}

// fitLines pads or cuts lines to exactly h lines.
func fitLines(lines []string, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}
