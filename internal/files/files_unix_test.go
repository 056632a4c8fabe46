//go:build unix

package files

import (
	"path/filepath"
	"strings"
	"testing"

	"lesionui/internal/filestest"
)

func TestFIFONeverBlocks(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "vocab.txt")
	filestest.MakeFIFO(t, fifo)
	err := filestest.Within(t, "ReadRegular(FIFO)", func() error { _, err := ReadRegular(fifo, 100); return err })
	if err == nil || !strings.Contains(err.Error(), "named pipe") || !strings.Contains(err.Error(), fifo) {
		t.Errorf("FIFO: %v", err)
	}
	if _, _, err := OpenRegular("/dev/null"); err == nil || !strings.Contains(err.Error(), "device") {
		t.Errorf("/dev/null: %v", err)
	}
}
