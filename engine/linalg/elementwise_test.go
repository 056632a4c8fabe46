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

func TestGELUNonFinite(t *testing.T) {
	// As PyTorch's gelu: NaN stays NaN, +Inf stays +Inf and -Inf·Φ(-Inf) = -Inf·0 is NaN, on
	// every kernel path, at every position of a vector and in the tails. A NaN that came out as
	// about -2e-32 (the vector paths' GELU of their clamp) hid broken weights behind plausible
	// numbers.
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		in   float32
		want func(float32) bool
		what string
	}{
		{nan, func(v float32) bool { return v != v }, "NaN"},
		{inf, func(v float32) bool { return math.IsInf(float64(v), 1) }, "+Inf"},
		{-inf, func(v float32) bool { return v != v }, "NaN"},
		{3.4e38, func(v float32) bool { return v == 3.4e38 }, "3.4e38"},
		{-3.4e38, func(v float32) bool { return math.Abs(float64(v)) < 1e-30 }, "0"},
	}
	forEachKernel(t, func(t *testing.T) {
		for _, c := range cases {
			for _, n := range []int{1, 8, 16, 33} {
				for pos := range n {
					x := make([]float32, n)
					for i := range x {
						x[i] = float32(i) / 8
					}
					x[pos] = c.in
					GELU(x)
					if !c.want(x[pos]) {
						t.Fatalf("GELU(%g) at %d of %d = %g, want %s", c.in, pos, n, x[pos], c.what)
					}
					for i, v := range x {
						if w := float32(i) / 8; i != pos && math.Abs(float64(v)-float64(w)*0.5*(1+math.Erf(float64(w)/math.Sqrt2))) > 1e-6 {
							t.Fatalf("GELU(%g) at %d of %d changed element %d to %g", c.in, pos, n, i, v)
						}
					}
				}
			}
		}
		x := []float32{nan, inf, -inf}
		GELUTanh(x)
		if x[0] == x[0] || !math.IsInf(float64(x[1]), 1) || x[2] == x[2] {
			t.Errorf("GELUTanh(NaN, +Inf, -Inf) = %v, want NaN +Inf NaN", x)
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
