//go:build !unix

package hub

import "context"

// lockFile is a no-op where flock is not available: concurrent downloads of one blob are not
// serialized there.
func lockFile(context.Context, string) (unlock func(), err error) { return func() {}, nil }
