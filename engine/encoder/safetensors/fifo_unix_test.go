//go:build unix

package safetensors

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFOsAreRefused puts a named pipe where each weight file goes: opening it would wait
// for a writer for ever. Each must be refused at once, naming the file.
func TestFIFOsAreRefused(t *testing.T) {
	for _, name := range []string{SingleFileName, IndexFileName, "model-00002-of-00002.safetensors"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if name != SingleFileName {
				writeSharded(t, dir)
			}
			fifo := filepath.Join(dir, name)
			os.Remove(fifo)
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Skip("no mkfifo:", err)
			}
			done := make(chan error, 1)
			go func() {
				c, err := OpenDir(dir)
				if err == nil {
					c.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "named pipe (FIFO), not a regular file") {
					t.Errorf("OpenDir with %s a FIFO: %v", name, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("OpenDir blocked on a FIFO as %s", name)
			}
		})
	}
}
