//go:build unix

package sentences

import (
	"path/filepath"
	"strings"
	"testing"

	"lesionui/internal/filestest"
)

// TestLoadFileRefusesFIFO: `--sentences` given a named pipe used to wait for a writer for ever,
// deaf to Ctrl-C.
func TestLoadFileRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "set.txt")
	filestest.MakeFIFO(t, fifo)
	err := filestest.Within(t, "LoadFile(FIFO)", func() error { _, err := LoadFile(fifo); return err })
	if err == nil || !strings.Contains(err.Error(), fifo+" is a named pipe (FIFO), not a regular file") {
		t.Errorf("LoadFile(FIFO) = %v", err)
	}
}
