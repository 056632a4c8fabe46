// Package linalg holds the dense float32 kernels the BERT engine is built on:
// the linear layer y = x·Wᵀ + b on weights in their stored [out, in] layout,
// and the element-wise GELU, LayerNorm and softmax.
//
// Every matrix is row-major and contiguous. The exported functions pick the
// fastest implementation the CPU supports; the plain Go versions in ref.go are
// the reference the fast paths are tested against.
package linalg

// Linear computes y = x·Wᵀ + b.
//
//	x: [m, k]  activations, row-major
//	w: [n, k]  weights in PyTorch's nn.Linear layout (out, in)
//	b: [n]     bias, or nil
//	y: [m, n]  output, overwritten
//
// The implementation (AVX-512, AVX2+FMA or plain Go) is chosen at start-up
// from the CPU and the LESIONUI_KERNEL environment variable (see KernelEnv),
// and the work is split across a pool of runtime.GOMAXPROCS goroutines.
func Linear(y, x, w, b []float32, m, n, k int) {
	if m <= 0 || n <= 0 {
		return
	}
	y = y[:m*n]
	if k <= 0 {
		for i := 0; i < m; i++ {
			if b != nil {
				copy(y[i*n:i*n+n], b[:n])
			} else {
				clear(y[i*n : i*n+n])
			}
		}
		return
	}
	x, w = x[:m*k], w[:n*k]
	if b != nil {
		b = b[:n]
	}
	if active == nil {
		linearGo(y, x, w, b, m, n, k)
		return
	}
	active.linear(y, x, w, b, m, n, k)
}

// GELU applies the exact (erf) GELU, x·Φ(x), to x in place. The vector paths
// are within 1e-6 (absolute) of the float64 reference for |x| < 10; large
// slices are split across the worker pool.
func GELU(x []float32) {
	ks := active
	parallelSpans(len(x), func(lo, hi int) {
		if ks == nil {
			geluRef(x[lo:hi])
		} else {
			ks.geluSpan(x[lo:hi])
		}
	})
}

// GELUTanh applies the tanh approximation of GELU ("gelu_new") to x in place.
func GELUTanh(x []float32) {
	parallelSpans(len(x), func(lo, hi int) { geluTanhRef(x[lo:hi]) })
}

// LayerNorm normalises each of the rows of x ([rows, n]) in place to zero mean
// and unit variance (biased, as PyTorch), then scales by gamma and adds beta.
// Rows are split across the worker pool.
func LayerNorm(x, gamma, beta []float32, rows, n int, eps float32) {
	if rows <= 0 || n <= 0 {
		return
	}
	per := max(1, minSpan/n)
	if rows <= per {
		layerNormRef(x, gamma, beta, rows, n, eps)
		return
	}
	parallelFor((rows+per-1)/per, func(t int) {
		r0, r1 := t*per, min(rows, (t+1)*per)
		layerNormRef(x[r0*n:r1*n], gamma, beta, r1-r0, n, eps)
	})
}

// Softmax replaces x with softmax(x), computed stably (exp on the vector
// path has a relative error of about 1e-7).
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	if active == nil {
		softmaxRef(x)
		return
	}
	active.softmax(x)
}
