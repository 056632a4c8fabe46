// Package demo ships lesionui's demo model: a small BERT masked LM trained for this project (see
// demo/model/SOURCES.md and METRICS.md; scripts/demo/ regenerates it), embedded in the binary so that the
// explorer shows real him/her effects without downloading bert-large-uncased.
//
// Dir writes the embedded files once into a cache folder in HuggingFace's layout (config.json, vocab.txt,
// tokenizer_config.json, model.safetensors), so the engine loads the demo through its ordinary directory path.
package demo

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sync"

	"lesionui/internal/files"
)

// Name describes the demo model for titles and reports.
const Name = "lesionui demo BERT (small, trained for lesionui on openly licensed English text)"

//go:embed model
var embedded embed.FS

const modelRoot = "model"

var (
	mu     sync.Mutex
	cached string
)

// Dir returns a directory holding the demo model's files, writing them on first use to
// $XDG_CACHE_HOME/lesionui/demo-<hash> (or ~/.cache/lesionui/demo-<hash>), where <hash> names the embedded
// contents. A complete directory left by an earlier run or another process is reused. Safe for concurrent use.
func Dir() (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if cached != "" {
		return cached, nil
	}
	base, err := cacheBase()
	if err != nil {
		return "", err
	}
	dir, err := materialize(filepath.Join(base, "lesionui"))
	if err != nil {
		return "", err
	}
	cached = dir
	return dir, nil
}

// maxConfigLen bounds the config.json IsDemo reads.
const maxConfigLen = 16 << 20

// IsDemo reports whether dir holds a model whose config.json carries lesionui's demo marker
// ("lesionui_demo": true). Unreadable or malformed configs are not the demo.
func IsDemo(dir string) bool {
	raw, err := files.ReadRegular(filepath.Join(dir, "config.json"), maxConfigLen)
	if err != nil {
		return false
	}
	var c struct {
		Demo bool `json:"lesionui_demo"`
	}
	return json.Unmarshal(raw, &c) == nil && c.Demo
}

func cacheBase() (string, error) {
	if x := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(x) {
		return x, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("demo: no cache folder: XDG_CACHE_HOME is unset and %w", err)
	}
	return filepath.Join(home, ".cache"), nil
}

// file is one embedded model file.
type file struct {
	name string
	data []byte
}

// contents lists the embedded files (sorted by name) and a short hash of their names and bytes.
func contents() ([]file, string, error) {
	entries, err := embedded.ReadDir(modelRoot)
	if err != nil {
		return nil, "", fmt.Errorf("demo: reading embedded model: %w", err)
	}
	h := sha256.New()
	var files []file
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := embedded.ReadFile(path.Join(modelRoot, e.Name()))
		if err != nil {
			return nil, "", fmt.Errorf("demo: reading embedded %s: %w", e.Name(), err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(data))
		h.Write(data)
		files = append(files, file{e.Name(), data})
	}
	return files, hex.EncodeToString(h.Sum(nil))[:12], nil
}

// materialize writes the model under root/demo-<hash> unless a complete copy is there, and returns that path.
// The files are written to a temporary sibling folder that is then renamed into place, so a reader never
// sees a partial directory; when another writer wins the rename, its copy is used.
func materialize(root string) (string, error) {
	model, sum, err := contents()
	if err != nil {
		return "", err
	}
	dst := filepath.Join(root, "demo-"+sum)
	if complete(dst, model) {
		return dst, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("demo: creating cache folder: %w", err)
	}
	tmp, err := os.MkdirTemp(root, ".demo-"+sum+"-*")
	if err != nil {
		return "", fmt.Errorf("demo: creating cache folder: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	for _, f := range model {
		err := files.Write(filepath.Join(tmp, f.name), func(w io.Writer) error { _, err := w.Write(f.data); return err })
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		if complete(dst, model) {
			return dst, nil // another process or goroutine finished first
		}
		if _, serr := os.Stat(dst); serr != nil {
			return "", fmt.Errorf("demo: installing model into %s: %w", dst, err)
		}
		// An incomplete copy (damaged, or cut short by hand) is in the way: replace it.
		if err := os.RemoveAll(dst); err != nil {
			return "", fmt.Errorf("demo: removing incomplete %s: %w", dst, err)
		}
		if err := os.Rename(tmp, dst); err != nil && !complete(dst, model) {
			return "", fmt.Errorf("demo: installing model into %s: %w", dst, err)
		}
	}
	return dst, nil
}

// complete reports whether dir holds every file with its embedded size.
func complete(dir string, files []file) bool {
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dir, f.name))
		if err != nil || !st.Mode().IsRegular() || st.Size() != int64(len(f.data)) {
			return false
		}
	}
	return len(files) > 0
}
