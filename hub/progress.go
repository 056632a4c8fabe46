package hub

import (
	"fmt"
	"io"
	"os"
	"time"

	"lesionui/internal/files"
)

// Progress reports the download of one file.
type Progress struct {
	File        string        // path in the repository
	Done, Total int64         // bytes of the file on disk so far (resumed bytes included), and its size (-1: unknown)
	Rate        float64       // bytes/s received by this download so far
	ETA         time.Duration // time left at Rate; 0 when unknown
	FileIndex   int           // 1-based position among the Files files this call downloads
	Files       int           // files this call downloads (those already cached are not counted)
	Finished    bool          // the file is complete and verified; the last report for it
}

// reportEvery spaces progress reports while bytes arrive.
const reportEvery = 100 * time.Millisecond

// progress turns byte counts into Progress reports, at most every reportEvery.
type progress struct {
	fn        func(Progress)
	info      Progress
	base      int64 // bytes on disk when this request started
	began     time.Time
	lastShown time.Time
}

func (p *progress) start(have int64) {
	p.base, p.info.Done, p.began = have, have, time.Now()
	p.report(true)
}

func (p *progress) advance(n int64) {
	p.info.Done += n
	p.report(false)
}

func (p *progress) finish(size int64) {
	p.info.Done, p.info.Finished = size, true
	p.report(true)
}

func (p *progress) report(force bool) {
	if p.fn == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.lastShown) < reportEvery {
		return
	}
	p.lastShown = now
	p.info.Rate, p.info.ETA = 0, 0
	if el := now.Sub(p.began).Seconds(); el > 0 {
		p.info.Rate = float64(p.info.Done-p.base) / el
	}
	if p.info.Rate > 0 && p.info.Total > p.info.Done {
		p.info.ETA = time.Duration(float64(p.info.Total-p.info.Done) / p.info.Rate * float64(time.Second)).Round(time.Second)
	}
	p.fn(p.info)
}

// NewProgressPrinter returns a Progress callback that renders one line per file on w: on a
// terminal the line is rewritten in place with bytes, rate and ETA; elsewhere (a log, a pipe)
// only the finished line of each file is written.
func NewProgressPrinter(w io.Writer) func(Progress) {
	live := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			live = st.Mode()&os.ModeCharDevice != 0
		}
	}
	return progressPrinter(w, live)
}

// progressPrinter is NewProgressPrinter with the terminal test done: live rewrites the line.
func progressPrinter(w io.Writer, live bool) func(Progress) {
	width := 0
	return func(p Progress) {
		if !live && !p.Finished {
			return
		}
		s := formatProgress(p)
		if live {
			fmt.Fprintf(w, "\r%-*s", width, s)
			width = len(s)
			if p.Finished {
				fmt.Fprintln(w)
				width = 0
			}
			return
		}
		fmt.Fprintln(w, s)
	}
}

// formatProgress renders p as "file [i/n] done / total pct rate ETA".
func formatProgress(p Progress) string {
	s := p.File
	if p.Files > 0 {
		s += fmt.Sprintf(" [%d/%d]", p.FileIndex, p.Files)
	}
	s += "  " + files.ByteSize(p.Done)
	if p.Total >= 0 {
		s += " / " + files.ByteSize(p.Total)
		if p.Total > 0 {
			s += fmt.Sprintf(" %3d%%", p.Done*100/p.Total)
		}
	}
	if p.Rate > 0 {
		s += "  " + files.ByteSize(int64(p.Rate)) + "/s"
	}
	switch {
	case p.Finished:
		s += "  done"
	case p.ETA > 0:
		s += "  ETA " + p.ETA.String()
	}
	return s
}
