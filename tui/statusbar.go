package tui

import (
	"fmt"
	"strings"

	"lesionui/engine"
	"lesionui/engine/stats"
)

// The header (model and settings) and the footer (status message, key hints or the layer
// prompt).

// modelLabel is the model's name with a demo badge.
func (m *Model) modelLabel() string {
	if m.demo {
		return styles.badge.Render(" DEMO MODEL ") + " " + m.name
	}
	return m.name
}

// headerLines are the title (the model's name, wrapped, never cut) and the settings: those that
// fit right of the title's last line there, the others flowed below it, right-aligned.
func (m *Model) headerLines(w int) []string {
	lines := wrapText(styles.title.Render("lesionui")+"  "+m.modelLabel(), w)
	if m.state != stateReady {
		return lines
	}
	sep := styles.dim.Render(" · ")
	items := m.settings()
	last := lines[len(lines)-1]
	n := 0 // the settings beside the title
	for n < len(items) && width(last)+3+width(strings.Join(items[:n+1], sep)) <= w {
		n++
	}
	if n > 0 {
		beside := strings.Join(items[:n], sep)
		lines[len(lines)-1] = last + strings.Repeat(" ", w-width(last)-width(beside)) + beside
	}
	for _, l := range flow(items[n:], sep, w) {
		lines = append(lines, strings.Repeat(" ", max(0, w-width(l)))+l)
	}
	return lines
}

// settings are the study's options, the lesion controls, the study's warnings and the state of
// the background work.
func (m *Model) settings() []string {
	s := m.study()
	test := fmt.Sprintf("%s t", m.kind)
	if m.pendingKind != nil {
		test = fmt.Sprintf("%s t %s %s…", m.kind, m.spin.View(), *m.pendingKind)
	}
	lesion := "lesion off"
	if m.lesionOn {
		lesion = fmt.Sprintf("%s-tuned %s %s", m.mode, m.unitsName(), ablationName(m.ablation))
	}
	dim := styles.dim.Render
	items := []string{dim(test), dim(fmt.Sprintf("%s q<%g", correctionName(s.Options.Correction), s.Options.Alpha)), dim(lesion)}
	if n := len(m.markedLayers()); n > 0 {
		items = append(items, styles.selected.Render(fmt.Sprintf("%s %d layers marked", glyphs.marked, n)))
	}
	if m.baselineOn {
		items = append(items, dim(fmt.Sprintf("baseline %d", m.draws)))
	}
	if m.evalOn {
		items = append(items, dim(fmt.Sprintf("eval %d items", len(m.evalSet.Items))))
	}
	if n := len(s.Warnings); n > 0 {
		items = append(items, styles.bad.Render(fmt.Sprintf("%s %d %s (?)", glyphs.warning, n, plural(n, "warning", "warnings"))))
	}
	p := m.progress()
	if !p.complete() {
		done, total := 0, 0
		for i := range p.done {
			done, total = done+p.done[i], total+p.total[i]
		}
		if m.background {
			items = append(items, styles.accent.Render(fmt.Sprintf("%s background %d/%d", m.spin.View(), done, total)))
		} else {
			items = append(items, dim(fmt.Sprintf("background %d/%d, paused (s)", done, total)))
		}
	}
	return items
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func correctionName(c stats.Correction) string {
	if c == stats.Bonferroni {
		return "Bonferroni"
	}
	return "BH"
}

// footerLines are the status message (wrapped, kept until esc) and the key hints or the ':'
// prompt.
func (m *Model) footerLines(w int) []string {
	var lines []string
	if m.status != "" && m.state == stateReady {
		st := styles.accent
		if m.statusBad {
			st = styles.bad
		}
		for _, l := range wrapText(m.status+"  (esc dismisses)", w) {
			lines = append(lines, st.Render(l))
		}
		lines = lines[:min(len(lines), 3)]
	}
	if m.jump != nil {
		return append(lines, styles.key.Render(":"+*m.jump+"▏")+styles.dim.Render(fmt.Sprintf("  layer 0–%d, enter jumps, esc cancels", len(m.study().Layers)-1)))
	}
	return append(lines, renderHints(m.hints(), w))
}

// hints are the footer's keys for the state and the focused pane, most useful first; "?" and
// "q" are always shown.
func (m *Model) hints() []hint {
	switch {
	case m.state == stateLoading:
		return []hint{{"q", "cancel"}}
	case m.state == stateFailed && m.cfg.OpenDemo != nil:
		return []hint{{"d", "open the demo model"}, {"q", "quit"}}
	case m.state == stateFailed:
		return []hint{{"q", "quit"}}
	case m.help.shown:
		return []hint{{"j/k", "scroll"}, {"esc", "close help"}, {"q", "quit"}}
	}
	hs := []hint{{"j/k", "layer"}, {"tab", "pane"}}
	switch m.focus {
	case paneScatter:
		hs = append(hs, hint{"h/l", "unit"}, hint{"u/U", "top/bottom"})
	case paneLogits, paneTopK:
		hs = append(hs, hint{"1/2/3", "text"})
	case paneSweep:
		hs = append(hs, hint{"b", "baseline"})
	case paneEval:
		hs = append(hs, hint{"v", "eval off"})
	}
	hs = append(hs, hint{"m", "most/least"}, hint{"n", "units"})
	if m.units != engine.Significant {
		hs = append(hs, hint{"+/-", "K"})
	}
	hs = append(hs, hint{"a", "ablate"}, hint{"x", "mark"}, hint{"z", "zoom"}, hint{"space", "lesion"}, hint{"b", "baseline"}, hint{"v", "eval"},
		hint{"t", "top-k"}, hint{"w", "Welch"}, hint{"e", "export"}, hint{":N", "layer N"})
	return append(dedupe(hs), hint{"?", "help"}, hint{"q", "quit"})
}

// dedupe drops the repeats of a key, keeping its first hint.
func dedupe(hs []hint) []hint {
	seen := map[string]bool{}
	out := hs[:0:0]
	for _, h := range hs {
		if !seen[h.key] {
			seen[h.key] = true
			out = append(out, h)
		}
	}
	return out
}

// renderHints draws as many hints as fit in w, keeping the last two (help and quit).
func renderHints(hs []hint, w int) string {
	draw := func(hs []hint) string {
		parts := make([]string, len(hs))
		for i, h := range hs {
			parts[i] = styles.key.Render(h.key) + " " + styles.dim.Render(h.desc)
		}
		return strings.Join(parts, "  ")
	}
	keep := 2
	if len(hs) < keep {
		keep = len(hs)
	}
	for n := len(hs) - keep; n >= 0; n-- {
		s := draw(append(append([]hint{}, hs[:n]...), hs[len(hs)-keep:]...))
		if width(s) <= w || n == 0 {
			return s
		}
	}
	return ""
}
