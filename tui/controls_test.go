package tui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lesionui/engine"
	"lesionui/sentences"
)

func TestKSteps(t *testing.T) {
	if got := kSteps(64); !slices.Equal(got, []int{1, 2, 5, 10, 20, 50, 64}) {
		t.Errorf("kSteps(64) = %v", got)
	}
	if got := kSteps(4096); got[len(got)-2] != 2000 || got[len(got)-1] != 4096 {
		t.Errorf("kSteps(4096) = %v", got)
	}
	c := newControls(engine.Design{Units: engine.Top(37)})
	c.stepK(true, 64)
	if c.units != engine.Top(50) {
		t.Errorf("37 up: %v", c.units)
	}
	c.stepK(false, 64)
	c.stepK(false, 64)
	if c.units != engine.Top(10) {
		t.Errorf("50 down twice: %v", c.units)
	}
	for range 10 {
		c.stepK(false, 64)
	}
	if c.units != engine.Top(1) {
		t.Errorf("down past 1: %v", c.units)
	}
	c.toggleUnits(64)
	c.toggleUnits(64)
	if c.units != engine.Top(1) {
		t.Errorf("n n: %v, want top=1 kept", c.units)
	}
}

// Each control changes the lesion shown to the engine's lesion of that request, and going back
// to a setting computes nothing.
func TestControlKeys(t *testing.T) {
	s := fixtureStudy(t)
	ctx := context.Background()
	m := ready(t, s, Config{InitialLayer: 1}, 120, 40)
	check := func(what string, req engine.Request) {
		t.Helper()
		r := shown(t, m)
		want, err := s.Lesion(ctx, m.layer, req)
		if err != nil {
			t.Fatal(err)
		}
		if r.Request != req || r.Ablated != want.Ablated {
			t.Errorf("%s: lesion of %+v shown, want %+v", what, r.Request, req)
		}
	}
	req := engine.Request{Selection: engine.Selection{Seed: 0}}
	press(t, m, "n")
	req.Units = engine.Top(50)
	check("n", req)
	press(t, m, "-")
	req.Units = engine.Top(20)
	check("-", req)
	press(t, m, "+", "+")
	req.Units = engine.Top(64)
	check("+ +", req)
	if !strings.Contains(m.View(), "the top 64 by |t|") {
		t.Errorf("the lesion line does not say top 64:\n%s", m.View())
	}
	press(t, m, "n")
	req.Units = engine.Significant
	check("n back", req)
	for _, a := range []engine.Ablation{{Kind: engine.MeanAblation}, {Kind: engine.ScaleAblation, Factor: 2}, {Kind: engine.PatchAblation}, {}} {
		press(t, m, "a")
		req.Ablation = a
		check("a to "+a.String(), req)
	}
	// Everything there is kept: w, n and a back and forth compute nothing new.
	n := len(m.res.lesions)
	m.Update(keyMsg("n"))
	m.Update(keyMsg("n"))
	if m.queue.pending() || len(m.res.lesions) != n {
		t.Errorf("n n: the queue has work (%v), %d lesions (had %d)", m.queue.pending(), len(m.res.lesions), n)
	}

	press(t, m, "b")
	if !m.baselineOn || len(m.res.baselines) != len(s.Layers) {
		t.Fatalf("b: baseline on %v, %d layers", m.baselineOn, len(m.res.baselines))
	}
	b := m.res.baselines[m.baselineKey(m.layer)]
	want, err := s.Baseline(ctx, m.layer, m.request(engine.MostTuned), defaultDraws)
	if err != nil {
		t.Fatal(err)
	}
	if b.Percentile != want.Percentile || len(b.Draws) != defaultDraws || b.Draws[3].Magnitude != want.Draws[3].Magnitude {
		t.Errorf("the baseline shown differs from Study.Baseline")
	}
	m.focus = paneSweep
	if v := m.View(); !strings.Contains(v, "random |Δ| 5–95 %") || !strings.Contains(v, glyphs.band) {
		t.Errorf("the sweep does not show the random band:\n%s", v)
	}

	press(t, m, "v")
	if m.focus != paneEval || m.res.evaluation == nil || len(m.res.evals) != 2*len(s.Layers) {
		t.Fatalf("v: focus %v, evaluation %v, %d lesions", m.focus, m.res.evaluation != nil, len(m.res.evals))
	}
	ev, err := s.NewEvaluation(ctx, sentences.BuiltinEval(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantEval, err := s.Evaluate(ctx, ev, m.layer, m.request(engine.MostTuned))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.res.evals[m.evalKey(m.layer, engine.MostTuned)]; got.MarginDelta != wantEval.MarginDelta || got.CI != wantEval.CI {
		t.Errorf("eval %v %v, Study.Evaluate %v %v", got.MarginDelta, got.CI, wantEval.MarginDelta, wantEval.CI)
	}
	press(t, m, "v")
	if m.focus == paneEval || m.paneShown(paneEval) {
		t.Error("v again: the evaluation pane is still shown or focused")
	}

	press(t, m, "t")
	if !m.topKOn || m.focus != paneTopK {
		t.Fatalf("t: top-k %v, focus %v", m.topKOn, m.focus)
	}
	preds, err := s.TopK(ctx, m.layer, []engine.Request{m.request(m.mode)}, defaultTopK)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.res.topK[m.topKKey(m.layer, m.mode)]; !slices.Equal(got[1][0], preds[0][1][0]) {
		t.Errorf("top-k %v, Study.TopK %v", got[1][0], preds[0][1][0])
	}
	if v := m.View(); !strings.Contains(v, tokenText(preds[0][1][0][0].Token)) {
		t.Errorf("the top token is not shown:\n%s", v)
	}

	press(t, m, "x", "j", "x")
	together, err := s.LesionLayers(ctx, []int{1, 2}, m.request(m.mode))
	if err != nil {
		t.Fatal(err)
	}
	if r := effectShown(t, m); r.ablated != together.Ablated {
		t.Errorf("marked layers 1 and 2: %v, Study.LesionLayers %v", r.ablated, together.Ablated)
	}
	m.focus = paneLogits
	if v := m.View(); !strings.Contains(v, "lesion of layers 1 and 2 together") {
		t.Errorf("the logit pane does not name the marked layers:\n%s", v)
	}
	press(t, m, "X")
	if m.markedKey() != "" || m.shownKey().kind != jobLesion {
		t.Error("X left marks")
	}
}

// The unit under a resting cursor is lesioned alone, with the ablation shown.
func TestUnitLesionWhenTheCursorRests(t *testing.T) {
	s := fixtureStudy(t)
	m := ready(t, s, Config{}, 120, 40)
	first := m.res.sets[m.unitKey()]
	if first.Magnitude == 0 {
		t.Fatal("the unit under the cursor at the start was not lesioned alone")
	}
	press(t, m, "l", "a")
	got, ok := m.res.sets[m.unitKey()]
	want, err := s.LesionSets(context.Background(), []engine.LayerUnits{{Layer: m.layer, Units: [2][]int{{m.unit}, {m.unit}}}}, engine.Ablation{Kind: engine.MeanAblation})
	if err != nil {
		t.Fatal(err)
	}
	if !ok || got.Ablated != want.Ablated {
		t.Errorf("unit %d alone, mean: %+v (%v), want %+v", m.unit, got, ok, want)
	}
	// A cursor in motion asks for nothing until it rests.
	m.Update(keyMsg("l"))
	if m.unitRested || slices.ContainsFunc(m.plan(), func(j job) bool { return j.key.kind == jobUnit }) {
		t.Error("a unit lesion was planned while the cursor moves")
	}
}

func TestALBERTSaysRepetition(t *testing.T) {
	s := openStudy(t, "albert", func(testing.TB) string { return filepath.FromSlash("../engine/encoder/testdata/tiny-albert") })
	m := ready(t, s, Config{ModelName: "tiny ALBERT", InitialLayer: 2}, 160, 48)
	v := m.View()
	for _, want := range []string{"Part 2 · t-values, repetition 2 of the shared layer", "▲repetition 2", "zeroed at [MASK] in repetition 2 of the shared layer"} {
		if !strings.Contains(v, want) {
			t.Errorf("the ALBERT screen lacks %q:\n%s", want, v)
		}
	}
	press(t, m, "?")
	var help strings.Builder
	for range 10 {
		help.WriteString(m.View())
		press(t, m, "pgdown")
	}
	if text := strings.Join(strings.Fields(help.String()), " "); !strings.Contains(text, "ALBERT: one shared layer") || !strings.Contains(text, "repetition 0 of the shared layer") {
		t.Errorf("the help does not explain the shared layer:\n%s", text)
	}
}

func TestWarningsAreShown(t *testing.T) {
	file := "[him]\nI saw him.\nI saw him.\nI saw him.\n[her]\nI saw her.\nI saw her.\nI saw her.\n" +
		"[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n"
	set, err := sentences.Parse(strings.NewReader(file), "same.txt")
	if err != nil {
		t.Fatal(err)
	}
	base := fixtureStudy(t)
	s, err := engine.New(context.Background(), base.Model, set, engine.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := ready(t, s, Config{}, 100, 30)
	if v := m.View(); !strings.Contains(v, "! 1 warning (?)") {
		t.Errorf("no warning badge:\n%s", v)
	}
	press(t, m, "?")
	if text := strings.Join(strings.Fields(m.View()), " "); !strings.Contains(text, "Warnings") || !strings.Contains(text, "significant by construction") {
		t.Errorf("the help does not give the warning:\n%s", text)
	}
}
