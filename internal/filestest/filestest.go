//go:build unix

// Package filestest helps the tests that hand lesionui hostile files: named pipes, which a
// careless open waits on for ever, and a time limit that turns such a hang into a failure.
package filestest

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// MakeFIFO makes a named pipe at path, replacing what is there, and skips the test where
// that is impossible.
func MakeFIFO(t testing.TB, path string) {
	t.Helper()
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
}

// Within runs fn and returns its error, failing the test if fn has not returned within a few
// seconds: what must fail at once blocked instead.
func Within(t testing.TB, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s blocked", what)
		return nil
	}
}
