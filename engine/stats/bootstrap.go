package stats

import (
	"math"
	"slices"
)

// Percentile returns the q-quantile (0 ≤ q ≤ 1) of x by linear interpolation between the order
// statistics at rank (len(x)−1)·q: numpy.percentile's default ("linear", Hyndman and Fan's type 7).
// x is not modified; NaN values sort last. An empty x gives NaN.
func Percentile(x []float64, q float64) float64 {
	if len(x) == 0 || math.IsNaN(q) {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return sortedPercentile(s, q)
}

// sortedPercentile is Percentile on an ascending s.
func sortedPercentile(s []float64, q float64) float64 {
	q = min(1, max(0, q))
	h := float64(len(s)-1) * q
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// BootstrapMeanCI is the percentile bootstrap interval of the mean of x: resamples samples of
// len(x) values drawn from x with replacement, the indices given by draw (draw(n) returns an
// index uniform on 0..n−1; the samples draw their len(x) indices one after the other, sample after
// sample), and the (1−level)/2 and (1+level)/2 percentiles (Percentile) of the samples' means.
// Each mean is a plain float64 sum in draw order divided by len(x). An empty x or resamples < 1
// gives NaN bounds.
func BootstrapMeanCI(x []float64, level float64, resamples int, draw func(n int) int) [2]float64 {
	n := len(x)
	if n == 0 || resamples < 1 {
		return [2]float64{math.NaN(), math.NaN()}
	}
	means := make([]float64, resamples)
	for b := range means {
		var sum float64
		for range n {
			sum += x[draw(n)]
		}
		means[b] = sum / float64(n)
	}
	slices.Sort(means)
	return [2]float64{sortedPercentile(means, (1-level)/2), sortedPercentile(means, (1+level)/2)}
}
