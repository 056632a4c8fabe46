package linalg

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkLinear times Linear on the BERT-large shapes (m×k×n) for every
// kernel this CPU supports and reports GFLOP/s (2·m·n·k per call).
func BenchmarkLinear(b *testing.B) {
	shapes := [][3]int{{1024, 1024, 4096}, {128, 1024, 4096}, {1, 1024, 4096}, {1728, 1024, 4096}}
	prev := Kernel()
	defer SetKernel(prev)
	for _, name := range Kernels() {
		SetKernel(name)
		for _, s := range shapes {
			m, k, n := s[0], s[1], s[2]
			b.Run(fmt.Sprintf("%s/%dx%dx%d", name, m, k, n), func(b *testing.B) {
				r := rand.New(rand.NewPCG(5, 6))
				x, w, bias := randSlice(r, m*k), randSlice(r, n*k), randSlice(r, n)
				y := make([]float32, m*n)
				b.ResetTimer()
				for b.Loop() {
					Linear(y, x, w, bias, m, n, k)
				}
				b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
