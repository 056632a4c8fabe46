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

// headerLines are the title (the model's name, wrapped, never cut) and the settings, right
// of it when they fit.
func (m *Model) headerLines(w int) []string {
	lines := wrapText(styles.title.Render("lesionui")+"  "+m.modelLabel(), w)
	if m.state != stateReady {
		return lines
	}
	settings := flow(m.settings(), styles.dim.Render(" · "), w)
	last := lines[len(lines)-1]
	if len(settings) == 1 && width(last)+3+width(settings[0]) <= w {
		lines[len(lines)-1] = last + strings.Repeat(" ", w-width(last)-width(settings[0])) + settings[0]
		return lines
	}
	for _, l := range settings {
		lines = append(lines, strings.Repeat(" ", max(0, w-width(l)))+l)
	}
	return lines
}

// settings are the study's options and the state of the background work.
func (m *Model) settings() []string {
	s := m.study()
	test := fmt.Sprintf("%s t", m.kind)
	if m.pendingKind != nil {
		test = fmt.Sprintf("%s t %s %s…", m.kind, m.spin.View(), *m.pendingKind)
	}
	lesion := "lesion off"
	if m.lesionOn {
		lesion = m.mode.String() + "-tuned lesion"
	}
	items := []string{styles.dim.Render(test), styles.dim.Render(fmt.Sprintf("%s q<%g", correctionName(s.Options.Correction), s.Options.Alpha)), styles.dim.Render(lesion)}
	v := m.variant()
	if !v.complete() {
		n := len(s.Layers) * len(engine.Modes)
		if m.background {
			items = append(items, styles.accent.Render(fmt.Sprintf("%s lesions %d/%d", m.spin.View(), len(v.lesions), n)))
		} else {
			items = append(items, styles.dim.Render(fmt.Sprintf("lesions %d/%d, paused (s)", len(v.lesions), n)))
		}
	}
	return items
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
		hs = append(hs, hint{"h/l", "unit"}, hint{"u/U", "top/bottom unit"})
	case paneLogits:
		hs = append(hs, hint{"1/2/3", "text"})
	case paneSweep:
		hs = append(hs, hint{"s", "background"})
	}
	hs = append(hs, hint{"m", "most/least"}, hint{"space", "lesion"}, hint{"z", "zoom"},
		hint{"w", "Welch"}, hint{"e", "export"}, hint{":N", "layer N"})
	return append(hs, hint{"?", "help"}, hint{"q", "quit"})
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
