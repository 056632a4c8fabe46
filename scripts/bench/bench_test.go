package main

import (
	"math"
	"testing"
)

// These test the benchmark's helpers only; the benchmark itself runs with go run.

func TestCheckpointSpecsCountBertLarge(t *testing.T) {
	n := 0
	for _, s := range checkpointSpecs(large) {
		size := 1
		for _, d := range s.shape {
			size *= d
		}
		n += size
	}
	// bert-large-uncased's BertForMaskedLM without the pooler, decoder tied.
	if n != 335_174_458 {
		t.Errorf("checkpoint has %d parameters, want 335174458", n)
	}
}

func TestNormalishMoments(t *testing.T) {
	r := newRNG(7)
	const n = 1 << 20
	var sum, sq float64
	for range n {
		v := float64(r.normalish(0.02))
		sum += v
		sq += v * v
	}
	mean := sum / n
	std := math.Sqrt(sq/n - mean*mean)
	if math.Abs(mean) > 1e-4 || math.Abs(std-0.02) > 2e-4 {
		t.Errorf("mean %g std %g, want 0 and 0.02", mean, std)
	}
	a, b := fillTensor(tensorSpec{"w", []int{4}, fillRandom}, 3), fillTensor(tensorSpec{"w", []int{4}, fillRandom}, 3)
	if a[0] != b[0] || a[3] != b[3] {
		t.Errorf("same tensor index gave %v and %v", a, b)
	}
}

func TestEncoderFLOP(t *testing.T) {
	// One layer, H=2, I=4, two sequences of 3 and 1 tokens:
	// 2·4·(4·4 + 2·8) + 4·2·(9+1) = 256 + 80.
	if got := encoderFLOP(1, 2, 4, 4, 10); got != 336 {
		t.Errorf("encoderFLOP = %g, want 336", got)
	}
}

func TestNumpyLine(t *testing.T) {
	m := numpyLine.FindStringSubmatch("numpy 128x1024x4096:     1.234 ms/op    870.5 GFLOP/s")
	if m == nil || m[1] != "128" || m[2] != "1024" || m[3] != "4096" || m[4] != "870.5" {
		t.Errorf("parsed %q", m)
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{5, 1, 3, 2}); got != 2.5 {
		t.Errorf("median = %g, want 2.5", got)
	}
	if got := median([]float64{5, 1, 3}); got != 3 {
		t.Errorf("median = %g, want 3", got)
	}
}
