//go:build !unix

package tui

import (
	"os"

	_ "bgdefer" // keeps Bubble Tea's init from querying the terminal; see that package

	"github.com/charmbracelet/lipgloss"
)

// adaptToBackground assumes a dark background where the terminal cannot be asked here.
func adaptToBackground(in, out *os.File) { lipgloss.SetHasDarkBackground(true) }
