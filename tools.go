//go:build tools

// Package main pins modules that lesionui's packages are being built on, so that
// `go mod tidy` keeps them while their first users are written.
package main

import (
	_ "github.com/NimbleMarkets/ntcharts/canvas"
	_ "github.com/charmbracelet/bubbles/progress"
	_ "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/x/exp/teatest"
	_ "github.com/sugarme/tokenizer"
	_ "golang.org/x/sys/cpu"
	_ "gonum.org/v1/gonum/stat/distuv"
	_ "gonum.org/v1/plot"
)
