package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fixtureModel = "engine/encoder/testdata/tiny-bert"

// run runs the command line and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// referenceStudy is the part of engine/testdata/study_golden.json (PyTorch + scipy) that the
// JSON of `lesionui run` is checked against.
type referenceStudy struct {
	Clean   [3][2][2]float64 `json:"clean"`
	Student referenceRun     `json:"student"`
	Welch   referenceRun     `json:"welch"`
}

type referenceRun struct {
	Layers []struct {
		T        []float64 `json:"t"`
		Him, Her []int
	} `json:"layers"`
	Most []struct {
		Delta     [3][2][2]float64 `json:"delta"`
		HerImpact float64          `json:"her_impact"`
	} `json:"most"`
}

// studyJSON is the documented layout of `run --json`, the parts this test reads.
type studyJSON struct {
	Format     string `json:"format"`
	TTest      string `json:"ttest"`
	Correction string `json:"correction"`
	Activation string `json:"activation"`
	Layers     []struct {
		Layer int       `json:"layer"`
		T     []float64 `json:"t"`
		P, Q  []float64
		Him   []int `json:"him"`
		Her   []int `json:"her"`
	} `json:"layers"`
	Clean   [3][2][2]float64 `json:"clean"`
	Lesions map[string][]struct {
		Layer     int              `json:"layer"`
		Delta     [3][2][2]float64 `json:"delta"`
		Magnitude float64          `json:"magnitude"`
		HerImpact float64          `json:"her_impact"`
		HimImpact float64          `json:"him_impact"`
	} `json:"lesions"`
	Timing map[string]float64 `json:"timing"`
}

func TestRunJSONMatchesReference(t *testing.T) {
	checkRunJSON(t, fixtureModel, "engine/testdata/study_golden.json")
}

// checkRunJSON runs `lesionui run --model model --json` in both t-test variants and compares the
// record with the reference study in golden (referenceStudy's layout).
func checkRunJSON(t *testing.T, model, golden string) {
	t.Helper()
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var ref referenceStudy
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name  string
		flags []string
		want  referenceRun
	}{{"student", nil, ref.Student}, {"welch", []string{"--welch"}, ref.Welch}} {
		t.Run(v.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "study.json")
			code, stdout, stderr := run(t, append([]string{"run", "--model", model, "--json", path}, v.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "layer") || !strings.Contains(stdout, "him>her") {
				t.Errorf("table missing from stdout:\n%s", stdout)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got studyJSON
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.Format != "lesionui-study/1" || got.TTest != v.name {
				t.Errorf("format %q ttest %q", got.Format, got.TTest)
			}
			if len(got.Layers) != len(v.want.Layers) || len(got.Lesions["most"]) != len(v.want.Most) {
				t.Fatalf("%d layers and %d lesions, reference %d and %d", len(got.Layers), len(got.Lesions["most"]), len(v.want.Layers), len(v.want.Most))
			}
			for l, want := range v.want.Layers {
				g := got.Layers[l]
				if !slices.Equal(g.Him, want.Him) || !slices.Equal(g.Her, want.Her) {
					t.Errorf("layer %d: him %v her %v, reference %v %v", l, g.Him, g.Her, want.Him, want.Her)
				}
				for u := range want.T {
					if math.Abs(g.T[u]-want.T[u]) > 1e-4*math.Max(1, math.Abs(want.T[u])) {
						t.Fatalf("layer %d unit %d: t %g, reference %g", l, u, g.T[u], want.T[u])
					}
				}
			}
			for i := range 3 {
				for j := range 2 {
					for k := range 2 {
						if math.Abs(got.Clean[i][j][k]-ref.Clean[i][j][k]) > 1e-4 {
							t.Errorf("clean[%d][%d][%d] = %g, reference %g", i, j, k, got.Clean[i][j][k], ref.Clean[i][j][k])
						}
					}
				}
			}
			for l, want := range v.want.Most {
				if g := got.Lesions["most"][l]; math.Abs(g.HerImpact-want.HerImpact) > 1e-4 || math.Abs(g.Delta[2][1][1]-want.Delta[2][1][1]) > 1e-4 {
					t.Errorf("most-tuned lesion, layer %d: her impact %g, reference %g", l, g.HerImpact, want.HerImpact)
				}
			}
			if len(got.Lesions["least"]) != len(got.Layers) {
				t.Errorf("least-tuned sweep has %d layers, want %d", len(got.Lesions["least"]), len(got.Layers))
			}
			for _, k := range []string{"load_s", "collect_s", "stats_s", "lesions_s"} {
				if _, ok := got.Timing[k]; !ok {
					t.Errorf("timing lacks %s", k)
				}
			}
		})
	}
}

