//go:build linux

package tui

import (
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"lesionui/internal/ptytest"
)

// TestBackgroundQuery asks a pseudo-terminal for its background colour: one that never
// answers costs at most the timeout, one that answers OSC 11 is read, one that answers only
// the device attributes returns at once.
func TestBackgroundQuery(t *testing.T) {
	for _, c := range []struct {
		name     string
		answer   string // what the terminal says to the query; "" is silence
		dark, ok bool
		fast     bool // done well within the timeout
	}{
		{"silent", "", true, false, false},
		{"light", "\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62;22c", false, true, true},
		{"dark, BEL", "\x1b]11;rgb:1e1e/1e1e/2e2e\x07\x1b[?1;2c", true, true, true},
		{"two-digit light", "\x1b]11;rgb:ee/ee/ee\x1b\\\x1b[?6c", false, true, true},
		{"no OSC 11", "\x1b[?1;2c", true, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			pty := ptytest.Open(t)
			queried := make(chan string, 1)
			go func() {
				buf := make([]byte, 64)
				n, _ := pty.Master.Read(buf)
				queried <- string(buf[:n])
				if c.answer != "" {
					pty.Master.WriteString(c.answer)
				}
			}()
			const timeout = 300 * time.Millisecond
			start := time.Now()
			dark, ok := queryDarkBackground(pty.Slave, pty.Slave, timeout)
			took := time.Since(start)
			if dark != c.dark || ok != c.ok {
				t.Errorf("dark %v ok %v, want %v %v", dark, ok, c.dark, c.ok)
			}
			if took > timeout+200*time.Millisecond || c.fast && took > timeout/2 {
				t.Errorf("took %v (timeout %v)", took, timeout)
			}
			if q := <-queried; !strings.Contains(q, "\x1b]11;?") {
				t.Errorf("the terminal got %q, not an OSC 11 query", q)
			}
			// The terminal is left as it was: canonical mode with echo.
			tio, err := unix.IoctlGetTermios(int(pty.Slave.Fd()), unix.TCGETS)
			if err != nil || tio.Lflag&unix.ICANON == 0 || tio.Lflag&unix.ECHO == 0 {
				t.Errorf("terminal modes not restored: %v %#x", err, tio.Lflag)
			}
		})
	}
	// Not a terminal: nothing is asked.
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	if dark, ok := queryDarkBackground(f, f, time.Second); !dark || ok {
		t.Errorf("a file: dark %v ok %v", dark, ok)
	}
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("%d bytes written to a file that is no terminal", st.Size())
	}
}
