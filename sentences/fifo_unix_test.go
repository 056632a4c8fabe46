//go:build unix

package sentences

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadFileRefusesFIFO: `--sentences` given a named pipe used to wait for a writer for ever,
// deaf to Ctrl-C.
func TestLoadFileRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "set.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := LoadFile(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), fifo+" is a named pipe (FIFO), not a regular file") {
			t.Errorf("LoadFile(FIFO) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("LoadFile blocked on a FIFO")
	}
}
