package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"lesionui/engine/linalg"
)

// gemmShape is one x·Wᵀ product: x [M, K], W [N, K].
type gemmShape struct{ M, K, N int }

func (s gemmShape) String() string { return fmt.Sprintf("%dx%dx%d", s.M, s.K, s.N) }

func (s gemmShape) flop() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// gemmShapes are the shapes the sgemm target names: the expansion layer of a
// 1024-token and a 128-token batch of bert-large.
var gemmShapes = []gemmShape{{1024, 1024, 4096}, {128, 1024, 4096}}

// sgemmGo returns linalg.Linear's best GFLOP/s on s over repeats timings of about 20 GFLOP
// each (the same protocol as sgemm_numpy.py).
func sgemmGo(s gemmShape, repeats int) float64 {
	r := newRNG(uint64(s.M))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = r.normalish(1)
		}
		return v
	}
	x, w, y := fill(s.M*s.K), fill(s.N*s.K), make([]float32, s.M*s.N)
	linalg.Linear(y, x, w, nil, s.M, s.N, s.K) // warm up
	calls := max(1, int(2e10/s.flop()))
	best := 0.0
	for range repeats {
		t := time.Now()
		for range calls {
			linalg.Linear(y, x, w, nil, s.M, s.N, s.K)
		}
		best = max(best, s.flop()*float64(calls)/time.Since(t).Seconds()/1e9)
	}
	return best
}

// numpyLine matches sgemm_numpy.py's result lines: "numpy 1024x1024x4096: ... 123.4 GFLOP/s".
var numpyLine = regexp.MustCompile(`(\d+)x(\d+)x(\d+):.*?([0-9.]+)\s*GFLOP/s`)

// sgemmNumpy runs the kernel helper's sgemm_numpy.py with the OpenBLAS settings its header
// asks for and returns GFLOP/s by shape, and the BLAS it reported.
func sgemmNumpy(ctx context.Context, python, script string, repeats int) (map[gemmShape]float64, string, error) {
	cmd := exec.CommandContext(ctx, python, script, "--repeat", strconv.Itoa(repeats))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENBLAS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "OPENBLAS_NUM_THREADS=2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w\n%s", python, script, err, stderr.Bytes())
	}
	res := map[gemmShape]float64{}
	var blas string
	for line := range strings.Lines(string(out)) {
		if b, ok := strings.CutPrefix(line, "BLAS:"); ok {
			blas = strings.TrimSpace(b)
		}
		m := numpyLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var dims [3]int
		for i := range dims {
			dims[i], _ = strconv.Atoi(m[i+1]) // the pattern admits digits only
		}
		gflops, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return nil, "", fmt.Errorf("%s: line %q: %w", script, strings.TrimSpace(line), err)
		}
		res[gemmShape{dims[0], dims[1], dims[2]}] = gflops
	}
	if len(res) == 0 {
		return nil, "", fmt.Errorf("%s printed no \"MxKxN: ... GFLOP/s\" lines:\n%s", script, out)
	}
	return res, blas, nil
}
