package files

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// An Output is a file being written, the one way lesionui writes files. Create it, write to
// it, then Commit (or Abort, which leaves everything as it was).
//
// A regular file, or a new one, is written to a temporary file in the directory of its real
// location (a symlink is written through, to its target) and renamed over it on Commit, with
// the permissions and, where allowed, the owner of the file it replaces: a reader sees the
// old file or the new one, never a part, and a failed write changes nothing. A named pipe or
// a character device (a terminal, /dev/null) is written directly, since renaming a file over
// it would destroy it; a pipe must have a reader (Create fails at once rather than waiting
// for one). Directories, sockets and block devices are refused, and so are read-only files
// (no write permission bit, even for root) and files in directories lesionui cannot write.
// A file with other hard links is replaced under its given name only: the other names keep
// the old content.
type Output struct {
	path   string // as given, for errors
	target string // the real location: path with its symlinks resolved
	direct bool   // a pipe or device, written in place
	f      *os.File
	tmp    string      // the temporary file renamed over target on Commit
	old    fs.FileInfo // the regular file replaced, or nil
}

// Create starts writing path; see Output.
func Create(path string) (*Output, error) {
	o, err := plan(path)
	if err != nil {
		return nil, err
	}
	if o.direct {
		if o.f, err = openWriteNonBlocking(o.target); err != nil {
			return nil, o.fail(describeOpenError(err))
		}
		return o, nil
	}
	perm := fs.FileMode(0o666) // a new file: the umask decides, as for any program
	if o.old != nil {
		perm = 0o600 // set to the old file's permissions on Commit
	}
	if o.f, o.tmp, err = createTemp(filepath.Dir(o.target), filepath.Base(o.target), perm); err != nil {
		return nil, o.fail(fmt.Sprintf("cannot create a file in %s: %v", filepath.Dir(o.target), unwrapPath(err)))
	}
	return o, nil
}

// Write writes p to the output.
func (o *Output) Write(p []byte) (int, error) {
	n, err := o.f.Write(p)
	if err != nil {
		err = o.fail(unwrapPath(err).Error())
	}
	return n, err
}

// Commit finishes the output: it flushes a temporary file to disk and renames it into place,
// or closes the pipe or device. The Output cannot be used afterwards.
func (o *Output) Commit() error {
	if o.f == nil {
		return o.fail("already committed or aborted")
	}
	f := o.f
	o.f = nil
	if o.direct {
		if err := f.Close(); err != nil {
			return o.fail(unwrapPath(err).Error())
		}
		return nil
	}
	err := keepAttributes(f, o.old)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp, o.target)
	}
	if err != nil {
		os.Remove(o.tmp)
		return o.fail(unwrapPath(err).Error())
	}
	return nil
}

// Abort gives up the output: a temporary file is removed and the file at the path is left as
// it was. Aborting after Commit, or twice, does nothing.
func (o *Output) Abort() {
	if o.f == nil {
		return
	}
	o.f.Close()
	o.f = nil
	if !o.direct {
		os.Remove(o.tmp)
	}
}

// Write writes a whole file through an Output: write gets the output, and the file is put in
// place only if write and Commit succeed.
func Write(path string, write func(io.Writer) error) error {
	o, err := Create(path)
	if err != nil {
		return err
	}
	if err := write(o); err != nil {
		o.Abort()
		var oe *OutputError
		if errors.As(err, &oe) {
			return err
		}
		return o.fail(err.Error())
	}
	return o.Commit()
}

// CheckOutput reports, without changing anything, whether Create(path) would fail: what the
// path names is a file lesionui may write or replace, and its directory is writable. Commands
// call it before long work whose result goes to path.
func CheckOutput(path string) error {
	o, err := plan(path)
	if err != nil || o.direct {
		return err // a pipe or device is not opened: that would wake its reader
	}
	return checkWritableDir(filepath.Dir(o.target), func(msg string) error { return o.fail(msg) })
}

// CheckDir reports whether files can be written into dir: dir is a directory lesionui can
// write in, or does not exist yet and can be created (its nearest existing parent is a
// writable directory).
func CheckDir(dir string) error {
	fail := func(msg string) error { return &OutputError{Path: dir, Msg: msg} }
	p := dir
	for {
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir():
			if p == dir {
				return fail("it is " + describe(fi.Mode()) + ", not a folder")
			}
			return fail(fmt.Sprintf("%s is %s, not a folder", p, describe(fi.Mode())))
		case err == nil:
			return checkWritableDir(p, fail)
		case !errors.Is(err, fs.ErrNotExist) && !isNotDir(err):
			return fail(unwrapPath(err).Error())
		}
		parent := filepath.Dir(p)
		if parent == p {
			return fail(unwrapPath(err).Error())
		}
		p = parent
	}
}

