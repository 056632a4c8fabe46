package linalg

import "math"

// linearRef is the plain Go reference for Linear.
func linearRef(y, x, w, b []float32, m, n, k int) {
	for i := 0; i < m; i++ {
		xi := x[i*k : i*k+k]
		yi := y[i*n : i*n+n]
		for j := 0; j < n; j++ {
			wj := w[j*k : j*k+k]
			var s float32
			for p, v := range xi {
				s += v * wj[p]
			}
			if b != nil {
				s += b[j]
			}
			yi[j] = s
		}
	}
}

func geluRef(x []float32) {
	for i, v := range x {
		x[i] = float32(0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2)))
	}
}

func geluTanhRef(x []float32) {
	const c = 0.7978845608028654 // sqrt(2/π)
	for i, v := range x {
		u := float64(v)
		x[i] = float32(0.5 * u * (1 + math.Tanh(c*(u+0.044715*u*u*u))))
	}
}

func layerNormRef(x, gamma, beta []float32, rows, n int, eps float32) {
	for r := 0; r < rows; r++ {
		row := x[r*n : r*n+n]
		var mean float64
		for _, v := range row {
			mean += float64(v)
		}
		mean /= float64(n)
		var variance float64
		for _, v := range row {
			d := float64(v) - mean
			variance += d * d
		}
		variance /= float64(n)
		inv := 1 / math.Sqrt(variance+float64(eps))
		for i, v := range row {
			row[i] = float32((float64(v)-mean)*inv)*gamma[i] + beta[i]
		}
	}
}

func softmaxRef(x []float32) {
	if len(x) == 0 {
		return
	}
	mx := x[0]
	for _, v := range x[1:] {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range x {
		e := math.Exp(float64(v - mx))
		x[i] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for i := range x {
		x[i] *= inv
	}
}
