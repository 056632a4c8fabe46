package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/hub"
)

// progressLine shows how far a long command has come on stderr, as tui.Progress reports it:
// each downloaded file on its own line (hub's printer: rewritten in place on a terminal, only
// the finished line elsewhere), then the loading of the model and the study's phases on one
// line rewritten in place, which nothing but a terminal gets, so that logs and pipes stay clean.
type progressLine struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	width    int // length of the last line, to blank it
	download func(hub.Progress)
}

func newProgressLine(w io.Writer) *progressLine {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			tty = st.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progressLine{w: w, tty: tty, download: hub.NewProgressPrinter(w)}
}

// Download implements tui.Progress.
func (p *progressLine) Download(d hub.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.download(d)
}

// Load implements tui.Progress.
func (p *progressLine) Load(l encoder.LoadProgress) {
	s := "loading the model: " + l.Stage
	if l.Total > 1 {
		s += fmt.Sprintf(" %d/%d", l.Done, l.Total)
	}
	p.show(s, l.Done, l.Total)
}

// Study implements tui.Progress.
func (p *progressLine) Study(e engine.Progress) {
	name := map[engine.Phase]string{engine.PhaseCollect: "recording the activations", engine.PhaseSweep: "lesioning every layer",
		engine.PhaseBaseline: "random baseline", engine.PhaseEvalClean: "evaluation set, clean pass",
		engine.PhaseEval: "lesioning the evaluation set"}[e.Phase]
	if name == "" {
		name = string(e.Phase)
	}
	p.show(fmt.Sprintf("%s: layer %d of %d", name, e.Done, e.Total), e.Done, e.Total)
}

// show rewrites the line with a bar of done/total and s.
func (p *progressLine) show(s string, done, total int) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if total > 0 {
		const bar = 20
		n := min(bar, done*bar/total)
		s = fmt.Sprintf("[%s%s] %.70s", strings.Repeat("=", n), strings.Repeat(" ", bar-n), s)
	}
	fmt.Fprintf(p.w, "\r%-*s", p.width, s)
	p.width = len(s)
}

// clear blanks the line (the caller holds mu).
func (p *progressLine) clear() {
	if !p.tty || p.width == 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%*s\r", p.width, "")
	p.width = 0
}

// done clears the line.
func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}
