//go:build unix

package encoder

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadRefusesFIFOs puts a named pipe in place of config.json and of the weights: reading
// one would wait for a writer for ever, deaf to Ctrl-C. Load must refuse each at once.
func TestLoadRefusesFIFOs(t *testing.T) {
	for _, name := range []string{"config.json", "model.safetensors"} {
		t.Run(name, func(t *testing.T) {
			dir := copyFixture(t)
			fifo := filepath.Join(dir, name)
			os.Remove(fifo)
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Skip("no mkfifo:", err)
			}
			done := make(chan error, 1)
			go func() {
				m, err := Load(dir, nil)
				if err == nil {
					m.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "named pipe") {
					t.Errorf("Load with %s a FIFO: %v", name, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("Load blocked on %s as a FIFO", name)
			}
		})
	}
}
