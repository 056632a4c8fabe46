package files

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.json")
	if err := os.WriteFile(p, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadRegular(p, 100)
	if err != nil || string(b) != `{"a":1}` {
		t.Fatalf("ReadRegular = %q, %v", b, err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRegular(link, 100); err != nil {
		t.Errorf("through a symlink: %v", err)
	}
	_, err = ReadRegular(p, 3)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != 7 || !strings.Contains(err.Error(), p) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadRegular(dir, 100); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := ReadRegular(filepath.Join(dir, "missing"), 100); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestLFSPointer(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tokenizer.json")
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:62c2\nsize 9096718\n"
	if err := os.WriteFile(p, []byte(pointer), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadRegular(p, 1<<20)
	var lp *LFSPointerError
	if !errors.As(err, &lp) || lp.Size != 9096718 || !strings.HasPrefix(err.Error(), p+": ") {
		t.Errorf("a pointer: %v", err)
	}
	if err := CheckLFSPointer(p, []byte("version https://git-lfs.github.com/spec/v1\n")); err == nil || !strings.Contains(err.Error(), "the real file was") {
		t.Errorf("a pointer without size: %v", err)
	}
	if err := CheckLFSPointer(p, []byte(`{"version": 1}`)); err != nil {
		t.Errorf("JSON: %v", err)
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{999: "999 B", 1000: "1.0 kB", 1_340_000_000: "1.34 GB", 2e12: "2.00 TB"} {
		if got := ByteSize(n); got != want {
			t.Errorf("ByteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
