//go:build unix

package tokenize

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFORefused: a named pipe in place of any tokenizer file is refused at once (opening one
// for reading would block until a writer comes).
func TestFIFORefused(t *testing.T) {
	for _, name := range []string{"tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "config.json", "vocab.json"} {
		dir := t.TempDir()
		if name != "vocab.txt" && name != "tokenizer.json" && name != "vocab.json" {
			writeFile(t, dir, "vocab.txt", []byte(tinyVocab))
		}
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
		done := make(chan error, 1)
		go func() { _, err := Load(dir); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "named pipe") {
				t.Errorf("%s as a FIFO: error %v, want a refusal naming the pipe", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s as a FIFO: Load blocked", name)
		}
	}
}
