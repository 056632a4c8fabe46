package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"lesionui/engine/encoder"
	"lesionui/sentences"
)

func fixtureEval(t *testing.T) *sentences.EvalSet {
	t.Helper()
	e, err := sentences.LoadEval("testdata/eval_fixture.txt")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// every ablation kind with both selections.
var ablations = []Ablation{{}, {Kind: MeanAblation}, {Kind: ScaleAblation, Factor: 2}, {Kind: ScaleAblation, Factor: -0.5}, {Kind: PatchAblation}}

func TestParseAblation(t *testing.T) {
	for _, a := range ablations {
		got, err := ParseAblation(a.String())
		if err != nil || got != a {
			t.Errorf("ParseAblation(%q) = %+v, %v", a.String(), got, err)
		}
	}
	for in, want := range map[string]string{"scale=abc": `"abc" is not a finite number`, "scale=": "not a finite number",
		"scale=NaN": "finite", "scale=inf": "finite", "half": `unknown ablation "half"`, "": "unknown ablation"} {
		if _, err := ParseAblation(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAblation(%q): %v, want an error containing %q", in, err, want)
		}
	}
}

// forwardLogits runs the test texts through the whole model (no trace, no resume) with ivs and
// returns the [text][mask][word] logits: the independent path the resumed lesions must match.
func forwardLogits(t *testing.T, s *Study, ivs []encoder.Intervention) Logits {
	t.Helper()
	res, err := s.Model.Forward(context.Background(), s.Targets.TestIDs[:], encoder.Options{Interventions: ivs, Logits: s.maskSites()})
	if err != nil {
		t.Fatal(err)
	}
	return s.targetLogits(res.Logits)
}

// Every ablation and selection, resumed and batched, equals a full forward pass with the same
// units set to the documented values: zero, the mean over all sentences, the mean over the other
// group's, or scaled.
func TestLesionsMatchFullPasses(t *testing.T) {
	s := fixtureStudy(t)
	units := s.Model.Config.IntermediateSize
	nA := len(s.Set.A.Sentences)
	for l := range s.Layers {
		var reqs []Request
		for _, a := range ablations {
			for _, sel := range []Selection{{}, {Units: Top(5)}, {Mode: LeastTuned}, {Mode: Random, Seed: 9, Draw: 2}} {
				reqs = append(reqs, Request{Selection: sel, Ablation: a})
			}
		}
		batch, err := s.Lesions(context.Background(), l, reqs)
		if err != nil {
			t.Fatal(err)
		}
		for i, req := range reqs {
			r := batch[i]
			var ivs []encoder.Intervention
			for k, w := range s.Targets.Words {
				g := s.groupOf(w)
				us := r.Units[k]
				if len(us) == 0 {
					continue
				}
				iv := encoder.Intervention{Layer: l, Site: encoder.Site{Seq: k + 1, Pos: s.Targets.MaskPositions[k]}, Units: us}
				switch req.Ablation.Kind {
				case ZeroAblation:
					iv.Set = make([]float32, len(us))
				case ScaleAblation:
					iv.Scale = float32(req.Ablation.Factor)
				default:
					lo, hi := 0, nA+len(s.Set.B.Sentences) // mean: all sentences
					if req.Ablation.Kind == PatchAblation && g == 0 {
						lo = nA // the other group: B's sentences
					} else if req.Ablation.Kind == PatchAblation {
						hi = nA
					}
					for _, u := range us {
						var sum float64
						for row := lo; row < hi; row++ {
							sum += float64(s.acts[l][row*units+u])
						}
						iv.Set = append(iv.Set, float32(sum/float64(hi-lo)))
					}
					if !slices.Equal(iv.Set, r.Values[k]) {
						t.Errorf("layer %d %s: values %v, want %v", l, req.Ablation, r.Values[k], iv.Set)
					}
				}
				if !req.Ablation.SetsValues() && r.Values[k] != nil {
					t.Errorf("layer %d %s reports values", l, req.Ablation)
				}
				ivs = append(ivs, iv)
			}
			want := forwardLogits(t, s, ivs)
			for x := range 3 {
				for p := range 2 {
					for w := range 2 {
						if math.Abs(r.Ablated[x][p][w]-want[x][p][w]) > 2e-5 {
							t.Fatalf("layer %d %+v: ablated[%d][%d][%d] %g, full pass %g", l, req, x, p, w, r.Ablated[x][p][w], want[x][p][w])
						}
					}
				}
			}
			if one, err := s.Lesion(context.Background(), l, req); err != nil || !slices.Equal(one.Units[0], r.Units[0]) || math.Abs(one.Magnitude-r.Magnitude) > 1e-5 {
				t.Errorf("layer %d %+v: alone %g, in the batch %g (%v)", l, req, one.Magnitude, r.Magnitude, err)
			}
		}
	}
}

// Mean and patch values are pre-GELU means also when the test runs on the post-GELU activation.
func TestMeansArePreGELU(t *testing.T) {
	pre := fixtureStudy(t)
	post, err := New(context.Background(), pre.Model, sentences.Builtin(), Options{PostGELU: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for l := range pre.means {
		if !slices.Equal(pre.means[l].all, post.means[l].all) || !slices.Equal(pre.means[l].group[1], post.means[l].group[1]) {
			t.Fatalf("layer %d: post-GELU study's means differ", l)
		}
		if slices.Equal(pre.Layers[l].G, post.Layers[l].G) {
			t.Errorf("layer %d: g is the same pre and post GELU", l)
		}
	}
}

// The baseline's draws in one pass equal the draws lesioned one by one; the percentile counts them.
func TestBaseline(t *testing.T) {
	s := fixtureStudy(t)
	req := Request{Selection: Selection{Units: Top(4), Seed: 5}, Ablation: Ablation{Kind: MeanAblation}}
	b, err := s.Baseline(context.Background(), 1, req, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Draws) != 6 || b.Most.Request.Mode != MostTuned || len(b.Most.Units[0]) != 4 {
		t.Fatalf("baseline %+v", b)
	}
	below := 0
	for i, d := range b.Draws {
		one := req
		one.Mode, one.Draw = Random, i
		want, err := s.Lesion(context.Background(), 1, one)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Units[0], want.Units[0]) || !slices.Equal(d.Units[1], want.Units[1]) || math.Abs(d.Magnitude-want.Magnitude) > 1e-5 {
			t.Errorf("draw %d: batched %v %g, alone %v %g", i, d.Units, d.Magnitude, want.Units, want.Magnitude)
		}
		if len(d.Units[0]) != 4 || len(d.Units[1]) != 4 {
			t.Errorf("draw %d sizes %d, %d", i, len(d.Units[0]), len(d.Units[1]))
		}
		if d.Magnitude < b.Most.Magnitude {
			below++
		}
	}
	if b.Percentile != 100*float64(below)/6 {
		t.Errorf("percentile %g, %d of 6 below", b.Percentile, below)
	}
	lo, _ := b.Quantile(0.05)
	hi, _ := b.Quantile(0.95)
	if !(lo <= hi) {
		t.Errorf("band %g..%g", lo, hi)
	}
	for _, n := range []int{0, -1, MaxBaselineDraws + 1} {
		if _, err := s.Baseline(context.Background(), 1, req, n); err == nil {
			t.Errorf("baseline of %d draws ran", n)
		}
	}
}

// Each evaluation item, lesioned in one resumed pass of all items, equals a full forward pass of
// that item with its answer's units changed at its mask.
func TestEvaluateMatchesFullPasses(t *testing.T) {
	s := fixtureStudy(t)
	ctx := context.Background()
	e, err := s.NewEvaluation(ctx, fixtureEval(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Items) != 12 || e.Items[0].Word != "him" || e.Items[0].Group != 0 || e.Items[6].Group != 1 {
		t.Fatalf("items %+v", e.Items[:1])
	}
	ids := s.Targets.GroupIDs[:]
	for _, req := range []Request{{}, {Selection: Selection{Mode: LeastTuned, Units: Top(3)}, Ablation: Ablation{Kind: PatchAblation}}} {
		for l := range s.Layers {
			r, err := s.Evaluate(ctx, e, l, req)
			if err != nil {
				t.Fatal(err)
			}
			sets, _ := s.Select(l, req.Selection)
			var sum float64
			right, flips := 0, 0
			for i, it := range e.Items {
				site := encoder.Site{Seq: 0, Pos: it.MaskPosition}
				var ivs []encoder.Intervention
				if len(sets[it.Group]) > 0 {
					ivs = append(ivs, s.intervention(l, site, it.Group, sets[it.Group], req.Ablation))
				}
				full, err := s.Model.Forward(ctx, [][]int{it.TokenIDs}, encoder.Options{Interventions: ivs, Logits: []encoder.Site{site}, Vocab: ids})
				if err != nil {
					t.Fatal(err)
				}
				answer, other := float64(full.Logits[0][it.Group]), float64(full.Logits[0][1-it.Group])
				if math.Abs(r.Lesioned[i].Answer-answer) > 2e-5 || math.Abs(r.Lesioned[i].Other-other) > 2e-5 {
					t.Fatalf("layer %d item %d: %+v, full pass %g %g", l, i, r.Lesioned[i], answer, other)
				}
				sum += e.Clean[i].Margin() - (answer - other)
				if answer > other {
					right++
				}
				if (answer > other) != (e.Clean[i].Margin() > 0) {
					flips++
				}
			}
			if math.Abs(r.MarginDelta-sum/12) > 1e-5 || r.AccuracyLesioned != float64(right)/12 || r.Flips != flips {
				t.Errorf("layer %d: %+v; want Δ %g, accuracy %d/12, %d flips", l, r, sum/12, right, flips)
			}
			if !(r.CI[0] <= r.MarginDelta && r.MarginDelta <= r.CI[1]) {
				t.Errorf("layer %d: the mean %g lies outside its interval %v", l, r.MarginDelta, r.CI)
			}
			again, _ := s.Evaluate(ctx, e, l, req)
			if again.CI != r.CI {
				t.Errorf("layer %d: the seeded bootstrap gave %v, then %v", l, r.CI, again.CI)
			}
		}
	}
}

func TestNewEvaluationRejectsBadItems(t *testing.T) {
	s := fixtureStudy(t)
	long := strings.Repeat("saw ", 70)
	ev, err := sentences.ParseEval(strings.NewReader("[eval]\nhim: I saw [MASK].\nshe: I saw [MASK].\nher: "+long+"[MASK].\n"), "bad.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.NewEvaluation(context.Background(), ev, nil)
	if err == nil || !strings.Contains(err.Error(), `bad.txt:3: answer "she" is not one of the group words`) {
		t.Errorf("error %v", err)
	}
	ev.Items = slices.Delete(ev.Items, 1, 2)
	if _, err = s.NewEvaluation(context.Background(), ev, nil); err == nil || !strings.Contains(err.Error(), "bad.txt:4: 74 tokens, but the model takes at most 64") {
		t.Errorf("error %v", err)
	}
}

// Top-k predictions are the largest logits of a full-vocabulary pass, decoded; the clean text's
// and an unlesioned text's are the clean ones.
func TestTopK(t *testing.T) {
	s := fixtureStudy(t)
	ctx := context.Background()
	clean, err := s.CleanTopK(5)
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.Model.Forward(ctx, s.Targets.TestIDs[:], encoder.Options{Logits: s.maskSites()})
	if err != nil {
		t.Fatal(err)
	}
	for x := range 3 {
		for p := range 2 {
			lg := full.Logits[2*x+p]
			order := make([]int, len(lg))
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(a, b int) int { return -cmpFloat(lg[a], lg[b]) })
			for i, tok := range clean[x][p] {
				if tok.ID != order[i] || tok.Token != s.Model.Tokenizer.Token(order[i]) || math.Abs(tok.Logit-float64(lg[order[i]])) > 1e-5 {
					t.Errorf("text %d mask %d rank %d: %+v, want id %d logit %g", x, p, i, tok, order[i], lg[order[i]])
				}
			}
		}
	}
	const layer = 2 // no significant "him" units: text 2 is not lesioned in the most-tuned mode
	reqs := Design{}.Requests()
	got, err := s.TopK(ctx, layer, reqs, 5)
	if err != nil || len(got) != 2 {
		t.Fatal(got, err)
	}
	for i := range reqs {
		if !slices.Equal(got[i][0][0], clean[0][0]) || !slices.Equal(got[i][0][1], clean[0][1]) {
			t.Errorf("%s: the clean text's predictions moved", Modes[i])
		}
	}
	if !slices.Equal(got[0][2][1], clean[2][1]) || slices.Equal(got[0][1][0], clean[1][0]) {
		t.Errorf("most-tuned layer %d: him-mask %v (clean %v), her-mask %v (clean %v)", layer, got[0][2][1], clean[2][1], got[0][1][0], clean[1][0])
	}
	r, _ := s.Lesion(ctx, layer, reqs[0])
	for _, tok := range got[0][1][0] {
		if tok.ID == s.Targets.WordIDs[0] && math.Abs(tok.Logit-r.Ablated[1][0][0]) > 1e-4 {
			t.Errorf("top-k logit of %q %g, lesion's %g", tok.Token, tok.Logit, r.Ablated[1][0][0])
		}
	}
	if _, err := s.TopK(ctx, layer, reqs, 0); err == nil {
		t.Error("top-0 ran")
	}
}

func cmpFloat(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Run composes every piece; each stops on a cancelled context.
func TestRunAndCancel(t *testing.T) {
	s := fixtureStudy(t)
	d := Design{Units: Top(5), Ablation: Ablation{Kind: MeanAblation}, Seed: 3, Baseline: 3, Eval: fixtureEval(t), TopK: 3}
	var phases []Phase
	res, err := s.Run(context.Background(), d, func(p Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(phases, []Phase{PhaseSweep, PhaseBaseline, PhaseEvalClean, PhaseEval}) {
		t.Errorf("phases %v", phases)
	}
	if len(res.Sweeps) != 2 || len(res.Baseline) != 3 || len(res.Eval[1]) != 3 || len(res.TopK[0]) != 3 || len(res.CleanTopK[1][0]) != 3 {
		t.Errorf("results %+v", res)
	}
	if res.Sweeps[0][0].Request != d.Request(MostTuned) || res.Baseline[0].Draws[2].Request.Draw != 2 {
		t.Errorf("requests %+v", res.Sweeps[0][0].Request)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, d, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if _, err := s.Baseline(ctx, 0, Request{}, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("Baseline: %v", err)
	}
	if _, err := s.Evaluate(ctx, res.Evaluation, 0, Request{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate: %v", err)
	}
	if _, err := s.NewEvaluation(ctx, d.Eval, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("NewEvaluation: %v", err)
	}
	if _, err := s.TopK(ctx, 0, d.Requests(), 2); !errors.Is(err, context.Canceled) {
		t.Errorf("TopK: %v", err)
	}
	if err := (Design{Units: Top(65)}).Check(64, 100); err == nil {
		t.Error("top=65 of 64 passed Check")
	}
	if err := (Design{TopK: 101}).Check(64, 100); err == nil {
		t.Error("top-101 of 100 tokens passed Check")
	}
}

// Group words are no longer keys of the record's objects, so any word is allowed ("t" was not in
// version 1).
func TestRecordAllowsAnyWord(t *testing.T) {
	set, err := sentences.Parse(strings.NewReader("[t]\nI saw t.\nI met t.\n[her]\nI saw her.\nI met her.\n[test]\nclean: I saw her and t.\nher: I saw [MASK] and t.\nt: I saw her and [MASK].\n"), "t.txt")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), loadModel(t), set, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background(), Design{Seed: 1, Baseline: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Record("tiny", res, 0).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Format string `json:"format"`
		Layers []struct {
			Sets map[string][]int `json:"sets"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Format != RecordFormat || len(back.Layers) != 3 {
		t.Fatalf("%v %+v", err, back)
	}
	if _, ok := back.Layers[0].Sets["t"]; !ok {
		t.Errorf("sets %v", back.Layers[0].Sets)
	}
}

// A scale that overflows float32 is refused; one that overflows the model's arithmetic is a
// NonFiniteError naming the lesion, never a plausible number.
func TestHugeScaleIsAnError(t *testing.T) {
	if _, err := ParseAblation("scale=1e39"); err == nil {
		t.Error("scale=1e39 parsed")
	}
	s := fixtureStudy(t)
	req := Request{Ablation: Ablation{Kind: ScaleAblation, Factor: 3e38}}
	_, err := s.Lesion(context.Background(), 0, req)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "the lesion in layer 0 (most units, scale=3e+38)") {
		t.Errorf("error %v", err)
	}
	e, err := s.NewEvaluation(context.Background(), fixtureEval(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Evaluate(context.Background(), e, 0, req); !errors.As(err, &nf) || !strings.Contains(err.Error(), "eval_fixture.txt:4") {
		t.Errorf("evaluate: %v", err)
	}
}
