package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"lesionui/engine"
)

// progressLine shows the current phase of a long command on one terminal line, rewritten in
// place. On anything but a terminal it prints nothing, so logs and pipes stay clean.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	width int // length of the last line, to blank it
}

func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	tty := false
	if ok {
		if st, err := f.Stat(); err == nil {
			tty = st.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progressLine{w: w, tty: tty}
}

func (p *progressLine) update(pr engine.Progress) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := pr.String()
	if pr.Total > 0 {
		const bar = 20
		n := min(bar, pr.Done*bar/pr.Total)
		s = fmt.Sprintf("[%s%s] %.70s", strings.Repeat("=", n), strings.Repeat(" ", bar-n), s)
	}
	fmt.Fprintf(p.w, "\r%-*s", p.width, s)
	p.width = len(s)
}

// done clears the line.
func (p *progressLine) done() {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width == 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%*s\r", p.width, "")
	p.width = 0
}
