package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"lesionui/engine"
)

// Text charts. Each returns lines of exactly the width it was given (or less), and the same
// geometry that draws a chart answers where a mouse click on it falls.

// yLabelW is the width of a chart's y-axis labels, "-123.4┤".
const yLabelW = 7

// rowLabel is the y label of row r of a chart on the scale [lo, hi]: hi in row top, 0 in row zero,
// lo in row bottom (in that order of precedence; a row of −1 gets no label), else none.
func rowLabel(r, top, zero, bottom int, lo, hi float64, format string) string {
	switch r {
	case top:
		return yLabel(fmt.Sprintf(format, hi), true)
	case zero:
		return yLabel("0", true)
	case bottom:
		return yLabel(fmt.Sprintf(format, lo), true)
	}
	return yLabel("", false)
}

// yLabel formats a y-axis label of yLabelW cells ending in the tick.
func yLabel(s string, tick bool) string {
	t := "│"
	if tick {
		t = "┤"
	}
	return fmt.Sprintf("%*s%s", yLabelW-1, s, t)
}

// scatterGeom maps units (x) and t-values (y) to the cells of the Part 2 chart: unit i falls in
// cell column i·pw/n (two braille dot columns a cell), a t-value in one of 4·ph dot rows from
// hi at the top to lo at the bottom; t-values beyond the range go to the edge rows as overflow.
type scatterGeom struct {
	n      int     // units
	pw, ph int     // plot cells
	lo, hi float64 // y range
}

// cellCol is the cell column of unit i, and dotCol its braille dot column (0 or 1) in that cell.
func (g scatterGeom) cellCol(i int) int { return i * g.pw / g.n }
func (g scatterGeom) dotCol(i int) int  { return (i * 2 * g.pw / g.n) % 2 }

// dotRow is the braille dot row of y counted from the top; -1 above hi, 4·ph below lo.
func (g scatterGeom) dotRow(y float64) int {
	switch {
	case y > g.hi:
		return -1
	case y < g.lo:
		return 4 * g.ph
	}
	return int(math.Round((g.hi - y) / (g.hi - g.lo) * float64(4*g.ph-1)))
}

// row is the cell row of y (clamped to the plot).
func (g scatterGeom) row(y float64) int { return max(0, min(g.ph-1, g.dotRow(y)/4)) }

// units returns the units drawn in cell column c, [from, to).
func (g scatterGeom) units(c int) (from, to int) {
	ceil := func(c int) int { return (c*g.n + g.pw - 1) / g.pw }
	return ceil(c), min(g.n, ceil(c+1))
}

// scatterCell is what falls into one cell of the scatter.
type scatterCell struct {
	count    [3]int // by engine.Class
	dots     rune   // braille dot bits
	over     int8   // +1: a unit above the range, -1: below
	occupied bool
}

