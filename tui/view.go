package tui

import (
	"fmt"
	"slices"
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
	if extra := len(lines) - (r.h - 2); extra > 0 { // whole lines left out, and said so
		lines = lines[:r.h-2]
		how := "z"
		if m.zoom {
			how = "enlarge"
		}
		note = joinNote(append(strings.Split(note, " · "), fmt.Sprintf("%d more %s: %s", extra, plural(extra, "line", "lines"), how))...)
	}
	title := pn.title(m)
	if width(title)+4 > r.w-2 {
		title = pn.name()
	}
	return f.box(title, note, lines, r.w, r.h, focused)
}

// joinNote joins what a pane left out for its bottom border, each part "what: how to see it" (or
// a bare "how"), the parts seen the same way together: "activations, 2 more lines: z · legend:
// ?". A note of only "z" says "z zooms".
func joinNote(parts ...string) string {
	var hows []string
	whats := map[string][]string{}
	for _, p := range parts {
		if p == "" {
			continue
		}
		what, how, ok := strings.Cut(p, ": ")
		if !ok {
			what, how = "", p
		}
		if _, seen := whats[how]; !seen {
			hows = append(hows, how)
			whats[how] = nil
		}
		if what != "" && !slices.Contains(whats[how], what) {
			whats[how] = append(whats[how], what)
		}
	}
	out := make([]string, len(hows))
	for i, how := range hows {
		if how == "z" && len(hows) == 1 {
			how = "z zooms"
		}
		out[i] = how
		if ws := whats[hows[i]]; len(ws) > 0 {
			out[i] = strings.Join(ws, ", ") + ": " + how
		}
	}
	return strings.Join(out, " · ")
}
