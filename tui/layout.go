package tui

// The layout: the header on top, the footer at the bottom; between them the layer list on the
// left (as tall as its layers, with the study's key below it when there is room) and, right of
// it, the four panes stacked in a fixed order (Part 2, Part 3, Parts 4–5, Parts 6–7), each
// taking the whole width. Panes keep their places when the focus moves: the focused pane gets
// the height it needs first, the others what is left in order of importance, and a pane that
// gets no room collapses to its title line with its key numbers. z zooms the focused pane to
// the whole body; help takes the whole body.

// rect is a box on the screen.
type rect struct{ x, y, w, h int }

func (r rect) has(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// layout is where everything goes on the screen.
type layout struct {
	header, footer []string
	body           rect
	panes          [numPanes]rect // zero size: not shown; height 1: collapsed to its title line
	info           rect           // the study's key under the layer list; zero size: none
}

// Minimum terminal size the explorer draws itself in.
const minWidth, minHeight = 64, 18

// infoMinHeight is the smallest key box worth drawing.
const infoMinHeight = 5

// growOrder is who gets room after the focused pane: the live logits first, then the scatter,
// the sweep, the evaluation set, the top-k predictions and the share of significant units.
var growOrder = [numStacked]paneID{paneLogits, paneScatter, paneSweep, paneEval, paneTopK, panePercent}

// stretchy panes use any height they get (their charts grow).
var stretchy = [numStacked]bool{paneScatter: true, panePercent: true, paneSweep: true, paneEval: true}

func (m *Model) layout() layout {
	w, h := m.width, m.height
	lo := layout{header: m.headerLines(w), footer: m.footerLines(w)}
	lo.body = rect{0, len(lo.header), w, max(0, h-len(lo.header)-len(lo.footer))}
	switch {
	case m.help.shown:
		return lo
	case m.zoom && m.paneShown(m.focus):
		lo.panes[m.focus] = lo.body
		return lo
	}
	lw := m.layersWidth(w)
	lh := min(lo.body.h, len(m.study().Layers)+3)
	lo.panes[paneLayers] = rect{0, lo.body.y, lw, lh}
	if rest := lo.body.h - lh; rest >= infoMinHeight {
		lo.info = rect{0, lo.body.y + lh, lw, rest}
	}
	hs := m.stackHeights(w-lw, lo.body.h)
	y := lo.body.y
	for p := range paneID(numStacked) {
		lo.panes[p] = rect{lw, y, w - lw, hs[p]}
		y += hs[p]
	}
	return lo
}

// stackHeights shares h rows among the stacked panes of width w. Each pane that is on gets at
// least its title line (one turned off gets no row); the focused pane then gets its ideal height,
// up to a third of the rows (at least its least height, or all there is); the others get their
// least heights in growOrder while they fit whole; then each grows to its ideal height in the
// same order, and what is left goes to the stretchy panes shown, the focused one first.
func (m *Model) stackHeights(w, h int) [numStacked]int {
	var least, ideal, hs [numStacked]int
	free := h
	for p := range paneID(numStacked) {
		if !m.paneShown(p) {
			continue
		}
		least[p], ideal[p] = m.panes[p].heights(m, w)
		hs[p] = 1
		free--
	}
	grow := func(p paneID, to int) {
		if d := min(to-hs[p], free); d > 0 {
			hs[p] += d
			free -= d
		}
	}
	order := []paneID{m.focus}
	for _, p := range growOrder {
		if p != m.focus && m.paneShown(p) {
			order = append(order, p)
		}
	}
	if !m.paneShown(m.focus) {
		order = order[1:]
	} else {
		grow(m.focus, max(least[m.focus], min(ideal[m.focus], h/3)))
	}
	for _, p := range order {
		if least[p]-1 <= free && hs[p] == 1 {
			grow(p, least[p])
		}
	}
	for _, p := range order {
		if hs[p] > 1 {
			grow(p, ideal[p])
		}
	}
	for _, p := range order {
		if hs[p] > 1 && stretchy[p] {
			grow(p, h)
		}
	}
	if len(order) > 0 {
		grow(order[0], h) // the focused pane
	}
	return hs
}
