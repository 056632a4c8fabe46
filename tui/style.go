package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Colours readable on dark and light backgrounds. Group A (t > 0) is blue, group B orange, so
// that the two stay apart for colour-blind readers; non-significant units are grey. Without
// colour (NO_COLOR) the same things are told apart by glyph: see glyphs.
var (
	colorA      = lipgloss.AdaptiveColor{Light: "#1d4ed8", Dark: "#7aa7ff"}
	colorB      = lipgloss.AdaptiveColor{Light: "#c2410c", Dark: "#ffa94d"}
	colorNS     = lipgloss.AdaptiveColor{Light: "#9ca3af", Dark: "#6b7280"}
	colorAccent = lipgloss.AdaptiveColor{Light: "#7c3aed", Dark: "#c4a7ff"}
	colorDim    = lipgloss.AdaptiveColor{Light: "#6b7280", Dark: "#8b93a1"}
	colorBad    = lipgloss.AdaptiveColor{Light: "#b91c1c", Dark: "#ff6b6b"}
	colorLesion = lipgloss.AdaptiveColor{Light: "#0f766e", Dark: "#5eead4"}
)

type styleSet struct {
	a, b, ns, accent, dim, bad, lesion lipgloss.Style
	bold, title, badge, selected       lipgloss.Style
	border, borderFocus, key, cursor   lipgloss.Style
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
	key:         lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
	cursor:      lipgloss.NewStyle().Bold(true).Foreground(colorAccent).Reverse(true),
}

// noColor reports whether the terminal gets no colour (NO_COLOR, a dumb terminal, a pipe):
// then every distinction the colours make is made by glyph as well.
func noColor() bool { return lipgloss.ColorProfile() == termenv.Ascii }

// glyphSet are the marks of the classes and series, which must differ without colour too.
type glyphSet struct {
	a, b, ns   string // Part 2 cells and legend: prefers A, prefers B, not significant
	solid      string // the first series of a per-layer chart (group A, most-tuned)
	shade      string // the second series (group B, least-tuned)
	light      string // its cells filled less than half
	pending    string // a per-layer value not computed yet
	up, down   string // Part 2: units beyond the top / bottom of the y range
	cursor     string // Part 2: the unit under the cursor
	here, mark string // the selected layer under a chart; a layer marker in lists
	marked     string // a layer marked for a lesion of several layers together
	warning    string // the study's warnings in the header
	target     string // a contrast word among the top-k predictions
	band       string // the random baseline's 5–95 % band
	whisker    string // a 95 % interval
	meanA      string // the mean of an interval, first series (most-tuned)
	meanB      string // the mean of an interval, second series (least-tuned)
}

var glyphs = glyphSet{a: "▲", b: "▼", ns: "·", solid: "█", shade: "▒", light: "░", pending: "·", up: "↑", down: "↓",
	cursor: "◆", here: "▲", mark: "▶", marked: "*", warning: "!", target: "▸", band: "┆", whisker: "│", meanA: "●", meanB: "○"}

// classMark is the legend mark of a class: a dot in colour, the class glyph without.
func classMark(glyph string) string {
	if noColor() {
		return glyph
	}
	return "●"
}
