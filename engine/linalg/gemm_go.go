package linalg

// linearGo is the portable Linear: 4×4 register tiles of dot products over
// the unpacked x and W rows, with the columns of y split across the pool.
func linearGo(y, x, w, b []float32, m, n, k int) {
	const chunk = 64
	parallelFor((n+chunk-1)/chunk, func(t int) {
		j0 := t * chunk
		j1 := min(n, j0+chunk)
		i := 0
		for ; i+4 <= m; i += 4 {
			j := j0
			for ; j+4 <= j1; j += 4 {
				dot4x4(y[i*n+j:], n, x[i*k:], w[j*k:], k, b, j)
			}
			for ; j < j1; j++ {
				for r := i; r < i+4; r++ {
					y[r*n+j] = dotBias(x[r*k:r*k+k], w[j*k:j*k+k], b, j)
				}
			}
		}
		for ; i < m; i++ {
			for j := j0; j < j1; j++ {
				y[i*n+j] = dotBias(x[i*k:i*k+k], w[j*k:j*k+k], b, j)
			}
		}
	})
}

// dotBias returns x·w + b[j] (b may be nil).
func dotBias(x, w, b []float32, j int) float32 {
	var s float32
	w = w[:len(x)]
	for p, v := range x {
		s += v * w[p]
	}
	if b != nil {
		s += b[j]
	}
	return s
}

// dot4x4 writes the 4×4 block y[r*ldy+c] = x_r·w_c + b[j+c] for rows r of x
// and rows c of w (row stride k).
func dot4x4(y []float32, ldy int, x, w []float32, k int, b []float32, j int) {
	x0, x1, x2, x3 := x[:k], x[k:2*k], x[2*k:3*k], x[3*k:4*k]
	w0, w1, w2, w3 := w[:k], w[k:2*k], w[2*k:3*k], w[3*k:4*k]
	var s [4][4]float32
	for p := 0; p < k; p++ {
		a0, a1, a2, a3 := x0[p], x1[p], x2[p], x3[p]
		c0, c1, c2, c3 := w0[p], w1[p], w2[p], w3[p]
		s[0][0] += a0 * c0
		s[0][1] += a0 * c1
		s[0][2] += a0 * c2
		s[0][3] += a0 * c3
		s[1][0] += a1 * c0
		s[1][1] += a1 * c1
		s[1][2] += a1 * c2
		s[1][3] += a1 * c3
		s[2][0] += a2 * c0
		s[2][1] += a2 * c1
		s[2][2] += a2 * c2
		s[2][3] += a2 * c3
		s[3][0] += a3 * c0
		s[3][1] += a3 * c1
		s[3][2] += a3 * c2
		s[3][3] += a3 * c3
	}
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			v := s[r][c]
			if b != nil {
				v += b[j+c]
			}
			y[r*ldy+c] = v
		}
	}
}
