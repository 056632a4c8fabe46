package linalg

import "math"

// minSpan is the smallest slice (in floats) worth splitting across the pool.
const minSpan = 1 << 14

// parallelSpans splits [0, n) into spans of whole multiples of 16 and runs
// fn on them across the pool; small n runs inline.
func parallelSpans(n int, fn func(lo, hi int)) {
	w := workers()
	if n < 2*minSpan || w == 1 {
		fn(0, n)
		return
	}
	parts := min(4*w, n/minSpan)
	span := (n/parts + 15) &^ 15
	parallelFor((n+span-1)/span, func(t int) {
		fn(t*span, min(n, (t+1)*span))
	})
}

// geluSpan applies the vector GELU to x, the tail through a padded buffer.
func (ks *kernelSet) geluSpan(x []float32) {
	nv := len(x) / ks.vw
	if nv > 0 {
		ks.gelu(&x[0], nv)
	}
	if rest := x[nv*ks.vw:]; len(rest) > 0 {
		var buf [16]float32
		copy(buf[:], rest)
		ks.gelu(&buf[0], 1)
		copy(rest, buf[:])
	}
}

// softmax is Softmax on the vector path: max in Go, exp and sum in assembly
// (the tail in float64), then the scaling.
func (ks *kernelSet) softmax(x []float32) {
	mx := x[0]
	for _, v := range x[1:] {
		mx = max(mx, v)
	}
	nv := len(x) / ks.vw
	var sum float32
	if nv > 0 {
		sum = ks.expsum(&x[0], nv, mx)
	}
	for i := nv * ks.vw; i < len(x); i++ {
		e := float32(math.Exp(float64(x[i] - mx)))
		x[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range x {
		x[i] *= inv
	}
}
