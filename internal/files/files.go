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
	"strconv"
	"strings"
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
	if err := CheckLFSPointer(path, b); err != nil {
		return nil, err
	}
	return b, nil
}

// lfsPrefix starts every Git LFS pointer file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md).
const lfsPrefix = "version https://git-lfs.github.com/spec/v1\n"

// LFSPointerMax is the most bytes of a file CheckLFSPointer needs: the spec keeps pointer files
// under 1024 bytes.
const LFSPointerMax = 1024

// CheckLFSPointer returns an *LFSPointerError if head, the start of the file at path, is a Git LFS
// pointer: the small text file git leaves in place of a large one (model.safetensors, XLM-R's
// tokenizer.json) in a repository cloned without git-lfs.
func CheckLFSPointer(path string, head []byte) error {
	text, ok := strings.CutPrefix(string(head[:min(len(head), LFSPointerMax)]), lfsPrefix)
	if !ok {
		return nil
	}
	e := &LFSPointerError{Path: path, Size: -1}
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "size "); ok {
			if size, err := strconv.ParseInt(v, 10, 64); err == nil {
				e.Size = size
			}
		}
	}
	return e
}

// LFSPointerError is a file that is a Git LFS pointer instead of the content it stands for.
type LFSPointerError struct {
	Path string
	Size int64 // of the real file, as the pointer gives it; -1 if it does not
}

func (e *LFSPointerError) Error() string {
	real := "the real file"
	if e.Size >= 0 {
		real = fmt.Sprintf("the real file (%d bytes)", e.Size)
	}
	return fmt.Sprintf("%s: this is a Git LFS pointer, not the file itself: the repository was cloned without git-lfs, "+
		"so %s was never downloaded. Run `git lfs install && git lfs pull` in the repository, "+
		"or let lesionui fetch the model (--model ORG/NAME)", e.Path, real)
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
