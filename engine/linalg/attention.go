package linalg

// rowKernelFor returns the kernel of table for rows of d floats, or nil when
// d is not a whole number of the active path's vectors (or too long).
func rowKernelFor(ks *kernelSet, table func(*kernelSet) []rowKernel, d int) rowKernel {
	if ks == nil || d == 0 || d%ks.vw != 0 {
		return nil
	}
	t := table(ks)
	if dv := d / ks.vw; dv < len(t) {
		return t[dv]
	}
	return nil
}

// Dots sets out[j] = q·k[j*ldk : j*ldk+len(q)] for every j < len(out): the
// attention scores of one query against len(out) keys stored ldk floats
// apart (e.g. one head's slice of a [tokens, hidden] key matrix). Head sizes
// that are a multiple of 16 (AVX2: 8) up to 128 (AVX2: 64) run in assembly.
func Dots(out, q, k []float32, ldk int) {
	rows, d := len(out), len(q)
	if rows == 0 {
		return
	}
	_ = k[(rows-1)*ldk+d-1] // one bounds check for the whole call
	if f := rowKernelFor(active, func(ks *kernelSet) []rowKernel { return ks.dots }, d); f != nil {
		f(&out[0], rows, &q[0], &k[0], ldk)
		return
	}
	for j := range out {
		kj := k[j*ldk : j*ldk+d]
		var s float32
		for t, v := range q {
			s += v * kj[t]
		}
		out[j] = s
	}
}

// AddScaledRows adds Σ_j p[j]·v[j*ldv : j*ldv+len(out)] over j < len(p) to
// out: attention probabilities times one head's values. It runs in assembly
// for the same row lengths as Dots.
func AddScaledRows(out, p, v []float32, ldv int) {
	rows, d := len(p), len(out)
	if rows == 0 || d == 0 {
		return
	}
	_ = v[(rows-1)*ldv+d-1]
	if f := rowKernelFor(active, func(ks *kernelSet) []rowKernel { return ks.axpys }, d); f != nil {
		f(&out[0], rows, &p[0], &v[0], ldv)
		return
	}
	for j, pj := range p {
		vj := v[j*ldv : j*ldv+d]
		for t, x := range vj {
			out[t] += pj * x
		}
	}
}
