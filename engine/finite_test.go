package engine

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lesionui/engine/encoder"
	"lesionui/engine/encoder/safetensors"
	"lesionui/engine/stats"
	"lesionui/sentences"
)

// damagedModel loads a copy of the fixture whose tensor name has its element index (-1: every
// element) set to v.
func damagedModel(t *testing.T, name string, index int, v float32) *encoder.Model {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config.json", "vocab.txt", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ck, err := safetensors.OpenDir(filepath.FromSlash(fixture))
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	var ts []safetensors.Tensor
	found := false
	for _, n := range ck.Names() {
		info, _ := ck.Info(n)
		data, err := ck.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		data = append([]float32(nil), data...)
		if n == name {
			found = true
			for i := range data {
				if index < 0 || i == index {
					data[i] = v
				}
			}
		}
		ts = append(ts, safetensors.Tensor{Name: n, DType: info.DType, Shape: info.Shape, Data: data})
	}
	if !found {
		t.Fatalf("the fixture has no tensor %q", name)
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	m, err := encoder.Load(dir, nil)
	if err != nil {
		t.Fatal(err) // loading stays fast: the weights are not scanned
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// A NaN or Inf weight used to give exit 0 with plausible numbers (no significant units, every
// lesion Δ = 0). The study refuses it, naming the layer, the site and the broken tensor.
func TestNonFiniteWeightsAreRefused(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, c := range []struct {
		name, tensor string
		index        int
		v            float32
		want         []string
	}{
		{"NaN in an expansion weight", "bert.encoder.layer.1.intermediate.dense.weight", 5, nan,
			[]string{"layer 1: the MLP expansion (unit 0) at the target word of [him] sentence", "is NaN",
				`tensor "bert.encoder.layer.1.intermediate.dense.weight" [64 32] holds NaN at element 5`}},
		{"Inf in an embedding", "bert.embeddings.word_embeddings.weight", -1, inf,
			[]string{"layer 0:", `tensor "bert.embeddings.word_embeddings.weight" [174 32] holds +Inf at element 0`}},
		{"NaN in the MLM head", "cls.predictions.transform.dense.weight", 0, nan,
			[]string{"the clean pass: the \"her\" logit", "is NaN", `tensor "cls.predictions.transform.dense.weight"`}},
		// Token 50 ("crowd") is neither target word: only the full-vocabulary logits the top-k
		// predictions are read from see it, and they used to pass a NaN by (the top-k silently
		// left it out) and an Inf on (run printed "crowd +Inf", then --json failed after the study).
		{"NaN in the head bias of another token", "cls.predictions.bias", 50, nan,
			[]string{`the clean pass: the logit of token "crowd" (id 50) at the "her" mask position of the clean test text`,
				"is NaN", `tensor "cls.predictions.bias" [174] holds NaN at element 50`}},
		{"Inf in the head bias of another token", "cls.predictions.bias", 50, inf,
			[]string{`the logit of token "crowd" (id 50)`, "is +Inf", `holds +Inf at element 50`}},
		{"finite weights that overflow", "bert.embeddings.word_embeddings.weight", -1, 3e38,
			[]string{"layer 0:", "every weight is finite, so the computation overflowed float32"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := damagedModel(t, c.tensor, c.index, c.v)
			_, err := New(context.Background(), m, sentences.Builtin(), Options{}, nil)
			var nf *NonFiniteError
			if !errors.As(err, &nf) {
				t.Fatalf("New = %v, want a *NonFiniteError", err)
			}
			t.Log(err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}
}

// Both groups repeating one sentence make every unit's variance zero: every t is infinite and
// every unit "significant". The study says so instead of presenting it as a finding.
func TestZeroVarianceWarning(t *testing.T) {
	m := loadModel(t)
	file := "[him]\nI saw him.\nI saw him.\nI saw him.\n[her]\nI saw her.\nI saw her.\nI saw her.\n" +
		"[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n"
	set, err := sentences.Parse(strings.NewReader(file), "same.txt")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), m, set, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Kind != ZeroVariance || len(s.Warnings[0].Layers) != len(s.Layers) {
		t.Fatalf("warnings %+v, want one zero-variance warning over every layer", s.Warnings)
	}
	w := s.Warnings[0]
	t.Log(w.Message)
	for _, want := range []string{"in 3 of 3 layers, up to 64 of 64 units (192 in all) have the same activation", "significant by construction", "every sentence of [him] and of [her] is the same"} {
		if !strings.Contains(w.Message, want) {
			t.Errorf("warning %q does not say %q", w.Message, want)
		}
	}
	welch, err := s.WithOptions(Options{Test: stats.Welch})
	if err != nil || len(welch.Warnings) != 1 {
		t.Errorf("Welch: warnings %+v, %v", welch.Warnings, err)
	}
	if rec := s.Record("tiny", nil, 0); len(rec.Warnings) != 1 || rec.Warnings[0].Kind.String() != "zero-variance" {
		t.Errorf("record warnings %+v", rec.Warnings)
	}
	// The notebook's sentences give none.
	b, err := New(context.Background(), m, sentences.Builtin(), Options{}, nil)
	if err != nil || b.Warnings != nil {
		t.Errorf("builtin set: warnings %+v, %v", b.Warnings, err)
	}
}