func TestRunBadInputs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("[him]\nI saw him.\nI met him.\n[her]\nI saw her.\nI met them.\n[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"explorer: bad layer", []string{"--model", fixtureModel, "--layer", "-5"}, exitUsage, "--layer"},
		{"explorer: stray argument", []string{"explore", "stray"}, exitUsage, "unexpected argument"},
		{"download: no id", []string{"download"}, exitUsage, "missing argument"},
		{"unknown flag", []string{"run", "--bogus"}, exitUsage, "bogus"},
		{"sentences: stray argument", []string{"sentences", "x"}, exitUsage, "unexpected argument"},
		{"bad alpha", []string{"run", "--model", fixtureModel, "--alpha", "2"}, exitUsage, "--alpha"},
		{"extra argument", []string{"run", "stray"}, exitUsage, "unexpected argument"},
		{"missing model dir", []string{"run", "--model", filepath.Join(dir, "nope")}, exitError, "nope"},
		{"missing sentence file", []string{"run", "--model", fixtureModel, "--sentences", filepath.Join(dir, "none.txt")}, exitError, "none.txt"},
		// "them" is not the target: the error names the file and the sentence's line.
		{"target word missing", []string{"run", "--model", fixtureModel, "--sentences", bad}, exitError, bad + ":6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		code, stdout, _ := run(t, args...)
		if code != 0 || !strings.Contains(stdout, "report") || !strings.Contains(stdout, "download") {
			t.Errorf("%v: exit %d\n%s", args, code, stdout)
		}
	}
	if code, _, stderr := run(t, "explore", "--help"); code != 0 || !strings.Contains(stderr, "-layer") {
		t.Errorf("explore --help: exit %d\n%s", code, stderr)
	}
	code, _, stderr := run(t, "run", "--help")
	if code != 0 || !strings.Contains(stderr, "-json") {
		t.Errorf("run --help: exit %d\n%s", code, stderr)
	}
}

// runJSON runs `lesionui run` with --json - and decodes stdout.
func runJSON(t *testing.T, flags ...string) studyJSON {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"run", "--model", fixtureModel, "--json", "-"}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s studyJSON
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("stdout is not the JSON alone: %v\n%.200s", err, stdout)
	}
	if !strings.Contains(stderr, "him>her") {
		t.Errorf("the table did not go to stderr: %q", stderr)
	}
	return s
}

func TestRunStatisticsFlags(t *testing.T) {
	bh := runJSON(t)
	bonf := runJSON(t, "--bonferroni")
	post := runJSON(t, "--post-gelu")
	if bonf.Correction != "bonferroni" || post.Activation != "post-gelu" || bh.Activation != "pre-gelu" {
		t.Errorf("correction %q, activation %q / %q", bonf.Correction, post.Activation, bh.Activation)
	}
	fewer := false
	for l := range bh.Layers {
		nb, nf := len(bh.Layers[l].Him)+len(bh.Layers[l].Her), len(bonf.Layers[l].Him)+len(bonf.Layers[l].Her)
		if nf > nb {
			t.Errorf("layer %d: Bonferroni finds %d units, more than BH's %d", l, nf, nb)
		}
		fewer = fewer || nf < nb
		if slices.Equal(bh.Layers[l].T, post.Layers[l].T) {
			t.Errorf("layer %d: post-GELU t-values equal pre-GELU ones", l)
		}
	}
	if !fewer {
		t.Error("Bonferroni was never stricter than BH")
	}
}

func TestRunJSONFileIsReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if code, _, stderr := run(t, "run", "--model", fixtureModel, "--json", path); code != 0 {
		t.Fatal(stderr)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", st.Mode(), err)
	}
}
