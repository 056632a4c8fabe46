//go:build unix

package files

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openNonBlocking opens path read-only with O_NONBLOCK, so that a FIFO swapped in after the
// Stat cannot block the open (regular files ignore the flag).
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// openWriteNonBlocking opens the pipe or device at path for writing without waiting for a
// pipe's reader (no reader is an error, ENXIO), then makes the descriptor blocking again so
// that writes wait for a slow reader instead of failing.
func openWriteNonBlocking(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	f.Fd() // Fd puts the descriptor back into blocking mode
	return f, nil
}

// describeOpenError explains an error of openWriteNonBlocking.
func describeOpenError(err error) string {
	if errors.Is(err, syscall.ENXIO) {
		return "it is a named pipe (FIFO) with no reader; start the reader first"
	}
	return unwrapPath(err).Error()
}

// canWrite reports whether this process may open path for writing (root may open any file).
func canWrite(path string) error { return unix.Access(path, unix.W_OK) }

// chownLike gives f the owner and group of old where the process may (as root); elsewhere the
// replaced file's owner cannot be kept and the new file belongs to whoever writes it.
func chownLike(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid() {
		return
	}
	f.Chown(int(st.Uid), int(st.Gid)) // EPERM for other users: best effort
}

// isNotDir reports whether err says a path went through a file as if it were a folder.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
