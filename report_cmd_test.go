package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportWritesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := run(t, "report", "--model", fixtureModel, "--out", dir, "--format", "svg", "--layer", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	paths := strings.Fields(stdout)
	if len(paths) != 12 {
		t.Fatalf("printed %d files, want 12:\n%s", len(paths), stdout)
	}
	for _, want := range []string{"part2_tvalues_layer1.svg", "part5_ablation_layer1.svg", "units.csv", "study.json"} {
		if !strings.Contains(stdout, filepath.Join(dir, want)) {
			t.Errorf("%s not printed:\n%s", want, stdout)
		}
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "study.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec studyJSON
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Format != "lesionui-study/1" || len(rec.Layers) != 3 || len(rec.Lesions["most"]) != 3 || len(rec.Lesions["least"]) != 3 {
		t.Errorf("study.json: format %q, %d layers, %d+%d lesions", rec.Format, len(rec.Layers), len(rec.Lesions["most"]), len(rec.Lesions["least"]))
	}
	if rec.Timing["lesions_s"] <= 0 {
		t.Errorf("study.json timing %v", rec.Timing)
	}
}

func TestReportBadInputs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"report", "--model", fixtureModel}, "--out"},
		{"format", []string{"report", "--model", fixtureModel, "--out", out, "--format", "jpg"}, "--format"},
		{"negative layer", []string{"report", "--model", fixtureModel, "--out", out, "--layer", "-2"}, "--layer"},
		{"layer past the model", []string{"report", "--model", fixtureModel, "--out", out, "--layer", "3"}, "layers 0..2"},
		{"argument", []string{"report", "--out", out, "extra"}, "extra"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s created", out)
			}
		})
	}
}
