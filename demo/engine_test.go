package demo_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"lesionui/demo"
	"lesionui/engine/encoder"
	"lesionui/sentences"
)

// golden is testdata/golden.json, written by scripts/demo/evaluate.py from the shipped model with the
// independent PyTorch reference (scripts/reference/bertref.py).
type golden struct {
	Texts            []string         `json:"texts"`
	TextIDs          [][]int          `json:"text_ids"`
	MHer             int              `json:"mher"`
	MHim             int              `json:"mhim"`
	CleanLogits      [3][2][2]float64 `json:"clean_logits"`
	CaptureSentences []int            `json:"capture_sentences"`
	CaptureTexts     []string         `json:"capture_texts"`
	CapturePositions []int            `json:"capture_positions"`
	Capture          [][][]float64    `json:"capture"` // [layer][sentence][unit]
	// EvalMargins are the clean margins (answer minus other word) of the items of the built-in
	// evaluation set ("builtin") and of scripts/demo/blind_eval.txt ("blind"), in file order.
	EvalMargins map[string][]float64 `json:"eval_margins"`
	Lesion      struct {
		Layer      int              `json:"layer"`
		HerNeurons []int            `json:"her_neurons"`
		HimNeurons []int            `json:"him_neurons"`
		Logits     [3][2][2]float64 `json:"logits"`
	} `json:"lesion"`
}

const tol = 2e-3

// herHim returns the token ids of "her" and "him".
func herHim(t *testing.T, m *encoder.Model) (int, int) {
	t.Helper()
	her, err := m.Tokenizer.TokenID("her")
	if err != nil {
		t.Fatal(err)
	}
	him, err := m.Tokenizer.TokenID("him")
	if err != nil {
		t.Fatal(err)
	}
	return her, him
}

// targetLogits runs the three test texts and returns SPEC.md's logits[3][2][2] (her, him).
func targetLogits(t *testing.T, m *encoder.Model, ids [][]int, g golden, lesions []encoder.Intervention) [3][2][2]float64 {
	t.Helper()
	her, him := herHim(t, m)
	var sites []encoder.Site
	for s := range 3 {
		sites = append(sites, encoder.Site{Seq: s, Pos: g.MHer}, encoder.Site{Seq: s, Pos: g.MHim})
	}
	res, err := m.Forward(context.Background(), ids, encoder.Options{Logits: sites, Vocab: []int{her, him}, Interventions: lesions})
	if err != nil {
		t.Fatal(err)
	}
	var out [3][2][2]float64
	for i, l := range res.Logits {
		out[i/2][i%2] = [2]float64{float64(l[0]), float64(l[1])}
	}
	return out
}

func assertLogits(t *testing.T, what string, got, want [3][2][2]float64) {
	t.Helper()
	for s := range 3 {
		for p := range 2 {
			for w := range 2 {
				if math.Abs(got[s][p][w]-want[s][p][w]) > tol {
					t.Errorf("%s logits[%d][%d][%d] = %.5f, reference %.5f", what, s, p, w, got[s][p][w], want[s][p][w])
				}
			}
		}
	}
}

// loadDemo reads the golden and loads the materialised demo through the Go engine's ordinary directory path.
func loadDemo(t *testing.T) (golden, *encoder.Model) {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir, err := demo.Dir()
	if err != nil {
		t.Fatal(err)
	}
	m, err := encoder.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return g, m
}

// TestEngineRunsDemoLikeReference checks the demo model through the Go engine against the PyTorch reference:
// the notebook's texts (tokens, logits, pre-GELU captures, a lesion) and the evaluation sets' margins. (One
// test: demo.Dir materialises the model once per process, into the first test's cache folder.)
func TestEngineRunsDemoLikeReference(t *testing.T) {
	g, m := loadDemo(t)
	t.Run("notebook texts", func(t *testing.T) { checkNotebookTexts(t, g, m) })
	t.Run("evaluation sets", func(t *testing.T) { checkEvalSets(t, g, m) })
}

// checkNotebookTexts checks tokens, logits, pre-GELU captures and a lesion of the notebook's texts.
func checkNotebookTexts(t *testing.T, g golden, m *encoder.Model) {
	ids := make([][]int, 3)
	for i, text := range g.Texts {
		enc, err := m.Tokenizer.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(enc.IDs, g.TextIDs[i]) {
			t.Fatalf("text %d ids %v, reference %v", i, enc.IDs, g.TextIDs[i])
		}
		ids[i] = enc.IDs
	}
	clean := targetLogits(t, m, ids, g, nil)
	assertLogits(t, "clean", clean, g.CleanLogits)

	les := g.Lesion
	lesioned := targetLogits(t, m, ids, g, []encoder.Intervention{
		encoder.Zero(les.Layer, encoder.Site{Seq: 1, Pos: g.MHer}, les.HerNeurons),
		encoder.Zero(les.Layer, encoder.Site{Seq: 2, Pos: g.MHim}, les.HimNeurons),
	})
	assertLogits(t, "lesioned", lesioned, les.Logits)

	var seqs [][]int
	var sites []encoder.Site
	for i, text := range g.CaptureTexts {
		enc, err := m.Tokenizer.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, enc.IDs)
		sites = append(sites, encoder.Site{Seq: i, Pos: g.CapturePositions[i]})
	}
	res, err := m.Forward(context.Background(), seqs, encoder.Options{Capture: sites})
	if err != nil {
		t.Fatal(err)
	}
	units := m.Config.IntermediateSize
	for l, perSent := range g.Capture {
		for i, want := range perSent {
			for u, w := range want {
				if got := float64(res.Pre[l][i*units+u]); math.Abs(got-w) > tol {
					t.Errorf("layer %d sentence %d unit %d: pre-GELU %.5f, reference %.5f", l, g.CaptureSentences[i], u, got, w)
				}
			}
		}
	}
}

// checkEvalSets checks the her/him margin at the mask of every item of the built-in evaluation set and of the
// blind set (the accuracies the README reports).
func checkEvalSets(t *testing.T, g golden, m *encoder.Model) {
	blind, err := sentences.LoadEval("../scripts/demo/blind_eval.txt")
	if err != nil {
		t.Fatal(err)
	}
	her, him := herHim(t, m)
	for name, set := range map[string]*sentences.EvalSet{"builtin": sentences.BuiltinEval(), "blind": blind} {
		want := g.EvalMargins[name]
		if len(want) != len(set.Items) {
			t.Fatalf("%s: %d items, golden has %d margins: rerun scripts/demo/evaluate.py", name, len(set.Items), len(want))
		}
		seqs := make([][]int, len(set.Items))
		sites := make([]encoder.Site, len(set.Items))
		for i, it := range set.Items {
			enc, err := m.Tokenizer.Encode(it.Text)
			if err != nil {
				t.Fatal(err)
			}
			seqs[i], sites[i] = enc.IDs, encoder.Site{Seq: i, Pos: slices.Index(enc.IDs, m.Tokenizer.MaskID())}
		}
		res, err := m.Forward(context.Background(), seqs, encoder.Options{Logits: sites, Vocab: []int{her, him}})
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range set.Items {
			margin := float64(res.Logits[i][0] - res.Logits[i][1])
			if it.Word == "him" {
				margin = -margin
			}
			if math.Abs(margin-want[i]) > tol {
				t.Errorf("%s line %d: margin %.5f, reference %.5f", name, it.Line, margin, want[i])
			}
		}
	}
}
