package engine

import (
	"context"
	"fmt"
	"slices"
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
// of each test text, from the clean pass's logits over the whole vocabulary.
func (s *Study) CleanTopK(k int) (Predictions, error) {
	if err := s.checkTopK(k); err != nil {
		return Predictions{}, err
	}
	return s.cleanTopK(k), nil
}

// cleanTopK is CleanTopK for a valid k.
func (s *Study) cleanTopK(k int) Predictions {
	var p Predictions
	for t := range 3 {
		for m := range 2 {
			p[t][m] = s.topTokens(s.cleanLogits[2*t+m], k)
		}
	}
	return p
}

// TopK returns, for each request, the k most likely tokens at each mask of each test text under
// that request's lesion in layer. The clean text (and a masked text whose set is empty) is not
// lesioned and gets the clean predictions. All requests share one resumed pass over the full
// vocabulary: LesionsTopK's, whose lesion results it drops.
func (s *Study) TopK(ctx context.Context, layer int, reqs []Request, k int) ([]Predictions, error) {
	_, p, err := s.LesionsTopK(ctx, layer, reqs, k)
	return p, err
}

// checkTopK validates a number of top predictions against the vocabulary.
func (s *Study) checkTopK(k int) error {
	if v := s.Model.Config.VocabSize; k < 1 || k > v {
		return fmt.Errorf("top-k: k = %d, want 1 to the vocabulary's %d", k, v)
	}
	return nil
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
