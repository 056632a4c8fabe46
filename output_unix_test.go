//go:build unix

package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"lesionui/internal/filestest"
)

// TestRunJSONOutputs writes `run --json` where people point it: through a symlink, into a
// FIFO with a reader, onto a character device; and refuses what it must not replace, before
// the study runs.
func TestRunJSONOutputs(t *testing.T) {
	dir := t.TempDir()
	study := func(t *testing.T, path string) {
		t.Helper()
		if code, _, stderr := run(t, "run", "--model", fixtureModel, "--json", path); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	isRecord := func(t *testing.T, b []byte) {
		t.Helper()
		var s studyJSON
		if err := json.Unmarshal(b, &s); err != nil || s.Format != "lesionui-study/1" {
			t.Errorf("not the study record (%v): %.100s", err, b)
		}
	}

	t.Run("symlink", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "real.json")
		link := filepath.Join(dir, "link.json")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		study(t, link)
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("the symlink was replaced (%v)", err)
		}
		b, err := os.ReadFile(target)
		if err != nil {
			t.Fatal(err)
		}
		isRecord(t, b)
	})

	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(dir, "pipe.json")
		filestest.MakeFIFO(t, fifo)
		got := make(chan []byte, 1)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			b, _ := io.ReadAll(f)
			f.Close()
			got <- b
		}()
		time.Sleep(50 * time.Millisecond) // let the reader open first, as `cat pipe &` would
		study(t, fifo)
		select {
		case b := <-got:
			isRecord(t, b)
		case <-time.After(10 * time.Second):
			t.Fatal("the FIFO's reader got nothing")
		}
		if fi, _ := os.Lstat(fifo); fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("the FIFO became %v", fi.Mode())
		}
	})

	t.Run("device", func(t *testing.T) {
		// `--json /dev/null` once replaced /dev/null with a regular file. A private copy of the
		// device (1:3) stands in for it here.
		null := filepath.Join(dir, "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skip("cannot make a device node:", err)
		}
		study(t, null)
		if fi, err := os.Lstat(null); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("the device became %v (%v)", fi.Mode(), err)
		}
	})

	// Refusals come before the study: the model does not even exist.
	readOnly := filepath.Join(dir, "read-only.json")
	if err := os.WriteFile(readOnly, []byte("keep"), 0o444); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path, want string }{
		{"read-only", readOnly, "read-only"},
		{"missing folder", filepath.Join(dir, "missing", "s.json"), "the folder " + filepath.Join(dir, "missing") + " does not exist"},
		{"directory", dir, "a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, "run", "--model", filepath.Join(dir, "no-model"), "--json", c.path)
			if code != exitError || !strings.Contains(stderr, "--json") || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "no-model") {
				t.Errorf("exit %d, stderr %q; want exit 1 about --json: %q, before the model is opened", code, stderr, c.want)
			}
		})
	}
	if b, _ := os.ReadFile(readOnly); string(b) != "keep" {
		t.Errorf("the read-only file now holds %q", b)
	}
}

func TestReportOutIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out")
	os.WriteFile(file, nil, 0o644)
	code, _, stderr := run(t, "report", "--model", filepath.Join(t.TempDir(), "no-model"), "--out", file)
	if code != exitError || !strings.Contains(stderr, "--out") || !strings.Contains(stderr, "not a folder") {
		t.Errorf("exit %d, stderr %q; want exit 1: --out is not a folder, before the model is opened", code, stderr)
	}
}