// OutputError is a file lesionui cannot write, and why.
type OutputError struct {
	Path   string // as given
	Target string // where a symlink at Path leads, if it does
	Msg    string
}

func (e *OutputError) Error() string {
	if e.Target != "" && e.Target != e.Path {
		return fmt.Sprintf("cannot write %s (a link to %s): %s", e.Path, e.Target, e.Msg)
	}
	return fmt.Sprintf("cannot write %s: %s", e.Path, e.Msg)
}

func (o *Output) fail(msg string) error {
	return &OutputError{Path: o.path, Target: o.target, Msg: msg}
}

// maxLinks bounds the symlinks followed, as the kernel does (ELOOP).
const maxLinks = 40

// plan decides how path is written, directly (a pipe or a character device) or through a
// temporary file, with the checks of Output; it changes nothing.
func plan(path string) (*Output, error) {
	o := &Output{path: path, target: path}
	if path == "" {
		return nil, o.fail("no file name")
	}
	// Stat follows every link in the kernel, also /proc/self/fd/N and /dev/stdout.
	fi, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, o.fail(unwrapPath(err).Error())
	}
	if err == nil && !fi.Mode().IsRegular() {
		switch m := fi.Mode(); {
		case m&fs.ModeNamedPipe != 0, m&fs.ModeCharDevice != 0:
			if err := canWrite(path); err != nil {
				return nil, o.fail(fmt.Sprintf("%s without write permission", describe(m)))
			}
			o.direct = true
			return o, nil
		default:
			return nil, o.fail("it is " + describe(m) + "; only files, pipes and character devices are written")
		}
	}
	if o.target, err = resolveLinks(path); err != nil {
		return nil, o.fail(err.Error())
	}
	if fi == nil { // a new file, perhaps a dangling link's target
		dir := filepath.Dir(o.target)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, o.fail(fmt.Sprintf("the folder %s does not exist", dir))
		}
		return o, nil
	}
	if real, err := os.Lstat(o.target); err != nil || !os.SameFile(real, fi) {
		// A link the kernel follows but whose text does not name the file (a /proc link to an
		// open file that was since deleted or renamed): its directory is unknown.
		return nil, o.fail("it is a link to an open file whose location cannot be resolved")
	}
	if fi.Mode().Perm()&0o222 == 0 {
		return nil, o.fail(fmt.Sprintf("it is read-only (mode %v); lesionui does not replace read-only files", fi.Mode().Perm()))
	}
	if err := canWrite(o.target); err != nil {
		return nil, o.fail(fmt.Sprintf("no permission to write it: %v", err))
	}
	o.old = fi
	return o, nil
}

// resolveLinks follows the symlinks at the end of path (not those of its directories, which
// the kernel follows) to the path of the file they lead to, which need not exist.
func resolveLinks(path string) (string, error) {
	p := path
	for range maxLinks {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		if err != nil {
			return "", unwrapPath(err)
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", unwrapPath(err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
	return "", fmt.Errorf("more than %d symbolic links", maxLinks)
}

// checkWritableDir checks that a file can be created in dir by creating and removing one.
func checkWritableDir(dir string, fail func(string) error) error {
	f, name, err := createTemp(dir, "check", 0o600)
	if err != nil {
		return fail(fmt.Sprintf("cannot create files in %s: %v", dir, unwrapPath(err)))
	}
	f.Close()
	os.Remove(name)
	return nil
}

// createTemp creates a new file in dir named after base, for writing.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, string, error) {
	var b [6]byte
	for {
		rand.Read(b[:])
		name := filepath.Join(dir, "."+base+".lesionui-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, name, err
		}
	}
}

// keepAttributes gives the temporary file f the permissions of the file it replaces, and
// its owner where that is allowed (as root).
func keepAttributes(f *os.File, old fs.FileInfo) error {
	if old == nil {
		return nil
	}
	if err := f.Chmod(old.Mode().Perm()); err != nil {
		return err
	}
	chownLike(f, old)
	return nil
}

// describe names the kind of file of mode m, with an article.
func describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}
