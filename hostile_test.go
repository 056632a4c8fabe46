package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lesionui/engine/encoder/safetensors"
)

// TestRunRefusesNonFiniteWeights: a NaN in the weights used to give exit 0 and a plausible
// table (no significant units, every Δ = 0). Now `run` fails naming the layer and the tensor.
func TestRunRefusesNonFiniteWeights(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"config.json", "vocab.txt", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(fixtureModel, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	ck, err := safetensors.OpenDir(fixtureModel)
	if err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, n := range ck.Names() {
		info, _ := ck.Info(n)
		data, _ := ck.Float32(n)
		data = append([]float32(nil), data...)
		if n == "bert.encoder.layer.2.attention.self.value.weight" {
			data[7] = float32(math.NaN())
		}
		ts = append(ts, safetensors.Tensor{Name: n, DType: info.DType, Shape: info.Shape, Data: data})
	}
	ck.Close()
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "run", "--model", dir)
	for _, want := range []string{"layer 2: the MLP expansion", "is NaN", `tensor "bert.encoder.layer.2.attention.self.value.weight" [32 32] holds NaN at element 7`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if code != exitError || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and no table", code, stdout)
	}
}

// TestRunWarnsOfZeroVariance: groups that repeat one sentence make every t infinite; `run`
// says so under its table and in the JSON record, `report` on stderr.
func TestRunWarnsOfZeroVariance(t *testing.T) {
	set := filepath.Join(t.TempDir(), "same.txt")
	os.WriteFile(set, []byte("[him]\nI saw him.\nI saw him.\n[her]\nI saw her.\nI saw her.\n[test]\n"+
		"clean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n"), 0o644)
	code, stdout, stderr := run(t, "run", "--model", fixtureModel, "--sentences", set)
	if code != exitOK || !strings.Contains(stdout, "\nwarning: in 3 of 3 layers, up to 64 of 64 units") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "run", "--model", fixtureModel, "--sentences", set, "--json", "-")
	if code != exitOK || !strings.Contains(stdout, `"kind": "zero-variance"`) {
		t.Errorf("exit %d, the JSON has no zero-variance warning:\n%.300s", code, stdout[max(0, len(stdout)-600):])
	}
	out := filepath.Join(t.TempDir(), "report")
	if code, _, stderr := run(t, "report", "--model", fixtureModel, "--sentences", set, "--out", out, "--format", "svg"); code != exitOK ||
		!strings.Contains(stderr, "warning: in 3 of 3 layers") {
		t.Errorf("report: exit %d, stderr without the warning:\n%s", code, stderr)
	}
	if _, stdout, _ = run(t, "run", "--model", fixtureModel, "--json", "-"); !strings.Contains(stdout, `"warnings": []`) {
		t.Error(`the notebook's set: no "warnings": [] in the JSON`)
	}
}
