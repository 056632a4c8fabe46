package linalg

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
