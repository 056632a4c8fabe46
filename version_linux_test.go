package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"lesionui/internal/ptytest"
)

// TestVersionAsksTheTerminalNothing builds lesionui and runs `lesionui version` on a terminal
// that never answers: nothing may ask it for its colours (Bubble Tea's init would, and wait
// 5 s), so the version comes at once and alone.
func TestVersionAsksTheTerminalNothing(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "lesionui")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	pty := ptytest.Open(t)
	cmd := exec.Command(exe, "version")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pty.Slave, pty.Slave, pty.Slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true} // the pty is its controlling terminal, in the foreground
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pty.Slave.Close()
	out, _ := io.ReadAll(pty.Master) // until the child is gone (EIO)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("lesionui version: %v\n%q", err, out)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("lesionui version took %v on a terminal that does not answer", took)
	}
	if s := string(out); s != "lesionui dev\r\n" {
		t.Errorf("output %q, want the version alone (an escape sequence is a terminal query)", s)
	}
}
