// Package files opens the files lesionui is given without trusting them: only regular files
// are read (a FIFO, device or directory given as config.json or a vocabulary would block or
// mislead), and whole-file reads have a size limit, so that a hostile or mistaken path is a
// clear error naming the file instead of a hang or an exhausted memory.
package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// OpenRegular opens path for reading (following symlinks) and returns it with its FileInfo,
// refusing anything that is not a regular file. Opening never blocks, even on a FIFO.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, nil, err
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, err
	}
	// Check again on the open file: the path may have been replaced since the Stat.
	if fi, err = f.Stat(); err == nil {
		err = regular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// ReadRegular reads the whole regular file at path, refusing it if it is larger than limit
// bytes.
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, fi, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: fi.Size(), Limit: limit}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit { // it grew while being read
		return nil, &TooLargeError{Path: path, Size: int64(len(b)), Limit: limit}
	}
	return b, nil
}

// TooLargeError is a file larger than what lesionui reads of its kind.
type TooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %s, more than the %s a file of this kind can sensibly be; refusing to read it",
		e.Path, ByteSize(e.Size), ByteSize(e.Limit))
}

// regular returns a *NotRegularError unless fi is a regular file.
func regular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return &NotRegularError{Path: path, Kind: describe(fi.Mode())}
}

// NotRegularError is a path lesionui was to read that is not a regular file.
type NotRegularError struct {
	Path string
	Kind string // what it is, with an article: "a named pipe (FIFO)", "a directory", …
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, e.Kind)
}

// ByteSize formats n bytes for people, in decimal units as the Hub shows sizes: "232.5 kB",
// "1.34 GB" (two decimals from GB up, where a tenth is a lot).
func ByteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	if i >= 3 {
		return fmt.Sprintf("%.2f %cB", v, "kMGT"[i-1])
	}
	return fmt.Sprintf("%.1f %cB", v, "kMGT"[i-1])
}

// unwrapPath strips an *fs.PathError, whose path the caller's message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
