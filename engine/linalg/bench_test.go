package linalg

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLinear times Linear on the BERT-large shapes (m×k×n) for every
// kernel this CPU supports. It reports GFLOP/s (2·m·n·k per call, wall
// clock) and GFLOP/cpu-s (per second of CPU time over all threads), which
// is less disturbed by other processes on a shared machine.
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
				Linear(y, x, w, bias, m, n, k) // warm the pool and buffers
				cpu0 := cpuTime()
				b.ResetTimer()
				for b.Loop() {
					Linear(y, x, w, bias, m, n, k)
				}
				flop := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
				b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(flop/cpu.Seconds()/1e9, "GFLOP/cpu-s")
				}
			})
		}
	}
}

// BenchmarkElementwise times GELU on [128, 4096], LayerNorm on [128, 1024]
// and Softmax on 16·128 rows of 128 (one BERT-large layer at 128 tokens)
// for every kernel, in ns per element.
func BenchmarkElementwise(b *testing.B) {
	prev := Kernel()
	defer SetKernel(prev)
	r := rand.New(rand.NewPCG(13, 14))
	src := randSlice(r, 128*4096)
	x := make([]float32, len(src))
	g, beta := randSlice(r, 1024), randSlice(r, 1024)
	for _, name := range Kernels() {
		SetKernel(name)
		run := func(op string, n int, f func()) {
			b.Run(name+"/"+op, func(b *testing.B) {
				for b.Loop() {
					copy(x[:n], src)
					f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
			})
		}
		run("GELU", 128*4096, func() { GELU(x) })
		run("LayerNorm", 128*1024, func() { LayerNorm(x, g, beta, 128, 1024, 1e-12) })
		run("Softmax", 16*128*128, func() {
			for i := 0; i < 16*128; i++ {
				Softmax(x[i*128 : i*128+128])
			}
		})
	}
}

// BenchmarkAttention times Dots, Softmax and AddScaledRows over one
// BERT-large layer's attention at 128 tokens (16 heads of 64, one goroutine)
// for every kernel, in GFLOP/s of the two products.
func BenchmarkAttention(b *testing.B) {
	const T, h, heads, d = 128, 1024, 16, 64
	prev := Kernel()
	defer SetKernel(prev)
	r := rand.New(rand.NewPCG(17, 18))
	q, k, v := randSlice(r, T*h), randSlice(r, T*h), randSlice(r, T*h)
	out, scores := make([]float32, T*h), make([]float32, T)
	for _, name := range Kernels() {
		SetKernel(name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				clear(out)
				for i := 0; i < T; i++ {
					for hd := 0; hd < heads; hd++ {
						Dots(scores, q[i*h+hd*d:i*h+hd*d+d], k[hd*d:], h)
						Softmax(scores)
						AddScaledRows(out[i*h+hd*d:i*h+hd*d+d], scores, v[hd*d:], h)
					}
				}
			}
			b.ReportMetric(4*T*T*h*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkLinearStream times Linear at the lesion update's mid-size m (2 and
// 4 sentences of 19 tokens) on the three BERT-large weight shapes (n×k), with
// the weights rotated over streamWeights matrices, ≥ 192 MiB for the largest
// shape, so that each call streams its W from memory as in the engine (where
// every call uses another layer's weights). GFLOP/s as in BenchmarkLinear.
func BenchmarkLinearStream(b *testing.B) {
	const streamWeights = 12
	shapes := [][2]int{{4096, 1024}, {1024, 4096}, {1024, 1024}}
	prev := Kernel()
	defer SetKernel(prev)
	for _, name := range Kernels() {
		SetKernel(name)
		for _, s := range shapes {
			n, k := s[0], s[1]
			r := rand.New(rand.NewPCG(7, 8))
			ws := make([][]float32, streamWeights)
			for i := range ws {
				ws[i] = randSlice(r, n*k)
			}
			bias := randSlice(r, n)
			for _, m := range []int{38, 76} {
				b.Run(fmt.Sprintf("%s/m%d/%dx%d", name, m, n, k), func(b *testing.B) {
					x, y := randSlice(r, m*k), make([]float32, m*n)
					Linear(y, x, ws[0], bias, m, n, k)
					cpu0 := cpuTime()
					b.ResetTimer()
					i := 0
					for b.Loop() {
						i = (i + 1) % streamWeights
						Linear(y, x, ws[i], bias, m, n, k)
					}
					flop := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
					b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					if cpu := cpuTime() - cpu0; cpu > 0 {
						b.ReportMetric(flop/cpu.Seconds()/1e9, "GFLOP/cpu-s")
					}
				})
			}
		}
	}
}
