package tui

import (
	"fmt"
	"strings"
)

// String is the screen of the frame.
func (f *frame) String() string { return strings.Join(f.lines, "\n") }

// render draws the whole screen into a frame.
func (m *Model) render() *frame {
	f := &frame{}
	w, h := m.width, m.height
	switch {
	case w < minWidth || h < minHeight:
		f.lines = tooSmall(w, h)
	case m.state == stateLoading:
		f.lines = f.fitLines(m.loadingView(w), w, h)
	case m.state == stateFailed:
		f.lines = f.fitLines(m.failedView(w), w, h)
	default:
		lo := m.layout()
		lines := f.fitLines(lo.header, w, len(lo.header))
		lines = append(lines, m.body(f, lo)...)
		f.lines = append(lines, f.fitLines(lo.footer, w, len(lo.footer))...)
	}
	return f
}

// tooSmall is the screen of a terminal below the minimum size: one sentence, wrapped.
func tooSmall(w, h int) []string {
	s := fmt.Sprintf("lesionui needs a terminal of at least %d×%d cells to draw its panes; this one is %d×%d. Enlarge it, or press q to quit.",
		minWidth, minHeight, w, h)
	lines := wrapText(s, max(1, w))
	if len(lines) > h {
		lines = wrapText(fmt.Sprintf("need %d×%d; q quits", minWidth, minHeight), max(1, w))
	}
	return lines[:min(len(lines), max(1, h))]
}

// body draws the panes of the layout, row by row.
func (m *Model) body(f *frame, lo layout) []string {
	b := lo.body
	if m.help.shown {
		return m.help.view(m, f, b.w, b.h)
	}
	rows := make([]string, b.h)
	put := func(r rect, lines []string) {
		for i, l := range lines {
			if y := r.y - b.y + i; y >= 0 && y < len(rows) {
				rows[y] += l
			}
		}
	}
	// Left to right: the layer column (or a zoomed pane), then the stack.
	if r := lo.panes[paneLayers]; r.w > 0 {
		put(r, m.drawPane(f, paneLayers, r))
		if lo.info.h > 0 {
			put(lo.info, f.box("Key", "", m.infoLines(lo.info.w-2, lo.info.h-2), lo.info.w, lo.info.h, false))
		}
		if used := r.h + lo.info.h; used < b.h {
			put(rect{0, b.y + used, r.w, b.h - used}, f.fitLines(nil, r.w, b.h-used))
		}
	}
	for p := range paneID(numStacked) {
		if r := lo.panes[p]; r.w > 0 && r.h > 0 {
			put(r, m.drawPane(f, p, r))
		}
	}
	return rows
}

// drawPane draws pane p in r: its box, or its title line when collapsed.
func (m *Model) drawPane(f *frame, p paneID, r rect) []string {
	pn := m.panes[p]
	focused := p == m.focus && p != paneLayers
	if r.h == 1 {
		return []string{f.titleLine(pn.name(), pn.summary(m), r.w, focused)}
	}
	lines, note := pn.view(m, f, r.w-2, r.h-2)
	title := pn.title(m)
	if width(title)+4 > r.w-2 {
		title = pn.name()
	}
	return f.box(title, note, lines, r.w, r.h, focused)
}
