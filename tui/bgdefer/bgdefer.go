// Package bgdefer keeps Bubble Tea v1 from asking the terminal for its background colour when
// the program starts. Bubble Tea's package init calls lipgloss.HasDarkBackground, which writes
// an OSC 11 query to the terminal and waits up to 5 s for the answer, in every process that
// links Bubble Tea, whatever command it runs (`lesionui version` included), and for the whole
// 5 s when the terminal never answers. This init runs first and settles the question for
// lipgloss (a dark background) so that nothing is asked; the explorer asks the terminal itself,
// with a short timeout, only when it is about to draw (tui.Run).
//
// It runs first because Go initialises packages in the order of their import paths among those
// whose imports are initialised (the Go spec, "Package initialization"): "bgdefer" sorts before
// "github.com/charmbracelet/bubbletea" and needs only lipgloss, which Bubble Tea needs too. That is
// why this is a module of its own, required by lesionui through a replace directive: no package
// path inside the module lesionui sorts before github.com/…. lesionui's TestVersionAsksTheTerminalNothing
// fails if the order ever changes.
package bgdefer

import "github.com/charmbracelet/lipgloss"

func init() { lipgloss.SetHasDarkBackground(true) }
