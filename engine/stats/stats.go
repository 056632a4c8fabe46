// Package stats holds the statistics of the lesioning study: the independent-samples two-sided t-test
// (Student's pooled-variance test, as scipy.stats.ttest_ind by default, or Welch's test), run per neuron
// over activation matrices, multiple-comparison corrections of the resulting p-values
// (Benjamini–Hochberg as scipy.stats.false_discovery_control, or Bonferroni), Hedges' g as the effect
// size next to t, and the percentiles and percentile bootstrap the study's random baselines and
// evaluation set are summarised with.
//
// p-values come from the regularized incomplete beta function, p = I_{df/(df+t²)}(df/2, 1/2), which stays
// accurate in relative terms far into the tail (p ≈ 1e-170 and below, until float64 underflows near 1e-308).
//
// Degenerate inputs never panic:
//   - both groups constant with equal means: t = 0, p = 1 (a neuron that never changes is not significant);
//   - zero pooled variance with different means: t = ±Inf (sign of mean(a) − mean(b)), p = 0;
//   - a NaN sample: t, p (and, for Welch, df) are NaN;
//   - a group with fewer than 2 samples: t, p, df are NaN. Callers validate group sizes (the sentences
//     package requires at least 2 sentences per group).
package stats

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mathext"
)

// Kind selects the variance assumption of the t-test.
type Kind int

const (
	// Student is the pooled-variance t-test (scipy.stats.ttest_ind with equal_var=True, its default).
	Student Kind = iota
	// Welch is the unequal-variance t-test with Welch–Satterthwaite degrees of freedom (equal_var=False).
	Welch
)

