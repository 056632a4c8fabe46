// bgdefer is a module of its own only for its import path, which must sort before
// github.com/charmbracelet/bubbletea: see bgdefer.go.
module bgdefer

go 1.26.8

require github.com/charmbracelet/lipgloss v1.1.0
