package tui

import (
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// paneID names the explorer's panes.
type paneID int

const (
	paneScatter paneID = iota // Part 2: t-values of the selected layer, and the unit inspector
	panePercent               // Part 3: % significant units per layer
	paneLogits                // Parts 4–5: clean and lesioned logits
	paneTopK                  // the top-k predictions at the masks, clean and lesioned (t)
	paneSweep                 // Parts 6–7: the laminar sweep, with the random band (b)
	paneEval                  // the evaluation set's margin change per layer (v)
	paneLayers                // the layer list
)

// The panes stacked right of the layer list are the first numStacked, in this order.
const (
	numStacked = int(paneLayers)
	numPanes   = numStacked + 1
)

// pane is one box of the explorer. Panes draw from the Model's state and change it only
// through update; the root model routes keys to the focused pane and mouse events to the pane
// under the pointer.
type pane interface {
	// title names the pane in its top border; name is its short name for its title line.
	title(m *Model) string
	name() string
	// summary are the pane's key numbers, shown in its title line when it is collapsed.
	summary(m *Model) []string
	// heights are the smallest height (border included) that shows every number of the pane
	// and the height that also gives its charts room, at width w.
	heights(m *Model, w int) (least, ideal int)
	// view draws the inside of a w×h box; note, if not empty, goes into the bottom border and
	// says what did not fit and how to see it.
	view(m *Model, f *frame, w, h int) (lines []string, note string)
	// update handles a key while the pane has the focus, or a click or wheel inside it
	// (paneMouse, inside coordinates); handled reports whether the message was the pane's.
	update(m *Model, msg tea.Msg) (cmd tea.Cmd, handled bool)
}

// paneShown reports whether pane p is on: the top-k and evaluation panes only while their
// controls are.
func (m *Model) paneShown(p paneID) bool {
	switch p {
	case paneTopK:
		return m.topKOn
	case paneEval:
		return m.evalOn
	}
	return true
}

// cycleFocus moves the focus d panes on (±1) among the stacked panes shown.
func (m *Model) cycleFocus(d int) {
	for range numStacked {
		m.focus = (m.focus + paneID(numStacked+d)) % paneID(numStacked)
		if m.paneShown(m.focus) {
			return
		}
	}
}

// showPane focuses pane p, just turned on.
func (m *Model) showPane(p paneID) { m.focus = p }

// keepFocusShown moves the focus off a pane turned off.
func (m *Model) keepFocusShown() {
	if !m.paneShown(m.focus) {
		m.cycleFocus(1)
	}
}

// paneMouse is a mouse event inside a pane, at column x and row y of the box's inside.
type paneMouse struct {
	x, y int
	tea.MouseMsg
}

// frame is one render of the screen and what the tests check about it: the lines that had to
// be cut to fit, and the layers that each per-layer chart drew.
type frame struct {
	lines  []string
	cuts   []string
	charts []chartRecord
}

// chartRecord is a per-layer chart as drawn: the layers with bars and those labelled.
type chartRecord struct {
	name           string
	layers, labels []int
}

// recordChart notes a per-layer chart drawn on axis a.
func (f *frame) recordChart(name string, a layerAxis) {
	r := chartRecord{name: name, labels: a.labelled()}
	for l := range a.n {
		r.layers = append(r.layers, l)
	}
	f.charts = append(f.charts, r)
}

// fit pads line to w cells, or cuts it (and records the cut: a layout should never need it).
func (f *frame) fit(line string, w int) string {
	n := width(line)
	if n > w {
		f.cuts = append(f.cuts, ansi.Strip(line))
		return ansi.Truncate(line, w, "…")
	}
	return line + strings.Repeat(" ", w-n)
}

// fitLines makes lines exactly h lines of w cells.
func (f *frame) fitLines(lines []string, w, h int) []string {
	if len(lines) > h {
		for _, l := range lines[h:] {
			if strings.TrimSpace(ansi.Strip(l)) != "" {
				f.cuts = append(f.cuts, ansi.Strip(l))
			}
		}
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = f.fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return out
}

// border are the edges of a box: light, or heavy for the focused pane (visible without colour).
type border struct{ tl, h, tr, v, bl, br string }

var (
	lightBorder = border{"╭", "─", "╮", "│", "╰", "╯"}
	heavyBorder = border{"┏", "━", "┓", "┃", "┗", "┛"}
)

// box frames inside (w-2 wide) in a w×h border with title in the top edge and note in the
// bottom edge.
func (f *frame) box(title, note string, inside []string, w, h int, focused bool) []string {
	bd, st := lightBorder, styles.border
	if focused {
		bd, st = heavyBorder, styles.borderFocus
	}
	iw := w - 2
	edge := func(left, text, right string, style func(...string) string) string {
		if text == "" {
			return st.Render(left + strings.Repeat(bd.h, iw) + right)
		}
		text = " " + text + " "
		if width(text) > iw-1 {
			f.cuts = append(f.cuts, text)
			text = ansi.Truncate(text, iw-1, "…")
		}
		return st.Render(left+bd.h) + style(text) + st.Render(strings.Repeat(bd.h, iw-1-width(text))+right)
	}
	lines := []string{edge(bd.tl, title, bd.tr, styles.bold.Render)}
	for _, l := range f.fitLines(inside, iw, h-2) {
		lines = append(lines, st.Render(bd.v)+l+st.Render(bd.v))
	}
	return append(lines, edge(bd.bl, note, bd.br, styles.dim.Render))
}

// titleLine is a collapsed pane: its title and as many summary items as fit, with the number
// of items left out.
func (f *frame) titleLine(title string, items []string, w int, focused bool) string {
	bd, st := lightBorder, styles.border
	if focused {
		bd, st = heavyBorder, styles.borderFocus
	}
	head := " " + title + " "
	body := ""
	for i, it := range items {
		more := ""
		if rest := len(items) - i - 1; rest > 0 {
			more = " (+" + strconv.Itoa(rest) + ": tab)"
		}
		next := body
		if next != "" {
			next += " · "
		}
		next += it
		if width(head)+width(next)+width(more)+6 > w {
			if body == "" {
				body = "(tab opens it)"
			} else {
				body += " (+" + strconv.Itoa(len(items)-i) + ": tab)"
			}
			break
		}
		body = next
	}
	text := st.Render(bd.h+bd.h) + styles.bold.Render(head)
	if body != "" {
		text += st.Render(bd.h) + " " + styles.dim.Render(body) + " "
	}
	return f.fit(text+st.Render(strings.Repeat(bd.h, max(0, w-width(text)))), w)
}
