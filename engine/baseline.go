package engine

import (
	"context"
	"fmt"

	"lesionui/engine/stats"
)

// Baseline is one layer's random-unit baseline: draws of random units of the most-tuned sets' sizes,
// each lesioned exactly like the most-tuned sets, giving a null distribution of the magnitude and
// the impacts against which the most-tuned lesion is read.
type Baseline struct {
	Layer int
	// Most is the most-tuned lesion the draws are compared with.
	Most LesionResult
	// Draws are the random lesions, draw 0, 1, … (Mode Random, Draw i).
	Draws []LesionResult
	// Percentile is 100 × the share of draws whose magnitude is below Most's.
	Percentile float64
}

// MaxBaselineDraws bounds the draws per layer of a baseline.
const MaxBaselineDraws = 100_000

// Baseline runs n random draws in layer (n ≥ 1) and the most-tuned lesion of req's Units, with
// req's Ablation and Seed (req's Mode and Draw are ignored), all in one resumed pass.
func (s *Study) Baseline(ctx context.Context, layer int, req Request, n int) (Baseline, error) {
	if n < 1 || n > MaxBaselineDraws {
		return Baseline{}, fmt.Errorf("baseline: %d draws, want 1 to %d", n, MaxBaselineDraws)
	}
	reqs := make([]Request, n+1)
	for i := range reqs {
		reqs[i] = req
		reqs[i].Mode, reqs[i].Draw = Random, i-1
	}
	reqs[0].Mode, reqs[0].Draw = MostTuned, 0
	res, err := s.Lesions(ctx, layer, reqs)
	if err != nil {
		return Baseline{}, err
	}
	b := Baseline{Layer: layer, Most: res[0], Draws: res[1:]}
	below := 0
	for _, d := range b.Draws {
		if d.Magnitude < b.Most.Magnitude {
			below++
		}
	}
	b.Percentile = 100 * float64(below) / float64(n)
	return b, nil
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1, stats.Percentile) of the draws' magnitudes and of
// each word's impact: q = 0.05 and 0.95 give the 5–95 % band.
func (b Baseline) Quantile(q float64) (magnitude float64, impact [2]float64) {
	mag := make([]float64, len(b.Draws))
	imp := [2][]float64{make([]float64, len(b.Draws)), make([]float64, len(b.Draws))}
	for i, d := range b.Draws {
		mag[i] = d.Magnitude
		imp[0][i], imp[1][i] = d.Impact[0], d.Impact[1]
	}
	return stats.Percentile(mag, q), [2]float64{stats.Percentile(imp[0], q), stats.Percentile(imp[1], q)}
}
