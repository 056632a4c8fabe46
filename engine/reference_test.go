package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"lesionui/engine/stats"
	"lesionui/sentences"
)

// v2Golden is testdata/v2_golden.json, written by scripts/reference/study_v2.py with PyTorch, scipy,
// statsmodels and numpy on the tiny-bert fixture.
type v2Golden struct {
	G       map[string][][]float64 `json:"g"` // activation -> [layer][unit]
	Designs []struct {
		Activation, Units, Ablation string
		Most, Least                 []goldenLesion
	} `json:"designs"`
	Design struct {
		Units, Ablation string
		Seed            uint64
		Baseline, TopK  int
	} `json:"design"`
	Baseline []struct {
		Layer         int
		Percentile    float64
		MostMagnitude float64 `json:"most_magnitude"`
		Draws         []goldenDraw
	} `json:"baseline"`
	Eval struct {
		Items []struct {
			Text, Word   string
			MaskPosition int   `json:"mask_position"`
			TokenIDs     []int `json:"token_ids"`
		}
		Clean  []struct{ Answer, Other float64 }
		Layers []struct {
			Layer            int
			Mode             string
			MarginDelta      float64    `json:"margin_delta"`
			CI               [2]float64 `json:"ci"`
			AccuracyClean    float64    `json:"accuracy_clean"`
			AccuracyLesioned float64    `json:"accuracy_lesioned"`
			Flips            int
		}
	} `json:"eval"`
	TopK struct {
		K        int
		Clean    [3][2][]goldenToken
		Lesioned map[string][][3][2][]goldenToken
	} `json:"topk"`
}

type goldenLesion struct {
	Layer     int
	Units     map[string][]int
	Values    map[string][]float64
	Ablated   Logits
	Delta     Logits
	Magnitude float64
	Impact    [2]float64
}

type goldenDraw struct {
	Units     map[string][]int
	Magnitude float64
	Impact    [2]float64
}

type goldenToken struct {
	Token string
	ID    int
	Logit float64
}

func readV2Golden(t *testing.T) *v2Golden {
	t.Helper()
	b, err := os.ReadFile("testdata/v2_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g v2Golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want, 1e-4) {
		t.Errorf("%s = %.7g, reference %.7g", what, got, want)
	}
}

func checkResult(t *testing.T, what string, s *Study, got LesionResult, want goldenLesion) {
	t.Helper()
	for k, w := range s.Targets.Words {
		if !slices.Equal(got.Units[k], want.Units[w]) {
			t.Errorf("%s: %s units %v, reference %v", what, w, got.Units[k], want.Units[w])
		}
		if len(got.Values[k]) != len(want.Values[w]) {
			t.Errorf("%s: %d %s values, reference %d", what, len(got.Values[k]), w, len(want.Values[w]))
			continue
		}
		for i, v := range want.Values[w] {
			checkNear(t, fmt.Sprintf("%s: %s value %d", what, w, i), float64(got.Values[k][i]), v)
		}
	}
	checkLogits(t, what+" ablated", got.Ablated, want.Ablated)
	checkLogits(t, what+" delta", got.Delta, want.Delta)
	checkNear(t, what+" magnitude", got.Magnitude, want.Magnitude)
	checkNear(t, what+" impact 0", got.Impact[0], want.Impact[0])
	checkNear(t, what+" impact 1", got.Impact[1], want.Impact[1])
}

