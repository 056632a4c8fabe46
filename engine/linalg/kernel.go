package linalg

import (
	"os"
	"strings"
)

// KernelEnv names the environment variable that forces a Linear
// implementation: "avx512", "avx2" or "go". It is read once at start-up; a
// path the CPU lacks (or an unknown name) is ignored and the best available
// path is used. Meant for tests and benchmarks.
const KernelEnv = "LESIONUI_KERNEL"

// active is the assembly path Linear uses; nil means the portable Go path.
var active = chooseKernel(os.Getenv(KernelEnv))

func chooseKernel(want string) *kernelSet {
	ks := cpuKernels()
	want = strings.ToLower(strings.TrimSpace(want))
	if want == "go" {
		return nil
	}
	for _, k := range ks {
		if k.name == want {
			return k
		}
	}
	if len(ks) > 0 {
		return ks[0]
	}
	return nil
}

// Kernel reports the Linear implementation in use: "avx512", "avx2" or "go".
func Kernel() string {
	if active == nil {
		return "go"
	}
	return active.name
}

// Kernels lists the Linear implementations this CPU can run, best first;
// "go" is always last.
func Kernels() []string {
	var names []string
	for _, k := range cpuKernels() {
		names = append(names, k.name)
	}
	return append(names, "go")
}

// SetKernel selects the Linear implementation by name (one of Kernels()) and
// reports whether it is available; on false the selection is unchanged. It
// must not be called while Linear runs on another goroutine.
func SetKernel(name string) bool {
	if name == "go" {
		active = nil
		return true
	}
	for _, k := range cpuKernels() {
		if k.name == name {
			active = k
			return true
		}
	}
	return false
}
