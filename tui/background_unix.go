//go:build unix

package tui

import (
	"os"
	"regexp"
	"strconv"
	"time"

	_ "bgdefer" // keeps Bubble Tea's init from querying the terminal; see that package

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// queryTimeout bounds the wait for the terminal's answer to the background query: terminals
// answer within milliseconds; one that does not answer costs the explorer this much at start.
const queryTimeout = 250 * time.Millisecond

// adaptToBackground asks the terminal on in and out for its background colour, waiting at most
// queryTimeout, and tells lipgloss whether it is dark, for the adaptive colours. Without an
// answer (not a terminal, no reply) the background counts as dark.
func adaptToBackground(in, out *os.File) {
	dark, _ := queryDarkBackground(in, out, queryTimeout)
	lipgloss.SetHasDarkBackground(dark)
}

// queryDarkBackground sends OSC 11 (the background colour) and then DA1 (the device
// attributes, which every terminal answers, after any OSC 11 answer) and reads the replies for
// at most timeout. It reports whether the background is dark and whether the terminal said so.
// Reading on until the DA1 answer consumes both answers, so that none of it reaches the
// explorer as keys; a terminal that ignores OSC 11 answers DA1 at once and costs no wait.
func queryDarkBackground(in, out *os.File, timeout time.Duration) (dark, ok bool) {
	dark = true
	fd := int(in.Fd())
	if !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd()) {
		return dark, false
	}
	state, err := term.MakeRaw(in.Fd())
	if err != nil {
		return dark, false
	}
	defer term.Restore(in.Fd(), state)
	if _, err := out.WriteString("\x1b]11;?\x1b\\\x1b[c"); err != nil {
		return dark, false
	}
	deadline := time.Now().Add(timeout)
	var got []byte
	buf := make([]byte, 256)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return dark, ok
		}
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, int(left/time.Millisecond)+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return dark, ok
		}
		k, err := unix.Read(fd, buf)
		if err != nil || k <= 0 {
			return dark, ok
		}
		got = append(got, buf[:k]...)
		if d, found := parseBackground(got); found {
			dark, ok = d, true
		}
		if da1Reply.Match(got) {
			return dark, ok
		}
	}
}

var (
	oscReply = regexp.MustCompile(`\x1b\]11;rgba?:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})`)
	da1Reply = regexp.MustCompile(`\x1b\[\?[0-9;]*c`)
)

// parseBackground reads an OSC 11 answer, "ESC ] 11 ; rgb:RRRR/GGGG/BBBB", and reports whether
// the colour is dark (HSL lightness below one half, as termenv decides).
func parseBackground(b []byte) (dark, found bool) {
	mm := oscReply.FindSubmatch(b)
	if mm == nil {
		return false, false
	}
	lo, hi := 1.0, 0.0
	for _, hex := range mm[1:] {
		v, _ := strconv.ParseUint(string(hex), 16, 16)
		c := float64(v) / float64(uint64(1)<<(4*len(hex))-1)
		lo, hi = min(lo, c), max(hi, c)
	}
	return (lo+hi)/2 < 0.5, true
}
