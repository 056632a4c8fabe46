package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"lesionui/hub"

	"lesionui/internal/files"
)

// The start-up views: while the study opens, one line per downloaded file (updated in place),
// then the model's loading and the study's collection; if it fails, why, and what to do.

// loadingView is the start-up progress, centred.
func (m *Model) loadingView(w int) []string {
	st := m.opening
	lines := []string{styles.title.Render("lesionui") + " · opening " + m.modelLabel(), ""}
	nameW := 0
	for _, d := range st.downloads {
		nameW = max(nameW, width(d.File))
	}
	for _, d := range st.downloads {
		lines = append(lines, m.downloadLine(d, nameW, w))
	}
	spin := m.spin.View()
	switch {
	case st.study != nil:
		lines = append(lines, styles.dim.Render("  ✓ model loaded"))
		p := st.study
		if p.Done < p.Total {
			lines = append(lines, fmt.Sprintf("  %s recording the activations: layer %d of %d  %s", spin, p.Done, p.Total, meter(p.Done, p.Total, min(30, max(4, w-50)))))
		} else {
			lines = append(lines, styles.dim.Render(fmt.Sprintf("  ✓ activations recorded (%d layers)", p.Total)),
				"  "+spin+" t-testing every unit, clean pass over the test texts…")
		}
	case st.load != nil:
		p := st.load
		line := fmt.Sprintf("  %s loading the model: %s", spin, p.Stage)
		if p.Total > 1 {
			line += fmt.Sprintf(" %d/%d  %s", p.Done, p.Total, meter(p.Done, p.Total, min(30, max(4, w-50))))
		}
		lines = append(lines, line)
	case len(st.downloads) == 0:
		lines = append(lines, "  "+spin+" starting…")
	}
	lines = append(lines, "", styles.dim.Render("  q / ctrl+c cancels"))
	return m.centre(lines, w)
}

// downloadLine is one downloaded file: numbers first, then a bar in what room is left.
func (m *Model) downloadLine(d hub.Progress, nameW, w int) string {
	mark := m.spin.View()
	if d.Finished {
		mark = "✓"
	}
	s := fmt.Sprintf("  %s %-*s  %s", mark, nameW, d.File, files.ByteSize(d.Done))
	if d.Total >= 0 {
		s += " / " + files.ByteSize(d.Total)
		if d.Total > 0 {
			s += fmt.Sprintf(" %3d%%", d.Done*100/d.Total)
		}
	}
	if d.Rate > 0 && !d.Finished {
		s += "  " + files.ByteSize(int64(d.Rate)) + "/s"
	}
	if d.ETA > 0 && !d.Finished {
		s += "  ETA " + d.ETA.Round(time.Second).String()
	}
	if d.Finished {
		return styles.dim.Render(s)
	}
	if room := w - width(s) - 4; d.Total > 0 && room >= 4 {
		s += "  " + meter(int(d.Done*1000/d.Total), 1000, min(30, room))
	}
	return s
}

// failedView shows why the study could not be opened and what the user can do.
func (m *Model) failedView(w int) []string {
	lines := []string{styles.title.Render("lesionui") + " · could not open " + m.modelLabel(), ""}
	for _, l := range strings.Split(m.openErr.Error(), "\n") {
		for _, wl := range wrapText(l, min(100, w-4)) {
			lines = append(lines, styles.bad.Render(wl))
		}
	}
	lines = append(lines, "")
	if m.cfg.OpenDemo != nil {
		lines = append(lines, "press "+styles.key.Render("d")+" to open the shipped demo model instead")
	}
	lines = append(lines, "press "+styles.key.Render("q")+" to quit")
	return m.centre(lines, w)
}

// centre places lines (wrapped to w) in the middle of the screen.
func (m *Model) centre(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		out = append(out, wrapText(l, w)...)
	}
	block := lipgloss.Place(w, m.height, lipgloss.Center, lipgloss.Center, lipgloss.JoinVertical(lipgloss.Left, out...))
	return strings.Split(block, "\n")
}
