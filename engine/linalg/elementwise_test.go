package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestGELUAccuracy(t *testing.T) {
	// A dense sweep of (-10, 10), odd lengths for the vector tails, and a
	// slice big enough to be split across the pool.
	var xs []float32
	for v := -10.0; v < 10; v += 1.0 / 4096 {
		xs = append(xs, float32(v))
	}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 1<<16; i++ {
		xs = append(xs, float32(r.NormFloat64()*3))
	}
	forEachKernel(t, func(t *testing.T) {
		for _, n := range []int{1, 7, 15, 16, 17, 33, len(xs)} {
			got := append([]float32(nil), xs[:n]...)
			want := append([]float32(nil), xs[:n]...)
			GELU(got)
			geluRef(want)
			worst, at := 0.0, 0
			for i := range got {
				if d := math.Abs(float64(got[i] - want[i])); d > worst || math.IsNaN(d) {
					worst, at = d, i
				}
			}
			if !(worst <= 1e-6) {
				t.Fatalf("n=%d: GELU(%g) = %g, want %g (|err| %g > 1e-6)", n, xs[at], got[at], want[at], worst)
			}
		}
	})
}

func TestGELUValues(t *testing.T) {
	// x·Φ(x) at a few points, from Φ(1) = 0.8413447460685429 etc.
	in := []float32{0, 1, -1, 2, -3, 12, -12}
	want := []float64{0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416, -0.004049694849943086, 12, 0}
	forEachKernel(t, func(t *testing.T) {
		got := append([]float32(nil), in...)
		GELU(got)
		for i := range in {
			if math.Abs(float64(got[i])-want[i]) > 1e-6 {
				t.Errorf("GELU(%g) = %g, want %g", in[i], got[i], want[i])
			}
		}
	})
}

func TestSoftmax(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	forEachKernel(t, func(t *testing.T) {
		for _, n := range []int{1, 2, 7, 16, 17, 40, 128, 513} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 8)
			}
			if n > 3 {
				x[2] = -1e30 // underflows to 0
			}
			got := append([]float32(nil), x...)
			want := append([]float32(nil), x...)
			Softmax(got)
			softmaxRef(want)
			var sum float64
			for i := range got {
				sum += float64(got[i])
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*float64(want[i])+1e-30 {
					t.Fatalf("n=%d: softmax[%d] = %g, want %g", n, i, got[i], want[i])
				}
			}
			if math.Abs(sum-1) > 1e-5 {
				t.Fatalf("n=%d: softmax sums to %g", n, sum)
			}
		}
		x := []float32{0, float32(math.Log(3))}
		Softmax(x)
		if math.Abs(float64(x[0])-0.25) > 1e-7 || math.Abs(float64(x[1])-0.75) > 1e-7 {
			t.Fatalf("softmax(0, ln 3) = %v, want [0.25 0.75]", x)
		}
		Softmax(nil)
	})
}

func TestLayerNorm(t *testing.T) {
	// Rows [1,2,3,4]: mean 2.5, variance 1.25.
	s := float32(1 / math.Sqrt(1.25))
	want := []float32{-1.5 * s, -0.5 * s, 1 * s, 3*s + 1, 1.5 * s, 0.5 * s, -1 * s, -3*s + 1}
	forEachKernel(t, func(t *testing.T) {
		x := []float32{1, 2, 3, 4, 4, 3, 2, 1}
		LayerNorm(x, []float32{1, 1, 2, 2}, []float32{0, 0, 0, 1}, 2, 4, 0)
		for i := range x {
			if math.Abs(float64(x[i]-want[i])) > 1e-6 {
				t.Fatalf("LayerNorm = %v, want %v", x, want)
			}
		}
	})
	// Many rows (split across the pool), odd widths for the vector tails,
	// and an offset mean, against the float64 reference.
	r := rand.New(rand.NewPCG(11, 12))
	forEachKernel(t, func(t *testing.T) {
		for _, n := range []int{1, 5, 16, 33, 1024} {
			rows := 100
			a, g, b := randSlice(r, rows*n), randSlice(r, n), randSlice(r, n)
			for i := range a {
				a[i] = a[i]*3 + 20
			}
			ref := append([]float32(nil), a...)
			LayerNorm(a, g, b, rows, n, 1e-12)
			layerNormRef(ref, g, b, rows, n, 1e-12)
			for i := range a {
				if d := math.Abs(float64(a[i] - ref[i])); d > 2e-5 || math.IsNaN(d) {
					t.Fatalf("n=%d: LayerNorm[%d] = %g, reference %g", n, i, a[i], ref[i])
				}
			}
		}
	})
}
