package engine

import (
	"context"
	"fmt"
	"time"

	"lesionui/engine/encoder"
	"lesionui/sentences"
)

// Recording is what a study records from its contrast sentences in its one pass over the model,
// the expensive part of New: with it NewRecorded rebuilds the study without that pass. It is
// plain data, for storing (lesionui's activation cache); the slices of a study's Recording are the
// study's own and must not be changed.
type Recording struct {
	// Tested is, per layer, the tested activation (before the activation function, or after it
	// with Options.PostGELU) at every sentence's target token: row-major [sentence, unit], group A's
	// sentences first.
	Tested [][]float32
	// Means are, per layer, each unit's pre-activation mean over group A's sentences, over group
	// B's and over all of them: what mean and patch ablations set units to.
	Means [][3][]float32
}

// Recording returns the study's recording.
func (s *Study) Recording() Recording {
	r := Recording{Tested: s.acts, Means: make([][3][]float32, len(s.means))}
	for l, gm := range s.means {
		r.Means[l] = [3][]float32{gm.group[0], gm.group[1], gm.all}
	}
	return r
}

// NewRecorded is New with the pass over the contrast sentences replaced by rec, the Recording of a
// study of the same model, contrast set and Options.PostGELU (which the caller vouches for: rec
// knows only its sizes, which are checked). The statistics, the checks and the clean pass over
// the test texts are done as New does them.
func NewRecorded(ctx context.Context, m *encoder.Model, set *sentences.ContrastSet, opt Options, rec Recording) (*Study, error) {
	s, err := prepare(m, set, opt)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	layers, units, n := m.Config.NumHiddenLayers, m.Config.IntermediateSize, len(s.sentenceIDs)
	if len(rec.Tested) != layers || len(rec.Means) != layers {
		return nil, fmt.Errorf("recording: %d layers of activations and %d of means, the model has %d", len(rec.Tested), len(rec.Means), layers)
	}
	for l := range layers {
		if len(rec.Tested[l]) != n*units {
			return nil, fmt.Errorf("recording: layer %d holds %d activations, want %d sentences × %d units", l, len(rec.Tested[l]), n, units)
		}
		for i, v := range rec.Means[l] {
			if len(v) != units {
				return nil, fmt.Errorf("recording: layer %d: %d means of kind %d, want %d units", l, len(v), i, units)
			}
		}
	}
	s.acts = rec.Tested
	s.means = make([]groupMeans, layers)
	for l, m := range rec.Means {
		s.means[l] = groupMeans{group: [2][]float32{m[0], m[1]}, all: m[2]}
	}
	return s.finish(ctx, start)
}
