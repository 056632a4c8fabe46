// Package filestest holds helpers for tests that work on copies of fixture files.
package filestest

import (
	"os"
	"path/filepath"
	"testing"
)

// CopyDir copies the files of src (a fixture directory; its subdirectories are left out) into a fresh
// temporary directory, for a test to change or damage, and returns that directory.
func CopyDir(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
