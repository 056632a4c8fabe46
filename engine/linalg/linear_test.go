package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// forEachKernel runs f once per Linear implementation this CPU supports.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	prev := Kernel()
	defer SetKernel(prev)
	for _, name := range Kernels() {
		if !SetKernel(name) {
			t.Fatalf("SetKernel(%q) = false for a listed kernel", name)
		}
		t.Run(name, f)
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// checkLinear compares Linear against linearRef with a tolerance relative to
// Σ_p |x_ip||w_jp| (+|b_j|), the scale of the rounding error of any order of
// summation.
func checkLinear(t *testing.T, r *rand.Rand, m, n, k int, bias bool) {
	t.Helper()
	x, w := randSlice(r, m*k), randSlice(r, n*k)
	var b []float32
	if bias {
		b = randSlice(r, n)
	}
	got := randSlice(r, m*n) // garbage that must be overwritten
	want := make([]float32, m*n)
	Linear(got, x, w, b, m, n, k)
	linearRef(want, x, w, b, m, n, k)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var scale float64
			for p := 0; p < k; p++ {
				scale += math.Abs(float64(x[i*k+p]) * float64(w[j*k+p]))
			}
			if b != nil {
				scale += math.Abs(float64(b[j]))
			}
			tol := 4*float64(k+1)*0x1p-24*scale + 1e-30
			if d := math.Abs(float64(got[i*n+j] - want[i*n+j])); d > tol || math.IsNaN(d) {
				t.Errorf("m=%d n=%d k=%d bias=%v: y[%d,%d] = %g, want %g (tol %g)",
					m, n, k, bias, i, j, got[i*n+j], want[i*n+j], tol)
				return
			}
		}
	}
}

func TestLinearRandomShapes(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for it := 0; it < 300; it++ {
			m, n, k := 1+r.IntN(67), 1+r.IntN(67), 1+r.IntN(67)
			checkLinear(t, r, m, n, k, it%2 == 0)
		}
	})
}

func TestLinearLargeShapes(t *testing.T) {
	shapes := [][3]int{{1, 1024, 1024}, {16, 97, 300}, {29, 200, 513}, {130, 70, 777}, {15, 4096, 64}, {3, 30, 1030}, {5, 40, 4100}, {20, 40, 4100}, {40, 1000, 300}, {38, 300, 4100}}
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for i, s := range shapes {
			checkLinear(t, r, s[0], s[1], s[2], i%2 == 1)
		}
	})
}

func TestLinearConcurrent(t *testing.T) {
	// Calls from several goroutines share the pool and the packing buffers.
	forEachKernel(t, func(t *testing.T) {
		done := make(chan struct{})
		for g := 0; g < 4; g++ {
			go func() {
				defer func() { done <- struct{}{} }()
				r := rand.New(rand.NewPCG(uint64(g), 99))
				for it := 0; it < 5; it++ {
					checkLinear(t, r, 1+r.IntN(40), 1+r.IntN(300), 1+r.IntN(200), it%2 == 0)
				}
			}()
		}
		for g := 0; g < 4; g++ {
			<-done
		}
	})
}

func TestLinearDegenerate(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		b := []float32{1, -2, 3}
		y := []float32{9, 9, 9, 9, 9, 9}
		Linear(y, nil, nil, b, 2, 3, 0)
		want := []float32{1, -2, 3, 1, -2, 3}
		if fmt.Sprint(y) != fmt.Sprint(want) {
			t.Fatalf("k=0 with bias: got %v, want %v", y, want)
		}
		Linear(y, nil, nil, nil, 2, 3, 0)
		if fmt.Sprint(y) != fmt.Sprint(make([]float32, 6)) {
			t.Fatalf("k=0 without bias: got %v, want zeros", y)
		}
		// Exact small case: [[1,2],[3,4]]·[[1,0],[0,1],[1,1]]ᵀ + b.
		y = make([]float32, 6)
		Linear(y, []float32{1, 2, 3, 4}, []float32{1, 0, 0, 1, 1, 1}, b, 2, 3, 2)
		want = []float32{2, 0, 6, 4, 2, 10}
		if fmt.Sprint(y) != fmt.Sprint(want) {
			t.Fatalf("2×2·(3×2)ᵀ: got %v, want %v", y, want)
		}
	})
}

func TestSetKernel(t *testing.T) {
	prev := Kernel()
	defer SetKernel(prev)
	if SetKernel("sse9") {
		t.Fatal("SetKernel accepted an unknown kernel")
	}
	if Kernel() != prev {
		t.Fatalf("failed SetKernel changed the kernel to %q", Kernel())
	}
	if ks := Kernels(); ks[len(ks)-1] != "go" {
		t.Fatalf("Kernels() = %v, want go last", ks)
	}
	// LESIONUI_KERNEL values: each available name selects itself (in any
	// case), anything else the best path.
	for _, name := range Kernels() {
		got := "go"
		if ks := chooseKernel(" " + strings.ToUpper(name)); ks != nil {
			got = ks.name
		}
		if got != name {
			t.Errorf("chooseKernel(%q) = %s", name, got)
		}
	}
	best := "go"
	if ks := chooseKernel("sse9"); ks != nil {
		best = ks.name
	}
	if best != Kernels()[0] {
		t.Errorf("chooseKernel(unknown) = %s, want the best, %s", best, Kernels()[0])
	}
}
