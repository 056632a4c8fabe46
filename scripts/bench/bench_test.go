package main

import (
	"math"
	"strings"
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

func TestReportTargets(t *testing.T) {
	r := report{
		Lesionui: &goStudy{Ready: 0.05, Collect: 7, GFLOP: 575, LesionMedianMS: 215, Sweep: 8, PeakRSSMB: 1427,
			Significant: [][2]int{{3, 4}, {5, 6}}, Magnitude: [2][]float64{{1, 2}, {3, 4}}},
		PyTorch: &torchStudy{Ready: 19, Collect: 10, Sweep: 60, Significant: [][2]int{{3, 4}, {5, 7}},
			Magnitude: [2][]float64{{1, 2.5}, {3, 4}}},
		Sgemm: []sgemmResult{{Shape: "1024x1024x4096", Lesionui: 60, Numpy: 100}, {Shape: "128x1024x4096", Lesionui: 80, Numpy: 100}},
	}
	r.Lesionui.CleanLogits[1][0][1] = 0.25
	r.finish()
	want := map[string]bool{"collect": true, "lesion": false, "sweep": false, "ready": true, "peak_rss": true,
		"sgemm 1024x1024x4096": false, "sgemm 128x1024x4096": true}
	if len(r.Targets) != len(want) {
		t.Fatalf("targets %+v, want %d", r.Targets, len(want))
	}
	for _, tg := range r.Targets {
		if tg.Pass != want[tg.Name] {
			t.Errorf("target %s (value %g, %s): pass %v", tg.Name, tg.Value, tg.Limit, tg.Pass)
		}
	}
	if a := r.Agreement; a.CleanMaxAbsDiff != 0.25 || a.MagnitudeMaxAbsDiff != 0.5 || a.SignificantEqual != 1 || a.Layers != 2 {
		t.Errorf("agreement %+v", a)
	}
	if p := r.PyTorch.GFLOPS; p != 57.5 {
		t.Errorf("PyTorch GFLOP/s %g, want 57.5 (the same 575 GFLOP in 10 s)", p)
	}
	var b strings.Builder
	r.print(&b)
	for _, s := range []string{"one lesion update (median)", "215.0 ms", "FAIL", "0.700"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, b.String())
		}
	}
}
