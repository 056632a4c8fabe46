package engine

import (
	"context"
	"fmt"
	"slices"

	"lesionui/engine/encoder"
)

// Token is a vocabulary token and its logit at a mask.
type Token struct {
	ID    int
	Token string // the decoded token, e.g. "her" or "##s"
	Logit float64
}

// Predictions are the K most likely tokens at each mask of each test text, [text][mask position]
// (texts and positions as in Logits), most likely first, ties by the lower id.
type Predictions [3][2][]Token

// CleanTopK returns the clean model's k most likely tokens (1 ≤ k ≤ vocabulary size) at each mask
// of each test text.
func (s *Study) CleanTopK(ctx context.Context, k int) (Predictions, error) {
	p, err := s.predictions(ctx, len(s.Layers)-1, nil, k)
	if err != nil {
		return Predictions{}, err
	}
	return p[0], nil
}

// TopK returns, for each request, the k most likely tokens at each mask of each test text under
// that request's lesion in layer. The clean text (and a masked text whose set is empty) is not
// lesioned and gets the clean predictions. All requests share one resumed pass over the full
// vocabulary.
func (s *Study) TopK(ctx context.Context, layer int, reqs []Request, k int) ([]Predictions, error) {
	if layer < 0 || layer >= len(s.Layers) {
		return nil, fmt.Errorf("top-k: layer %d outside 0..%d", layer, len(s.Layers)-1)
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	return s.predictions(ctx, layer, reqs, k)
}

// predictions resumes from layer with the clean text once and both masked texts per request (none
// without requests) and reads the top k at every mask of them.
func (s *Study) predictions(ctx context.Context, layer int, reqs []Request, k int) ([]Predictions, error) {
	if v := s.Model.Config.VocabSize; k < 1 || k > v {
		return nil, fmt.Errorf("top-k: k = %d, want 1 to the vocabulary's %d", k, v)
	}
	seqs := []int{0, 1, 2} // texts; requests after the first re-run texts 1 and 2 again
	textSeq := make([][3]int, max(1, len(reqs)))
	textSeq[0] = [3]int{0, 1, 2}
	var ivs []encoder.Intervention
	for i, req := range reqs {
		p, err := s.plan(layer, req)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			textSeq[i] = [3]int{0, len(seqs), len(seqs) + 1}
			seqs = append(seqs, 1, 2)
		}
		for k, tl := range p {
			if tl.iv != nil {
				iv := *tl.iv
				iv.Site.Seq = textSeq[i][k+1]
				ivs = append(ivs, iv)
			}
		}
	}
	var sites []encoder.Site
	for seq := range seqs {
		for _, pos := range s.Targets.MaskPositions {
			sites = append(sites, encoder.Site{Seq: seq, Pos: pos})
		}
	}
	res, err := s.trace.Resume(ctx, layer, seqs, encoder.Options{Interventions: ivs, Logits: sites})
	if err != nil {
		return nil, err
	}
	out := make([]Predictions, len(textSeq))
	for i, ts := range textSeq {
		for t, seq := range ts {
			for p := range 2 {
				out[i][t][p] = s.topTokens(res.Logits[2*seq+p], k)
			}
		}
	}
	return out, nil
}

// topTokens returns the k largest logits, largest first, ties by the lower id, decoded.
func (s *Study) topTokens(logits []float32, k int) []Token {
	top := make([]int, 0, k+1) // ids, best first
	better := func(a, b int) bool { return logits[a] > logits[b] || logits[a] == logits[b] && a < b }
	for id := range logits {
		if len(top) == k && !better(id, top[k-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, id, func(have, want int) int {
			if better(have, want) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, i, id)
		if len(top) > k {
			top = top[:k]
		}
	}
	out := make([]Token, len(top))
	for i, id := range top {
		out[i] = Token{ID: id, Token: s.Model.Tokenizer.Token(id), Logit: float64(logits[id])}
	}
	return out
}
