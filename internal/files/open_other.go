//go:build !unix

package files

import (
	"io/fs"
	"os"
)

// openNonBlocking opens path read-only.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }

// openWriteNonBlocking opens path for writing.
func openWriteNonBlocking(path string) (*os.File, error) { return os.OpenFile(path, os.O_WRONLY, 0) }

// describeOpenError explains an error of openWriteNonBlocking.
func describeOpenError(err error) string { return unwrapPath(err).Error() }

// canWrite accepts every path; the write itself reports a lack of permission.
func canWrite(string) error { return nil }

// chownLike does nothing: owners are not kept off unix.
func chownLike(*os.File, fs.FileInfo) {}

// isNotDir reports whether err says a path went through a file as if it were a folder.
func isNotDir(error) bool { return false }
