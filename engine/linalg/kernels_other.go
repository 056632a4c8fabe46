//go:build !amd64

package linalg

// cpuKernels lists the assembly paths this CPU supports: none off amd64.
func cpuKernels() []*kernelSet { return nil }
