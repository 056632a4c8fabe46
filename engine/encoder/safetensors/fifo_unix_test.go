//go:build unix

package safetensors

import (
	"path/filepath"
	"strings"
	"testing"

	"lesionui/internal/filestest"
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
			filestest.MakeFIFO(t, fifo)
			err := filestest.Within(t, "OpenDir with a FIFO as "+name, func() error {
				c, err := OpenDir(dir)
				if err == nil {
					c.Close()
				}
				return err
			})
			if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "named pipe (FIFO), not a regular file") {
				t.Errorf("OpenDir with %s a FIFO: %v", name, err)
			}
		})
	}
}
