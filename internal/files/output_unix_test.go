//go:build unix

package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"lesionui/internal/filestest"
)

// writeString writes s to path through Write.
func writeString(path, s string) error {
	return Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}

// noLeftovers fails if dir holds anything but the names given.
func noLeftovers(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteNewAndExistingFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "study.json")
	umask := syscall.Umask(0o022)
	defer syscall.Umask(umask)
	if err := writeString(p, "one"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file has mode %v, want 0644 (0666 less the umask)", fi.Mode().Perm())
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := writeString(p, "two"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "two" {
		t.Errorf("content %q", got)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("replaced file has mode %v, want the old 0640", fi.Mode().Perm())
	}
	noLeftovers(t, dir, "study.json")

	// A failing write changes nothing and leaves no temporary file.
	err := Write(p, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errors.New("the study broke")
	})
	if err == nil || !strings.Contains(err.Error(), "the study broke") || !strings.Contains(err.Error(), p) {
		t.Errorf("failed write: %v", err)
	}
	if got := readFile(t, p); got != "two" {
		t.Errorf("after a failed write the file holds %q", got)
	}
	noLeftovers(t, dir, "study.json")
}

func TestWriteThroughSymlinks(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	target := filepath.Join(other, "real.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A relative link to a relative link to the file in another folder.
	if err := os.Symlink(target, filepath.Join(dir, "hop.json")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink("hop.json", link); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(link); err != nil {
		t.Fatal(err)
	}
	if err := writeString(link, "new"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if got := readFile(t, target); got != "new" {
		t.Errorf("target holds %q", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want 0600 kept", fi.Mode().Perm())
	}
	noLeftovers(t, dir, "hop.json", "out.json")
	noLeftovers(t, other, "real.json")

	// A dangling link: its target is created, the link stays.
	dangling := filepath.Join(dir, "dangling.json")
	if err := os.Symlink(filepath.Join(other, "new.json"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := writeString(dangling, "created"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(other, "new.json")); got != "created" {
		t.Errorf("dangling target holds %q", got)
	}
	if fi, _ := os.Lstat(dangling); fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the dangling link was replaced")
	}
	// A loop is an error, not a hang.
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if err := writeString(loop, "x"); err == nil {
		t.Error("a symlink loop was written")
	}
}

func TestWriteFIFODirectly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	filestest.MakeFIFO(t, fifo)
	// No reader: a clear error at once, not a wait for ever.
	err := filestest.Within(t, "writing a FIFO without a reader", func() error { return writeString(fifo, "lost") })
	if err == nil || !strings.Contains(err.Error(), "no reader") || !strings.Contains(err.Error(), fifo) {
		t.Errorf("FIFO without a reader: %v", err)
	}
	// CheckOutput neither blocks nor opens the pipe (which would wake a waiting reader).
	if err := filestest.Within(t, "CheckOutput on a FIFO", func() error { return CheckOutput(fifo) }); err != nil {
		t.Errorf("CheckOutput(FIFO): %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until the writer opens
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	payload := strings.Repeat("0123456789", 20000) // more than a pipe buffer holds
	var werr error
	for range 100 { // the reader may not have opened yet
		if werr = writeString(fifo, payload); werr == nil || !strings.Contains(werr.Error(), "no reader") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if werr != nil {
		t.Fatal(werr)
	}
	select {
	case s := <-got:
		if s != payload {
			t.Errorf("the reader got %d bytes, want %d", len(s), len(payload))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reader got nothing")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO became %v (%v)", fi.Mode(), err)
	}
}

func TestWriteCharacterDeviceDirectly(t *testing.T) {
	// A private /dev/null (character device 1:3), so that nothing real is at risk.
	null := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skip("cannot make a device node here:", err)
	}
	if err := CheckOutput(null); err != nil {
		t.Fatal(err)
	}
	if err := writeString(null, "discarded"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(null)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("the device became %v (%v)", fi.Mode(), err)
	}
	noLeftovers(t, filepath.Dir(null), "null")
}

func TestWriteRefusals(t *testing.T) {
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "keep.json")
	if err := os.WriteFile(readOnly, []byte("precious"), 0o444); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, c := range []struct{ path, want string }{
		{readOnly, "read-only"},
		{dir, "a directory"},
		{sock, "a socket"},
		{filepath.Join(dir, "missing", "out.json"), "the folder " + filepath.Join(dir, "missing") + " does not exist"},
		{"", "no file name"},
	} {
		for what, fn := range map[string]func(string) error{"CheckOutput": CheckOutput, "Write": func(p string) error { return writeString(p, "x") }} {
			if err := fn(c.path); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("%s(%q) = %v, want an error naming it and saying %q", what, c.path, err, c.want)
			}
		}
	}
	if got := readFile(t, readOnly); got != "precious" {
		t.Errorf("read-only file now holds %q", got)
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{dir, filepath.Join(dir, "new"), filepath.Join(dir, "new", "deeper")} {
		if err := CheckDir(ok); err != nil {
			t.Errorf("CheckDir(%s): %v", ok, err)
		}
	}
	for _, c := range []struct{ dir, want string }{
		{file, "it is a file, not a folder"},
		{filepath.Join(file, "sub"), file + " is a file, not a folder"},
	} {
		if err := CheckDir(c.dir); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckDir(%s) = %v, want %q", c.dir, err, c.want)
		}
	}
	noLeftovers(t, dir, "file")
}

// TestUnwritableFolder: a folder without write permission is refused by CheckOutput (before
// the work) and Create. Root may write anywhere, so as root the test runs itself again as
// nobody.
func TestUnwritableFolder(t *testing.T) {
	if dir := os.Getenv("FILES_TEST_UNWRITABLE"); dir != "" { // the child
		for _, err := range []error{CheckOutput(filepath.Join(dir, "out.json")), writeString(filepath.Join(dir, "out.json"), "x"),
			CheckDir(dir), CheckDir(filepath.Join(dir, "new"))} {
			fmt.Println(err)
		}
		return
	}
	base, err := os.MkdirTemp("", "files-unwritable-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	dir := filepath.Join(base, "read-only")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "files.test")
	if b, err := os.ReadFile(os.Args[0]); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatal("cannot copy the test binary:", err)
	}
	cmd := exec.Command(bin, "-test.run=^TestUnwritableFolder$")
	cmd.Env = append(os.Environ(), "FILES_TEST_UNWRITABLE="+dir)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("cannot run as another user here: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if len(lines) < 4 {
		t.Fatalf("child printed %q", out)
	}
	for i, want := range []string{"cannot create files in " + dir, "cannot create a file in " + dir, "cannot create files in " + dir, "cannot create files in " + dir} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("check %d: %q, want %q", i, lines[i], want)
		}
	}
	noLeftovers(t, dir)
}
