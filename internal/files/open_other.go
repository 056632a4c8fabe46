//go:build !unix

package files

import "os"

// openNonBlocking opens path read-only.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
