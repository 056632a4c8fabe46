//go:build unix

package encoder

import (
	"path/filepath"
	"strings"
	"testing"

	"lesionui/internal/filestest"
)

// TestLoadRefusesFIFOs puts a named pipe in place of config.json and of the weights: reading
// one would wait for a writer for ever, deaf to Ctrl-C. Load must refuse each at once.
func TestLoadRefusesFIFOs(t *testing.T) {
	for _, name := range []string{"config.json", "model.safetensors"} {
		t.Run(name, func(t *testing.T) {
			dir := copyFixture(t)
			fifo := filepath.Join(dir, name)
			filestest.MakeFIFO(t, fifo)
			err := filestest.Within(t, "Load with a FIFO as "+name, func() error {
				m, err := Load(dir, nil)
				if err == nil {
					m.Close()
				}
				return err
			})
			if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("Load with %s a FIFO: %v", name, err)
			}
		})
	}
}
