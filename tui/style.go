package tui

import "github.com/charmbracelet/lipgloss"

// Colours readable on dark and light backgrounds. Group A (t > 0) is blue, group B orange, so
// that the two stay apart for colour-blind readers; non-significant units are grey.
var (
	colorA      = lipgloss.AdaptiveColor{Light: "#1d4ed8", Dark: "#7aa7ff"}
	colorB      = lipgloss.AdaptiveColor{Light: "#c2410c", Dark: "#ffa94d"}
	colorNS     = lipgloss.AdaptiveColor{Light: "#9ca3af", Dark: "#5c6370"}
	colorAccent = lipgloss.AdaptiveColor{Light: "#7c3aed", Dark: "#c4a7ff"}
	colorDim    = lipgloss.AdaptiveColor{Light: "#6b7280", Dark: "#8b93a1"}
	colorBad    = lipgloss.AdaptiveColor{Light: "#b91c1c", Dark: "#ff6b6b"}
	colorLesion = lipgloss.AdaptiveColor{Light: "#0f766e", Dark: "#5eead4"}
)

// colorAccentHex is the accent for the progress bar, which takes a plain colour.
func colorAccentHex() string {
	if lipgloss.HasDarkBackground() {
		return colorAccent.Dark
	}
	return colorAccent.Light
}

type styleSet struct {
	a, b, ns, accent, dim, bad, lesion lipgloss.Style
	bold, title, badge, selected       lipgloss.Style
	border, borderFocus, helpKey       lipgloss.Style
}

var styles = styleSet{
	a:           lipgloss.NewStyle().Foreground(colorA),
	b:           lipgloss.NewStyle().Foreground(colorB),
	ns:          lipgloss.NewStyle().Foreground(colorNS),
	accent:      lipgloss.NewStyle().Foreground(colorAccent),
	dim:         lipgloss.NewStyle().Foreground(colorDim),
	bad:         lipgloss.NewStyle().Foreground(colorBad),
	lesion:      lipgloss.NewStyle().Foreground(colorLesion),
	bold:        lipgloss.NewStyle().Bold(true),
	title:       lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
	badge:       lipgloss.NewStyle().Bold(true).Reverse(true),
	selected:    lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
	border:      lipgloss.NewStyle().Foreground(colorDim),
	borderFocus: lipgloss.NewStyle().Foreground(colorAccent),
	helpKey:     lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
}