// brailleBit is the dot bit of braille dot (column, row) within a cell.
var brailleBit = [2][4]rune{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

// majority is the class most units of the cell belong to; ties go to the non-significant, so
// that they are never hidden by the significant ones.
func (c *scatterCell) majority() engine.Class {
	best := engine.NotSignificant
	for _, k := range []engine.Class{engine.PrefersA, engine.PrefersB} {
		if c.count[k] > c.count[best] {
			best = k
		}
	}
	return best
}

// scatterChart draws the t-value of every unit (x: unit, y: t) in g's cells with y labels:
// with colour, braille dots coloured by each cell's majority class; without, the majority
// class's glyph. Units beyond the y range show as overflow arrows in the edge rows; lines mark
// zero and ±crit (crit ≤ 0: none); cursor (≥ 0) is the unit marked with glyphs.cursor. The last
// line is the x axis with the cursor's unit.
func scatterChart(t []float64, cls []engine.Class, g scatterGeom, crit float64, cursor int) []string {
	cells := make([]scatterCell, g.pw*g.ph)
	for i, y := range t {
		if math.IsNaN(y) {
			continue
		}
		c, dr := g.cellCol(i), g.dotRow(y)
		var cell *scatterCell
		switch {
		case dr < 0:
			cell = &cells[c]
			cell.over = 1
		case dr >= 4*g.ph:
			cell = &cells[(g.ph-1)*g.pw+c]
			cell.over = -1
		default:
			cell = &cells[dr/4*g.pw+c]
			cell.dots |= brailleBit[g.dotCol(i)][dr%4]
		}
		cell.count[cls[i]]++
		cell.occupied = true
	}
	zero := g.row(0)
	critRows := map[int]string{}
	if crit > 0 {
		critRows[g.row(crit)] = fmt.Sprintf("%+.1f", crit)
		critRows[g.row(-crit)] = fmt.Sprintf("%+.1f", -crit)
		if g.row(crit) == g.row(-crit) { // a short chart: both lines in one row
			critRows[g.row(crit)] = fmt.Sprintf("±%.1f", crit)
		}
	}
	curC, curR := -1, -1
	if cursor >= 0 && cursor < len(t) && !math.IsNaN(t[cursor]) {
		curC, curR = g.cellCol(cursor), g.row(t[cursor])
	}
	glyphMode := noColor()
	lines := make([]string, 0, g.ph+1)
	var run strings.Builder
	for r := range g.ph {
		var label string
		switch {
		case critRows[r] != "":
			label = yLabel(critRows[r], true)
		case r == zero:
			label = yLabel("0", true)
		case r == 0:
			label = yLabel(strconv.FormatFloat(g.hi, 'f', 1, 64), true)
		case r == g.ph-1:
			label = yLabel(strconv.FormatFloat(g.lo, 'f', 1, 64), true)
		default:
			label = yLabel("", false)
		}
		var b strings.Builder
		b.WriteString(styles.dim.Render(label))
		run.Reset()
		var runStyle *lipgloss.Style
		flush := func() {
			if run.Len() > 0 {
				b.WriteString(runStyle.Render(run.String()))
				run.Reset()
			}
		}
		for c := range g.pw {
			cell := &cells[r*g.pw+c]
			st, ch := &styles.dim, " "
			switch {
			case r == curR && c == curC:
				st, ch = &styles.cursor, glyphs.cursor
			case cell.occupied:
				st = classStyle(cell.majority())
				switch {
				case cell.over > 0 && r == 0:
					ch = glyphs.up
				case cell.over < 0 && r == g.ph-1:
					ch = glyphs.down
				case glyphMode:
					ch = classGlyph(cell.majority())
				default:
					ch = string(rune(runes.BrailleBlockOffset) + cell.dots)
				}
			case critRows[r] != "":
				ch = "╌"
			case r == zero:
				ch = "┈"
			}
			if st != runStyle {
				flush()
				runStyle = st
			}
			run.WriteString(ch)
		}
		flush()
		lines = append(lines, b.String())
	}
	return append(lines, scatterAxis(g, cursor))
}

// scatterAxis is the x axis under the scatter: the cursor's unit under a marker at its column,
// and the first and last unit where they leave it room.
func scatterAxis(g scatterGeom, cursor int) string {
	row := []rune(strings.Repeat(" ", yLabelW+g.pw))
	put := func(at int, s string) bool { // s where it and a cell on each side are free
		rs := []rune(s)
		if at < yLabelW || at+len(rs) > len(row) {
			return false
		}
		for i := at - 1; i < min(len(row), at+len(rs)+1); i++ {
			if row[i] != ' ' {
				return false
			}
		}
		copy(row[at:], rs)
		return true
	}
	if cursor >= 0 {
		c := yLabelW + g.cellCol(cursor)
		tag := fmt.Sprintf("unit %d", cursor)
		_ = put(c, glyphs.here+tag) || put(c-len(tag), tag+glyphs.here) || put(c, glyphs.here)
	}
	put(yLabelW, "0")
	last := strconv.Itoa(g.n - 1)
	put(yLabelW+g.pw-len(last), last)
	return styles.dim.Render(string(row))
}

func classStyle(k engine.Class) *lipgloss.Style {
	switch k {
	case engine.PrefersA:
		return &styles.a
	case engine.PrefersB:
		return &styles.b
	}
	return &styles.ns
}

func classGlyph(k engine.Class) string {
	switch k {
	case engine.PrefersA:
		return glyphs.a
	case engine.PrefersB:
		return glyphs.b
	}
	return glyphs.ns
}

// layerAxis lays out the per-layer charts of a pane on one shared x axis: every layer gets a
// group of slots (one bar each, bw cells wide) followed by gap cells; charts stacked in a pane
// use the same axis, so a column is the same layer in all of them. Every layer is always drawn.
type layerAxis struct {
	n, slots, bw, gap int
}

// fitLayerAxis picks the widest bars (up to 3 cells) and gaps that fit n layers of slots bars
// into w cells; ok is false when even one cell a bar and no gap do not fit.
func fitLayerAxis(n, slots, w int) (layerAxis, bool) {
	for bw := 3; bw >= 1; bw-- {
		for gap := 1; gap >= 0; gap-- {
			a := layerAxis{n, slots, bw, gap}
			if a.width() <= w {
				return a, true
			}
		}
	}
	return layerAxis{n, slots, 1, 0}, false
}

// minWidth is the narrowest plot that holds n layers of slots bars.
func (a layerAxis) minWidth() int { return a.n * a.slots }

func (a layerAxis) group() int { return a.slots*a.bw + a.gap }

// width is the plot width, the last layer's gap not counted.
func (a layerAxis) width() int { return a.n*a.group() - a.gap }

// col is the first plot column of layer l.
func (a layerAxis) col(l int) int { return l * a.group() }

// layerAt is the layer drawn at plot column x.
func (a layerAxis) layerAt(x int) (int, bool) {
	if x < 0 || x >= a.width() {
		return 0, false
	}
	return x / a.group(), true
}

// step is the spacing of the layer labels: the smallest of 1, 2, 5, 10, 20, 50, … layers at
// which the widest label and a space fit between neighbouring labels.
func (a layerAxis) step() int {
	need := len(strconv.Itoa(a.n-1)) + 1
	for _, base := range []int{1, 10, 100, 1000} {
		for _, k := range []int{1, 2, 5} {
			if k*base*a.group() >= need {
				return k * base
			}
		}
	}
	return a.n
}

// labelled lists the layers that get a label: every step-th from 0.
func (a layerAxis) labelled() []int {
	var ls []int
	for l := 0; l < a.n; l += a.step() {
		ls = append(ls, l)
	}
	return ls
}

// axisRows are the two rows under the charts: the labels of every step-th layer at their bars,
// and a marker under the selected layer sel, named tag ("layer 3"). w is the row width (≥ the
// plot's).
func (a layerAxis) axisRows(tag string, sel, w int) [2]string {
	labels := []rune(strings.Repeat(" ", w))
	for _, l := range a.labelled() {
		s := strconv.Itoa(l)
		if yLabelW+a.col(l)+len(s) <= w {
			copy(labels[yLabelW+a.col(l):], []rune(s))
		}
	}
	marker := []rune(strings.Repeat(" ", w))
	name := tag
	tag = glyphs.here + name
	at := yLabelW + a.col(sel)
	if at+len([]rune(tag)) > w {
		tag = name + glyphs.here
		at = yLabelW + a.col(sel) + 1 - len([]rune(tag))
	}
	copy(marker[max(0, at):], []rune(tag))
	return [2]string{styles.dim.Render(string(labels)), styles.selected.Render(strings.TrimRight(string(marker), " "))}
}

// seriesMark is the legend mark of a per-layer chart's series: the second (shade) series is
// drawn shaded only without colour.
func seriesMark(shade bool) string {
	if shade && noColor() {
		return glyphs.shade
	}
	return glyphs.solid
}

// layerSeries is one series of a per-layer chart: a value per layer, have[l] false for a layer
// not computed yet (nil: all there). With from, it is a band from from[l] to vals[l], drawn in
// glyphs.band over the cells it covers. A series without vals keeps its slot empty.
type layerSeries struct {
	vals  []float64
	from  []float64
	have  []bool
	style lipgloss.Style
	shade bool // without colour, drawn in glyphs.shade (whole cells) to tell it from a solid series
}

// layerBars draws rows rows of bars on axis a, one slot per series in every layer's group, on
// the scale [lo, hi] (lo ≤ 0 ≤ hi), signed around a zero line, with y labels in format. A layer
// not computed yet shows glyphs.pending on the zero line.
func layerBars(a layerAxis, ss []layerSeries, lo, hi float64, rows int, format string) []string {
	if hi-lo < 1e-12 {
		hi = 1
	}
	lo0, hi0 := lo, hi
	negRows := int(math.Round(float64(rows) * -lo / (hi - lo)))
	posRows := rows - negRows
	eighths := func(v float64) int { // height of v in eighths of a cell beyond the zero line
		if v >= 0 {
			return int(math.Round(v / hi * float64(posRows*8)))
		}
		return int(math.Round(v / lo * float64(negRows*8)))
	}
	shaded := noColor()
	pendingRow := max(0, posRows-1)
	cellRange := func(r int) (lo, hi float64) { // the values row r covers
		if r < posRows {
			return hi0 * float64(posRows-1-r) / float64(posRows), hi0 * float64(posRows-r) / float64(posRows)
		}
		return lo0 * float64(r-posRows+1) / float64(negRows), lo0 * float64(r-posRows) / float64(negRows)
	}
	lines := make([]string, 0, rows)
	top, bottom := -1, -1
	if posRows > 0 {
		top = 0
	}
	if negRows > 0 {
		bottom = rows - 1
	}
	for r := range rows {
		var b strings.Builder
		b.WriteString(styles.dim.Render(rowLabel(r, top, max(0, posRows-1), bottom, lo, hi, format)))
		for l := range a.n {
			for _, s := range ss {
				var cell string
				switch {
				case s.vals == nil:
					cell = " "
				case s.have != nil && !s.have[l]:
					cell = " "
					if r == pendingRow {
						cell = glyphs.pending
					}
				case s.from != nil:
					cell = " "
					if lo, hi := cellRange(r); s.from[l] <= hi && s.vals[l] >= lo {
						cell = glyphs.band
					}
				case r < posRows: // counted from the zero line up
					cell = upCell(eighths(math.Max(s.vals[l], 0))-(posRows-1-r)*8, s.shade && shaded)
				default:
					cell = downCell(eighths(math.Min(s.vals[l], 0))-(r-posRows)*8, s.shade && shaded)
				}
				b.WriteString(s.style.Render(strings.Repeat(cell, a.bw)))
			}
			if l < a.n-1 {
				b.WriteString(strings.Repeat(" ", a.gap))
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}

// shadeCell is a cell of a shaded bar that reaches e eighths into it: shaded from half a cell,
// lightly shaded from an eighth, so that small values stay visible.
func shadeCell(e int) string {
	switch {
	case e >= 4:
		return glyphs.shade
	case e >= 1:
		return glyphs.light
	}
	return " "
}

// upCell is a cell of a bar growing upwards that reaches e eighths into it.
func upCell(e int, shaded bool) string {
	if shaded {
		return shadeCell(e)
	}
	return blockCell(runes.LowerBlockElementFromFloat64(float64(e) / 8))
}

// downCell is a cell of a bar hanging down that reaches e eighths into it (half-cell steps).
func downCell(e int, shaded bool) string {
	switch {
	case shaded:
		return shadeCell(e)
	case e >= 6:
		return "█"
	case e >= 3:
		return "▀"
	case e >= 1:
		return "▔"
	}
	return " "
}

// blockCell is block element r as a cell, a space for none.
func blockCell(r rune) string {
	if r == runes.Null {
		return " "
	}
	return string(r)
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
			cells[i] = blockCell(runes.LeftBlockElementFromFloat64(float64(min(e, 8)) / 8))
			e -= 8
		}
	} else {
		e := int(math.Round(-v / (hi - lo) * float64(w) * 8))
		for i := zero - 1; i >= 0 && e > 0; i-- {
			switch {
			case e >= 6:
				cells[i] = "█"
			case e >= 3:
				cells[i] = "▐"
			}
			e -= 8
		}
	}
	if zero > 0 && zero < w && cells[zero] == " " && lo < 0 {
		cells[zero] = "│"
	}
	return style.Render(strings.Join(cells, ""))
}

// meter is a progress bar of done/total in w cells.
func meter(done, total, w int) string {
	if w < 1 {
		return ""
	}
	f := 0.0
	if total > 0 {
		f = math.Min(1, float64(done)/float64(total))
	}
	e := int(math.Round(f * float64(w*8)))
	var b strings.Builder
	for i := range w {
		switch n := e - 8*i; {
		case n >= 8:
			b.WriteString("█")
		case n > 0:
			b.WriteString(blockCell(runes.LeftBlockElementFromFloat64(float64(n) / 8)))
		default:
			b.WriteString("░")
		}
	}
	return styles.accent.Render(b.String())
}

// histogram counts vals into bins equal bins over [lo, hi].
func histogram(vals []float64, lo, hi float64, bins int) []int {
	counts := make([]int, bins)
	for _, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		i := bins - 1
		if hi > lo {
			i = int((v - lo) / (hi - lo) * float64(bins))
		}
		counts[max(0, min(bins-1, i))]++
	}
	return counts
}

// histRow draws counts as one row of block heights scaled to top (the largest count among the
// rows drawn together); a bin with any count shows at least the lowest block.
func histRow(counts []int, top int, style lipgloss.Style) string {
	var b strings.Builder
	for _, c := range counts {
		switch {
		case c == 0:
			b.WriteString(" ")
		default:
			e := max(1, int(math.Round(float64(c)/float64(max(1, top))*8)))
			b.WriteString(blockCell(runes.LowerBlockElementFromFloat64(float64(e) / 8)))
		}
	}
	return style.Render(b.String())
}

// width is the number of cells s takes (one line).
func width(s string) int { return ansi.StringWidth(s) }

// flow lays out items left to right, sep between them, starting a new line where the next item
// would pass width w; items are never split (one wider than w is cut by the box and reported).
func flow(items []string, sep string, w int) []string {
	var lines []string
	var cur string
	for _, it := range items {
		if it == "" {
			continue
		}
		switch {
		case cur == "":
			cur = it
		case width(cur)+width(sep)+width(it) <= w:
			cur += sep + it
		default:
			lines = append(lines, cur)
			cur = it
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// wrapText breaks plain text into lines of at most w cells at spaces (a longer word is broken).
func wrapText(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(1, w), ""), "\n")
}

// layerDigits is the width of the largest layer number of n layers.
func layerDigits(n int) int { return len(strconv.Itoa(max(0, n-1))) }