// TestV2MatchesReference checks everything beyond the notebook against the independent reference:
// Hedges' g, every selection and ablation of the swept designs, the random draws' deltas and
// percentiles, the evaluation set's metrics and intervals, and the top-k tokens.
func TestV2MatchesReference(t *testing.T) {
	g := readV2Golden(t)
	ctx := context.Background()
	m := loadModel(t)
	studies := map[string]*Study{}
	for _, act := range []string{"pre-gelu", "post-gelu"} {
		s, err := New(ctx, m, sentences.Builtin(), Options{PostGELU: act == "post-gelu"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		studies[act] = s
		for l, want := range g.G[act] {
			for u, w := range want {
				checkNear(t, fmt.Sprintf("%s layer %d unit %d: g", act, l, u), s.Layers[l].G[u], w)
			}
		}
	}
	welch, _ := studies["pre-gelu"].WithOptions(Options{Test: stats.Welch})
	if !slices.Equal(welch.Layers[1].G, studies["pre-gelu"].Layers[1].G) {
		t.Error("g changed with the t-test")
	}

	for _, dz := range g.Designs {
		s := studies[dz.Activation]
		units, err := ParseUnits(dz.Units)
		if err != nil {
			t.Fatal(err)
		}
		abl, err := ParseAblation(dz.Ablation)
		if err != nil {
			t.Fatal(err)
		}
		sweep, err := s.Sweep(ctx, Design{Units: units, Ablation: abl}.Requests(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range [][]goldenLesion{dz.Most, dz.Least} {
			for l, w := range want {
				checkResult(t, fmt.Sprintf("%s %s %s %s layer %d", dz.Activation, dz.Units, dz.Ablation, Modes[i], l), s, sweep[i][l], w)
			}
		}
	}

	// The design of testdata/v2_record.json, whose random draws the reference lesioned: the draws
	// computed today must be the record's (reproducible across runs and machines).
	s := studies["pre-gelu"]
	units, _ := ParseUnits(g.Design.Units)
	abl, _ := ParseAblation(g.Design.Ablation)
	eval := fixtureEval(t)
	d := Design{Units: units, Ablation: abl, Seed: g.Design.Seed, Baseline: g.Design.Baseline, Eval: eval, TopK: g.Design.TopK}
	res, err := s.Run(ctx, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	for l, want := range g.Baseline {
		b := res.Baseline[l]
		if b.Percentile != want.Percentile {
			t.Errorf("layer %d: percentile %g, reference %g", l, b.Percentile, want.Percentile)
		}
		checkNear(t, fmt.Sprintf("layer %d most-tuned magnitude", l), b.Most.Magnitude, want.MostMagnitude)
		for i, w := range want.Draws {
			got := b.Draws[i]
			what := fmt.Sprintf("layer %d draw %d", l, i)
			for k, word := range s.Targets.Words {
				if !slices.Equal(got.Units[k], w.Units[word]) {
					t.Errorf("%s: %s units %v, the record's %v (the draws are not reproducible)", what, word, got.Units[k], w.Units[word])
				}
			}
			checkNear(t, what+" magnitude", got.Magnitude, w.Magnitude)
			checkNear(t, what+" impact 0", got.Impact[0], w.Impact[0])
			checkNear(t, what+" impact 1", got.Impact[1], w.Impact[1])
		}
	}

	ev := res.Evaluation
	for i, w := range g.Eval.Items {
		it := ev.Items[i]
		if it.Text != w.Text || it.Word != w.Word || it.MaskPosition != w.MaskPosition || !slices.Equal(it.TokenIDs, w.TokenIDs) {
			t.Errorf("item %d: %+v, reference %+v", i, it, w)
		}
		checkNear(t, fmt.Sprintf("item %d clean answer", i), ev.Clean[i].Answer, g.Eval.Clean[i].Answer)
		checkNear(t, fmt.Sprintf("item %d clean other", i), ev.Clean[i].Other, g.Eval.Clean[i].Other)
	}
	info := evalInfo(ev, res.Eval)
	if len(info.Layers) != len(g.Eval.Layers) {
		t.Fatalf("%d evaluation rows, reference %d", len(info.Layers), len(g.Eval.Layers))
	}
	for i, w := range g.Eval.Layers {
		got := info.Layers[i]
		what := fmt.Sprintf("eval layer %d %s", w.Layer, w.Mode)
		if got.Layer != w.Layer || got.Mode != w.Mode || got.Flips != w.Flips || got.AccuracyClean != w.AccuracyClean || got.AccuracyLesioned != w.AccuracyLesioned {
			t.Errorf("%s: %+v, reference %+v", what, got, w)
		}
		checkNear(t, what+" margin change", got.MarginDelta, w.MarginDelta)
		checkNear(t, what+" CI low", got.CI[0], w.CI[0])
		checkNear(t, what+" CI high", got.CI[1], w.CI[1])
	}

	checkTokens := func(what string, got Predictions, want [3][2][]goldenToken) {
		t.Helper()
		for x := range 3 {
			for p := range 2 {
				if len(got[x][p]) != len(want[x][p]) {
					t.Fatalf("%s text %d mask %d: %d tokens, reference %d", what, x, p, len(got[x][p]), len(want[x][p]))
				}
				for r, w := range want[x][p] {
					tok := got[x][p][r]
					if tok.ID != w.ID || tok.Token != w.Token {
						t.Errorf("%s text %d mask %d rank %d: %q (%d), reference %q (%d)", what, x, p, r, tok.Token, tok.ID, w.Token, w.ID)
					}
					checkNear(t, fmt.Sprintf("%s text %d mask %d rank %d logit", what, x, p, r), tok.Logit, w.Logit)
				}
			}
		}
	}
	checkTokens("clean top-k", res.CleanTopK, g.TopK.Clean)
	for i, mode := range Modes {
		for l, want := range g.TopK.Lesioned[mode.String()] {
			checkTokens(fmt.Sprintf("%s layer %d top-k", mode, l), res.TopK[i][l], want)
		}
	}
}