// String returns "Student" or "Welch".
func (k Kind) String() string {
	switch k {
	case Student:
		return "Student"
	case Welch:
		return "Welch"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// TTest is the independent-samples two-sided t-test of a against b: t > 0 when mean(a) > mean(b).
// It returns the statistic, its two-sided p-value and the degrees of freedom (na+nb−2 for Student; for
// Welch, NaN when both groups are constant). See the package doc for degenerate inputs.
func TTest(a, b []float64, kind Kind) (t, p, df float64) {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	return fromMoments(len(a), ma, va, len(b), mb, vb, kind)
}

// meanVar returns the mean and the unbiased (ddof = 1) variance of x in two passes.
func meanVar(x []float64) (mean, variance float64) {
	var s float64
	for _, v := range x {
		s += v
	}
	mean = s / float64(len(x))
	var ss float64
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return mean, ss / float64(len(x)-1)
}

// TTestColumns runs TTest on every column j < n of the row-major sample matrices a [na, n] and b [nb, n]
// and returns t and p per column. Sums are accumulated in float64 (two-pass mean and variance) row by row,
// so memory is read sequentially and no per-column allocation happens. It panics if len(a) != na*n or
// len(b) != nb*n, which is a programming error, not a data condition.
func TTestColumns(a []float32, na int, b []float32, nb int, n int, kind Kind) (t, p []float64) {
	checkShapes("TTestColumns", a, na, b, nb, n)
	t = make([]float64, n)
	p = make([]float64, n)
	scratch := make([]float64, 2*n)
	ma, mb := t, p // the means live in the outputs until the last loop overwrites them
	va, vb := scratch[:n], scratch[n:]
	columnMeanVar(a, na, n, ma, va)
	columnMeanVar(b, nb, n, mb, vb)
	for j := range n {
		t[j], p[j], _ = fromMoments(na, ma[j], va[j], nb, mb[j], vb[j], kind)
	}
	return t, p
}

// checkShapes panics unless a and b are row-major [na, n] and [nb, n] matrices: a mismatch is a
// programming error, not a data condition.
func checkShapes(fn string, a []float32, na int, b []float32, nb int, n int) {
	if n < 0 || na < 0 || nb < 0 || len(a) != na*n || len(b) != nb*n {
		panic(fmt.Sprintf("stats: %s: len(a)=%d, len(b)=%d do not match [%d, %d] and [%d, %d]",
			fn, len(a), len(b), na, n, nb, n))
	}
}

// columnMeanVar writes the column means and unbiased variances of the row-major matrix x [rows, n].
func columnMeanVar(x []float32, rows, n int, mean, variance []float64) {
	clear(mean)
	clear(variance)
	for i := range rows {
		row := x[i*n : (i+1)*n]
		for j, v := range row {
			mean[j] += float64(v)
		}
	}
	inv := 1 / float64(rows)
	for j := range mean {
		mean[j] *= inv
	}
	for i := range rows {
		row := x[i*n : (i+1)*n]
		for j, v := range row {
			d := float64(v) - mean[j]
			variance[j] += d * d
		}
	}
	invDf := 1 / float64(rows-1)
	for j := range variance {
		variance[j] *= invDf
	}
}

// fromMoments computes the test from group sizes, means and unbiased variances.
func fromMoments(na int, ma, va float64, nb int, mb, vb float64, kind Kind) (t, p, df float64) {
	nan := math.NaN()
	if na < 2 || nb < 2 {
		return nan, nan, nan
	}
	fa, fb := float64(na), float64(nb)
	var se2 float64
	switch kind {
	case Welch:
		sa, sb := va/fa, vb/fb
		se2 = sa + sb
		df = se2 * se2 / (sa*sa/(fa-1) + sb*sb/(fb-1)) // NaN when both variances are 0
	default:
		df = fa + fb - 2
		se2 = ((fa-1)*va + (fb-1)*vb) / df * (1/fa + 1/fb)
	}
	d := ma - mb
	switch {
	case math.IsNaN(d) || math.IsNaN(se2):
		return nan, nan, nan
	case se2 == 0 && d == 0:
		return 0, 1, df
	case se2 == 0:
		return math.Copysign(math.Inf(1), d), 0, df
	}
	t = d / math.Sqrt(se2)
	return t, TwoSidedP(t, df), df
}

// TwoSidedP returns the two-sided p-value of Student's t distribution with df degrees of freedom at t,
// P(|T| >= |t|) = I_{df/(df+t²)}(df/2, 1/2) (computed as 1 − I_{t²/(df+t²)}(1/2, df/2) when t² < 1).
// It is NaN for NaN t or df, or df <= 0.
func TwoSidedP(t, df float64) float64 {
	if math.IsNaN(t) || math.IsNaN(df) || df <= 0 {
		return math.NaN()
	}
	t2 := t * t
	if math.IsInf(t2, 1) {
		return 0
	}
	if t2 < 1 { // p > 0.3: the complement keeps its relative accuracy as t -> 0
		return 1 - mathext.RegIncBeta(0.5, df/2, t2/(df+t2))
	}
	return mathext.RegIncBeta(df/2, 0.5, df/(df+t2))
}

// Correction selects a multiple-comparison correction for Adjust.
type Correction int

const (
	// BenjaminiHochberg controls the false discovery rate (scipy.stats.false_discovery_control with
	// method='bh', statsmodels multipletests method='fdr_bh'). It is the default.
	BenjaminiHochberg Correction = iota
	// Bonferroni controls the family-wise error rate: min(1, p·m).
	Bonferroni
)

// String returns "Benjamini-Hochberg" or "Bonferroni".
func (c Correction) String() string {
	switch c {
	case BenjaminiHochberg:
		return "Benjamini-Hochberg"
	case Bonferroni:
		return "Bonferroni"
	}
	return fmt.Sprintf("Correction(%d)", int(c))
}

// Adjust returns the p-values adjusted for m simultaneous tests, in the order of p (p is not modified).
// NaN entries stay NaN and do not count in m (as R's p.adjust); with no NaN the result equals scipy's and
// statsmodels' to rounding.
func Adjust(p []float64, c Correction) []float64 {
	out := make([]float64, len(p))
	order := make([]int, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			out[i] = v
			continue
		}
		order = append(order, i)
	}
	m := float64(len(order))
	if c == Bonferroni {
		for _, i := range order {
			out[i] = math.Min(1, p[i]*m)
		}
		return out
	}
	sort.SliceStable(order, func(x, y int) bool { return p[order[x]] < p[order[y]] })
	running := math.Inf(1)
	for r := len(order) - 1; r >= 0; r-- {
		i := order[r]
		running = math.Min(running, p[i]*(m/float64(r+1))) // p·(m/rank), as scipy
		out[i] = math.Max(0, math.Min(1, running))
	}
	return out
}
