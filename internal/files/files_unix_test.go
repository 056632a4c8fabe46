//go:build unix

package files

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFIFONeverBlocks(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "vocab.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadRegular(fifo, 100); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe") || !strings.Contains(err.Error(), fifo) {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadRegular blocked on a FIFO")
	}
	if _, _, err := OpenRegular("/dev/null"); err == nil || !strings.Contains(err.Error(), "device") {
		t.Errorf("/dev/null: %v", err)
	}
}
