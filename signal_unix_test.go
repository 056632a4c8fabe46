//go:build unix

package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"lesionui/internal/filestest"
)

// TestMain lets the tests run the test binary as lesionui itself (LESIONUI_TEST_MAIN=1), so
// that signals reach the real main.
func TestMain(m *testing.M) {
	if os.Getenv("LESIONUI_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// lesionui starts the program with args and env, and returns it with its stderr.
func lesionui(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "LESIONUI_TEST_MAIN=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// waitExit waits for cmd and returns its exit code, failing if it takes longer than limit.
func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("lesionui did not exit within %v", limit)
		return -1
	}
}

// Ctrl-C and SIGTERM interrupt a phase that waits on the outside world: a download from a Hub
// that never answers.
func TestSignalsInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			asked := make(chan struct{}, 1)
			stall := make(chan struct{})
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case asked <- struct{}{}:
				default:
				}
				select {
				case <-stall:
				case <-r.Context().Done():
				}
			})}
			go srv.Serve(l)
			defer func() { close(stall); srv.Close() }()
			cmd, stderr := lesionui(t, []string{"HF_ENDPOINT=http://" + l.Addr().String(), "HF_HOME=" + t.TempDir(),
				"HF_HUB_CACHE=", "HF_HUB_OFFLINE=0", "TRANSFORMERS_OFFLINE=0", "HF_TOKEN="}, "run", "--model", "someone/stalled-model")
			select {
			case <-asked:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("lesionui never asked the Hub: %s", stderr)
			}
			cmd.Process.Signal(sig)
			if code := waitExit(t, cmd, 10*time.Second); code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("exit %d after %v, stderr %q; want %d, interrupted", code, sig, stderr, exitInterrupted)
			}
		})
	}
}

// The real binary given a FIFO as --sentences exits at once with an error naming it, where it
// used to wait for a writer for ever.
func TestSentencesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "set.txt")
	filestest.MakeFIFO(t, fifo)
	cmd, stderr := lesionui(t, nil, "run", "--model", fixtureModel, "--sentences", fifo)
	if code := waitExit(t, cmd, 10*time.Second); code != exitError || !strings.Contains(stderr.String(), fifo+" is a named pipe") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
