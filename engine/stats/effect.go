package stats

import "math"

// HedgesG is the standardized mean difference of a against b with the small-sample correction
// (Hedges' g, as statsmodels' effectsize_smd):
//
//	g = J·(mean(a) − mean(b)) / s_p,   s_p² = ((na−1)·var(a) + (nb−1)·var(b)) / (na+nb−2),
//	J = 1 − 3 / (4·(na+nb) − 9)
//
// with unbiased (ddof = 1) variances. It has the sign of t. The pooled SD is the standardizer
// whichever t-test is run, Welch's included. Degenerate inputs follow the t-test: s_p = 0 gives
// 0 when the means are equal and ±Inf otherwise; a NaN sample or a group of fewer than 2 gives NaN.
func HedgesG(a, b []float64) float64 {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	return hedgesFromMoments(len(a), ma, va, len(b), mb, vb)
}

// HedgesGColumns returns HedgesG of every column j < n of the row-major sample matrices a [na, n]
// and b [nb, n], accumulating in float64 as TTestColumns does. It panics on mismatched shapes.
func HedgesGColumns(a []float32, na int, b []float32, nb int, n int) []float64 {
	checkShapes("HedgesGColumns", a, na, b, nb, n)
	g := make([]float64, n)
	scratch := make([]float64, 3*n)
	ma, va, vb := scratch[:n], scratch[n:2*n], scratch[2*n:]
	mb := g // the means of b live in the output until the last loop overwrites them
	columnMeanVar(a, na, n, ma, va)
	columnMeanVar(b, nb, n, mb, vb)
	for j := range n {
		g[j] = hedgesFromMoments(na, ma[j], va[j], nb, mb[j], vb[j])
	}
	return g
}

// hedgesFromMoments computes g from group sizes, means and unbiased variances.
func hedgesFromMoments(na int, ma, va float64, nb int, mb, vb float64) float64 {
	if na < 2 || nb < 2 {
		return math.NaN()
	}
	n := float64(na + nb)
	sp := math.Sqrt((float64(na-1)*va + float64(nb-1)*vb) / (n - 2))
	d := ma - mb
	switch {
	case math.IsNaN(d) || math.IsNaN(sp):
		return math.NaN()
	case sp == 0 && d == 0:
		return 0
	case sp == 0:
		return math.Copysign(math.Inf(1), d)
	}
	return (1 - 3/(4*n-9)) * d / sp
}
