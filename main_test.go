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

// studyJSON is the documented layout of `run --json` (lesionui-study/2), the parts these tests read.
type studyJSON struct {
	Format     string `json:"format"`
	TTest      string `json:"ttest"`
	Correction string `json:"correction"`
	Activation string `json:"activation"`
	Units      string `json:"units"`
	Ablation   string `json:"ablation"`
	Seed       uint64 `json:"seed"`
	Layers     []struct {
		Layer   int `json:"layer"`
		T, P, Q []float64
		G       []float64        `json:"g"`
		Sets    map[string][]int `json:"sets"`
	} `json:"layers"`
	Clean   [3][2][2]float64 `json:"clean"`
	Lesions map[string][]struct {
		Layer     int                  `json:"layer"`
		Units     map[string][]int     `json:"units"`
		Values    map[string][]float64 `json:"values"`
		Delta     [3][2][2]float64     `json:"delta"`
		Magnitude float64              `json:"magnitude"`
		Impact    [2]float64           `json:"impact"`
	} `json:"lesions"`
	Baseline []struct {
		Layer      int     `json:"layer"`
		Percentile float64 `json:"percentile"`
		Draws      []struct {
			Units     map[string][]int `json:"units"`
			Magnitude float64          `json:"magnitude"`
			Impact    [2]float64       `json:"impact"`
		} `json:"draws"`
	} `json:"baseline"`
	Eval *struct {
		Items []struct {
			Text         string `json:"text"`
			Word         string `json:"word"`
			MaskPosition int    `json:"mask_position"`
			TokenIDs     []int  `json:"token_ids"`
		} `json:"items"`
		Clean []struct {
			Answer float64 `json:"answer"`
			Other  float64 `json:"other"`
		} `json:"clean"`
		Layers []struct {
			Layer            int        `json:"layer"`
			Mode             string     `json:"mode"`
			MarginDelta      float64    `json:"margin_delta"`
			CI               [2]float64 `json:"ci"`
			AccuracyClean    float64    `json:"accuracy_clean"`
			AccuracyLesioned float64    `json:"accuracy_lesioned"`
			Flips            int        `json:"flips"`
		} `json:"layers"`
	} `json:"eval"`
	TopK *struct {
		K     int `json:"k"`
		Clean [3][2][]struct {
			Token string  `json:"token"`
			ID    int     `json:"id"`
			Logit float64 `json:"logit"`
		} `json:"clean"`
		Lesioned map[string][][3][2][]struct {
			Token string  `json:"token"`
			ID    int     `json:"id"`
			Logit float64 `json:"logit"`
		} `json:"lesioned"`
	} `json:"topk"`
	Timing map[string]float64 `json:"timing"`
}

