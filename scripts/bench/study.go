package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/engine/linalg"
	"lesionui/sentences"
)

// goStudy is what one in-process run of lesionui's study measured. Times are seconds unless
// the name says otherwise.
type goStudy struct {
	Ready   float64 `json:"ready_s"`   // encoder.Load: config, tokenizer, mmap of the weights
	Collect float64 `json:"collect_s"` // engine.New's Timing.Collect: tokenize + one pass recording all layers
	Stats   float64 `json:"stats_s"`   // engine.New's Timing.Stats: t-tests + correction, all layers
	// Clean is the rest of engine.New: validation, target lookup and the clean (traced) pass.
	Clean float64 `json:"clean_s"`
	// LesionMedianMS is the median over all layers of one s.Lesion(layer, MostTuned), in ms.
	LesionMedianMS float64   `json:"lesion_median_ms"`
	LesionMS       []float64 `json:"lesion_ms"` // per layer
	Sweep          float64   `json:"sweep_s"`   // s.Sweep over both modes
	Whole          float64   `json:"whole_s"`   // Load + New + Sweep, wall clock
	// Tokens and SumSquares describe the collection batch (real tokens, Σ length²).
	Tokens     int     `json:"tokens"`
	SumSquares int     `json:"sum_len_squared"`
	Sentences  int     `json:"sentences"`
	GFLOP      float64 `json:"collect_gflop"`
	GFLOPS     float64 `json:"collect_gflops"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	Kernel     string  `json:"kernel"`
	// Significant is the number of significant units per layer (him, her), and Clean/Magnitude
	// the study's numbers, so that the two implementations can be checked to agree.
	Significant [][2]int      `json:"significant"`
	CleanLogits engine.Logits `json:"clean_logits"`
	Magnitude   [2][]float64  `json:"magnitude"` // [mode][layer]
	// Science is the random baseline's and the evaluation set's timing (science.go).
	Science *scienceBench `json:"science"`
}

// runGoStudy runs lesionui's study on the checkpoint in dir and times each phase.
func runGoStudy(ctx context.Context, dir string) (*goStudy, error) {
	r := goStudy{Kernel: linalg.Kernel()}
	start := time.Now()
	m, err := encoder.Load(dir, nil)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	r.Ready = time.Since(start).Seconds()

	set := sentences.Builtin()
	newStart := time.Now()
	s, err := engine.New(ctx, m, set, engine.Options{}, nil)
	if err != nil {
		return nil, err
	}
	newTime := time.Since(newStart)
	r.Collect, r.Stats = s.Timing.Collect.Seconds(), s.Timing.Stats.Seconds()
	r.Clean = (newTime - s.Timing.Collect - s.Timing.Stats).Seconds()

	sweepStart := time.Now()
	sweep, err := s.Sweep(ctx, engine.Design{}.Requests(), nil)
	if err != nil {
		return nil, err
	}
	r.Sweep = time.Since(sweepStart).Seconds()
	r.Whole = time.Since(start).Seconds()

	for l := range s.Layers {
		t := time.Now()
		if _, err := s.Lesion(ctx, l, engine.Design{}.Request(engine.MostTuned)); err != nil {
			return nil, err
		}
		r.LesionMS = append(r.LesionMS, float64(time.Since(t).Microseconds())/1e3)
	}
	r.LesionMedianMS = median(r.LesionMS)

	for _, g := range []sentences.Group{set.A, set.B} {
		for _, sen := range g.Sentences {
			enc, err := m.Tokenizer.Encode(sen.Text)
			if err != nil {
				return nil, err
			}
			r.Tokens += len(enc.IDs)
			r.SumSquares += len(enc.IDs) * len(enc.IDs)
			r.Sentences++
		}
	}
	c := m.Config
	r.GFLOP = encoderFLOP(c.NumHiddenLayers, c.HiddenSize, c.IntermediateSize, r.Tokens, r.SumSquares) / 1e9
	r.GFLOPS = r.GFLOP / r.Collect
	r.CleanLogits = s.Clean
	for _, lt := range s.Layers {
		r.Significant = append(r.Significant, [2]int{len(lt.A), len(lt.B)})
	}
	for i := range sweep {
		for _, res := range sweep[i] {
			r.Magnitude[i] = append(r.Magnitude[i], res.Magnitude)
		}
	}
	if r.PeakRSSMB, err = peakRSSMB(); err != nil {
		return nil, err
	}
	r.Science, err = measureScience(ctx, s)
	return &r, err
}

// encoderFLOP counts the floating-point operations of the encoder on a packed batch of tokens
// tokens whose sequence lengths' squares sum to sumSq: per layer 2·tokens·(4·H² + 2·H·I) for
// the six matrix products (Q, K, V, attention output, expansion, contraction) and 4·H·Σ len²
// for the attention scores and their weighted sum; biases, softmax, GELU and LayerNorm are
// not counted, nor the MLM head.
func encoderFLOP(layers, hidden, inter, tokens, sumSq int) float64 {
	h, i := float64(hidden), float64(inter)
	perLayer := 2*float64(tokens)*(4*h*h+2*h*i) + 4*h*float64(sumSq)
	return float64(layers) * perLayer
}

// peakRSSMB reads the process's peak resident set size (VmHWM) from /proc/self/status.
func peakRSSMB() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/self/status: VmHWM %q: %w", rest, err)
			}
			return kb / 1024, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/self/status: no VmHWM line")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
