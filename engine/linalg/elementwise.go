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

// softmax is Softmax on the vector path; the tail past the last whole
// vector is done in Go (its exp in float64).
func (ks *kernelSet) softmax(x []float32) {
	nv := len(x) / ks.vw
	tail := x[nv*ks.vw:]
	mx := x[0]
	if nv > 0 {
		mx = ks.vmax(&x[0], nv)
	}
	for _, v := range tail {
		mx = max(mx, v)
	}
	var sum float32
	if nv > 0 {
		sum = ks.expsum(&x[0], nv, mx)
	}
	for i, v := range tail {
		e := float32(math.Exp(float64(v - mx)))
		tail[i] = e
		sum += e
	}
	inv := 1 / sum
	if nv > 0 {
		ks.vscale(&x[0], nv, inv)
	}
	for i := range tail {
		tail[i] *= inv
	}
}

// layerNorm is LayerNorm on the vector path: per row a float32 vector sum
// for the mean, a second pass for the variance, then the affine step.
func (ks *kernelSet) layerNorm(x, gamma, beta []float32, rows, n int, eps float32) {
	nv := n / ks.vw
	t0 := nv * ks.vw
	for r := 0; r < rows; r++ {
		row := x[r*n : r*n+n]
		var sum float32
		if nv > 0 {
			sum = ks.vsum(&row[0], nv)
		}
		for _, v := range row[t0:] {
			sum += v
		}
		mean := sum / float32(n)
		var ss float32
		if nv > 0 {
			ss = ks.vsqdev(&row[0], nv, mean)
		}
		for _, v := range row[t0:] {
			ss += (v - mean) * (v - mean)
		}
		inv := float32(1 / math.Sqrt(float64(ss/float32(n))+float64(eps)))
		if nv > 0 {
			ks.vnorm(&row[0], &gamma[0], &beta[0], nv, mean, inv)
		}
		for i := t0; i < n; i++ {
			row[i] = (row[i]-mean)*inv*gamma[i] + beta[i]
		}
	}
}