// readStudyJSON decodes the record `run --json` wrote to path.
func readStudyJSON(t *testing.T, path string) studyJSON {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got studyJSON
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	return got
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
			got := readStudyJSON(t, path)
			if got.Format != "lesionui-study/2" || got.TTest != v.name || got.Units != "significant" || got.Ablation != "zero" || got.Seed != 1 {
				t.Errorf("format %q ttest %q units %q ablation %q seed %d", got.Format, got.TTest, got.Units, got.Ablation, got.Seed)
			}
			if len(got.Layers) != len(v.want.Layers) || len(got.Lesions["most"]) != len(v.want.Most) {
				t.Fatalf("%d layers and %d lesions, reference %d and %d", len(got.Layers), len(got.Lesions["most"]), len(v.want.Layers), len(v.want.Most))
			}
			for l, want := range v.want.Layers {
				g := got.Layers[l]
				if !slices.Equal(g.Sets["him"], want.Him) || !slices.Equal(g.Sets["her"], want.Her) {
					t.Errorf("layer %d: him %v her %v, reference %v %v", l, g.Sets["him"], g.Sets["her"], want.Him, want.Her)
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
				if g := got.Lesions["most"][l]; math.Abs(g.Impact[0]-want.HerImpact) > 1e-4 || math.Abs(g.Delta[2][1][1]-want.Delta[2][1][1]) > 1e-4 {
					t.Errorf("most-tuned lesion, layer %d: her impact %g, reference %g", l, g.Impact[0], want.HerImpact)
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
		nb, nf := len(bh.Layers[l].Sets["him"])+len(bh.Layers[l].Sets["her"]), len(bonf.Layers[l].Sets["him"])+len(bonf.Layers[l].Sets["her"])
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

// Bad design flags and evaluation files fail with the flag or file:line named, before the
// collection (a study of the fixture would take longer than these do and print a table).
func TestRunBadDesign(t *testing.T) {
	dir := t.TempDir()
	badEval := filepath.Join(dir, "eval.txt")
	os.WriteFile(badEval, []byte("[eval]\nhim: I saw him.\nher: I saw [MASK] and [MASK].\nher: I saw [MASK].\n"), 0o644)
	wrongWord := filepath.Join(dir, "word.txt")
	os.WriteFile(wrongWord, []byte("# x\n[eval]\nhim: I saw [MASK].\nshe: I saw [MASK].\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--units", "top=0"}, exitUsage, "--units: top=0: K must be at least 1"},
		{[]string{"--units", "top=-3"}, exitUsage, "--units: top=-3: K must be at least 1"},
		{[]string{"--units", "top=65"}, exitUsage, "--units: top=65: a layer has only 64 units"},
		{[]string{"--units", "all"}, exitUsage, `--units: "all" is neither significant nor top=K`},
		{[]string{"--ablate", "scale=abc"}, exitUsage, `--ablate: scale=abc: "abc" is not a finite number`},
		{[]string{"--ablate", "shuffle"}, exitUsage, `--ablate: unknown ablation "shuffle"`},
		{[]string{"--baseline", "-1"}, exitUsage, "--baseline must be 0 (none) to"},
		{[]string{"--topk", "-1"}, exitUsage, "--topk must be 0 (none) or more"},
		{[]string{"--topk", "1000"}, exitUsage, "--topk: 1000, want 0 to the vocabulary's 174 tokens"},
		{[]string{"--eval", badEval}, exitError, badEval + ":2: no [MASK] in the text: mark where \"him\" belongs\n" + badEval + ":3: 2 [MASK] in the text, want exactly 1"},
		{[]string{"--eval", wrongWord}, exitError, wrongWord + `:4: answer "she" is not one of the group words "him" and "her"`},
		{[]string{"--eval", filepath.Join(dir, "none.txt")}, exitError, "none.txt"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"run", "--model", fixtureModel}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.want) || stdout != "" || strings.Contains(stderr, "collect") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d mentioning %q before the collection", code, stdout, stderr, c.code, c.want)
			}
		})
	}
}

// The command line writes a v2 record with every part; the record's numbers are checked
// against the PyTorch reference in engine's tests (TestV2MatchesReference).
func TestRunWholeDesign(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := run(t, "run", "--model", fixtureModel, "--units", "top=50", "--ablate", "mean", "--baseline", "20", "--eval", "builtin", "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"units top=50, ablation mean", "|Δ| random 5–95% (20)", "evaluation set builtin", "Δmargin most", "clean top-10 at the her mask"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	got := readStudyJSON(t, path)
	if got.Format != "lesionui-study/2" || got.Units != "top=50" || got.Ablation != "mean" || got.Seed != 1 {
		t.Errorf("format %q units %q ablation %q seed %d", got.Format, got.Units, got.Ablation, got.Seed)
	}
	most := got.Lesions["most"]
	if len(most) != 3 || len(most[0].Units["her"]) == 0 || len(most[0].Values["her"]) != len(most[0].Units["her"]) {
		t.Errorf("most-tuned lesions %+v", most)
	}
	if len(got.Baseline) != 3 || len(got.Baseline[0].Draws) != 20 || len(got.Baseline[2].Draws[19].Units["him"]) != len(most[2].Units["him"]) {
		t.Errorf("baseline: %d layers", len(got.Baseline))
	}
	if got.Eval == nil || len(got.Eval.Items) != 160 || len(got.Eval.Clean) != 160 || len(got.Eval.Layers) != 6 || got.Eval.Layers[1].Mode != "least" {
		t.Errorf("eval: %+v", got.Eval)
	}
	if got.TopK == nil || got.TopK.K != 10 || len(got.TopK.Clean[1][0]) != 10 || len(got.TopK.Lesioned["least"]) != 3 || got.TopK.Lesioned["most"][2][1][0][0].Token == "" {
		t.Errorf("topk: %+v", got.TopK)
	}
	for _, l := range got.Layers {
		if len(l.G) != 64 {
			t.Errorf("layer %d: %d g values", l.Layer, len(l.G))
		}
	}
	for _, k := range []string{"baseline_s", "eval_s"} {
		if got.Timing[k] <= 0 {
			t.Errorf("timing %s = %g", k, got.Timing[k])
		}
	}
}
