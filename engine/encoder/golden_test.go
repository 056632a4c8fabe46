package encoder

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// golden is what scripts/reference/make_fixture.py records from the PyTorch reference.
type golden struct {
	Sentences []string `json:"sentences"`
	Texts     []string `json:"texts"`
	Batch     struct {
		IDs           [][]int `json:"ids"`
		AttentionMask [][]int `json:"attention_mask"`
	} `json:"batch"`
	Targets    []int          `json:"targets"`
	Rows       []int          `json:"rows"`
	ActsPre    [][][]float64  `json:"acts_pre"`
	ActsPost   [][][]float64  `json:"acts_post"`
	TextIDs    [][]int        `json:"text_ids"`
	MaskHer    int            `json:"mask_her"`
	MaskHim    int            `json:"mask_him"`
	HerID      int            `json:"her_id"`
	HimID      int            `json:"him_id"`
	MaskLogits [][][]float64  `json:"mask_logits"`
	Lesions    []goldenLesion `json:"lesions"`
}

type goldenLesion struct {
	Layer      int           `json:"layer"`
	HerNeurons []int         `json:"her_neurons"`
	HimNeurons []int         `json:"him_neurons"`
	MaskLogits [][][]float64 `json:"mask_logits"`
}

var fixtures = []string{"tiny-bert", "tiny-bert-legacy", "tiny-bert-sharded"}

const tol = 1e-4

func loadGolden(t *testing.T, name string) (*Model, *golden) {
	t.Helper()
	m, err := Load(filepath.Join("testdata", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return m, &g
}

// unpad drops the padding of an HF batch.
func unpad(ids, mask [][]int) [][]int {
	out := make([][]int, len(ids))
	for i := range ids {
		n := 0
		for _, v := range mask[i] {
			n += v
		}
		out[i] = ids[i][:n]
	}
	return out
}

func assertClose(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	worst, at := 0.0, 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > worst || math.IsNaN(d) {
			worst, at = d, i
		}
	}
	if worst > tol || math.IsNaN(worst) {
		t.Errorf("%s: |got-want| = %.3g at %d (got %g, want %g), tolerance %g", what, worst, at, got[at], want[at], tol)
	}
}

func TestTokenizerMatchesReference(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, g := loadGolden(t, name)
			b, err := m.Tokenizer.EncodeBatch(g.Sentences)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(b.IDs, g.Batch.IDs, slices.Equal) || !slices.EqualFunc(b.AttentionMask, g.Batch.AttentionMask, slices.Equal) {
				t.Errorf("padded batch differs from the reference tokenizer")
			}
			tb, err := m.Tokenizer.EncodeBatch(g.Texts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(tb.IDs, g.TextIDs, slices.Equal) {
				t.Errorf("test texts: got %v, want %v", tb.IDs, g.TextIDs)
			}
		})
	}
}

func TestActivationsMatchReference(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, g := loadGolden(t, name)
			seqs := unpad(g.Batch.IDs, g.Batch.AttentionMask)
			var sites []Site
			for _, r := range g.Rows {
				sites = append(sites, Site{Seq: r, Pos: g.Targets[r]})
			}
			for _, post := range []bool{false, true} {
				points, got := PreActivation, func(r *Result) [][]float32 { return r.Pre }
				if post {
					points, got = PostActivation, func(r *Result) [][]float32 { return r.Post }
				}
				res, err := m.Forward(context.Background(), seqs, Options{Capture: sites, Points: points})
				if err != nil {
					t.Fatal(err)
				}
				want := g.ActsPre
				if post {
					want = g.ActsPost
				}
				if len(got(res)) != m.Config.NumHiddenLayers || len(want) != m.Config.NumHiddenLayers {
					t.Fatalf("got %d layers, reference %d, model %d", len(got(res)), len(want), m.Config.NumHiddenLayers)
				}
				for l := range want {
					for i := range want[l] {
						units := m.Config.IntermediateSize
						assertClose(t, "layer activations", got(res)[l][i*units:(i+1)*units], want[l][i])
					}
				}
			}
		})
	}
}

// maskSites are the logit sites of the notebook: both mask positions of each test text.
func maskSites(g *golden) []Site {
	var s []Site
	for text := range 3 {
		s = append(s, Site{text, g.MaskHer}, Site{text, g.MaskHim})
	}
	return s
}

func TestLogitsMatchReference(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, g := loadGolden(t, name)
			res, err := m.Forward(context.Background(), g.TextIDs, Options{Logits: maskSites(g)})
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range maskSites(g) {
				assertClose(t, "clean logits", res.Logits[i], g.MaskLogits[s.Seq][i%2])
			}
			// A vocabulary subset returns exactly those columns of the full logits.
			sub, err := m.Forward(context.Background(), g.TextIDs, Options{Logits: maskSites(g), Vocab: []int{g.HerID, g.HimID}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range sub.Logits {
				assertClose(t, "her/him logits", sub.Logits[i], []float64{float64(res.Logits[i][g.HerID]), float64(res.Logits[i][g.HimID])})
			}
		})
	}
}

func TestLesionsMatchReference(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, g := loadGolden(t, name)
			clean, err := m.Forward(context.Background(), g.TextIDs, Options{Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, les := range g.Lesions {
				lesions := []Intervention{
					Zero(les.Layer, Site{1, g.MaskHer}, les.HerNeurons),
					Zero(les.Layer, Site{2, g.MaskHim}, les.HimNeurons),
				}
				full, err := m.Forward(context.Background(), g.TextIDs, Options{Interventions: lesions, Logits: maskSites(g)})
				if err != nil {
					t.Fatal(err)
				}
				// The resumed pass re-runs only the two lesioned texts, from the lesioned layer.
				resumed, err := clean.Trace.Resume(context.Background(), les.Layer, []int{1, 2}, Options{
					Interventions: []Intervention{Zero(les.Layer, Site{0, g.MaskHer}, les.HerNeurons), Zero(les.Layer, Site{1, g.MaskHim}, les.HimNeurons)},
					Logits:        []Site{{0, g.MaskHer}, {0, g.MaskHim}, {1, g.MaskHer}, {1, g.MaskHim}},
				})
				if err != nil {
					t.Fatal(err)
				}
				for i, s := range maskSites(g) {
					assertClose(t, "lesioned logits", full.Logits[i], les.MaskLogits[s.Seq][i%2])
					if s.Seq > 0 {
						assertClose(t, "resumed lesioned logits", resumed.Logits[i-2], les.MaskLogits[s.Seq][i%2])
					}
				}
			}
		})
	}
}

// Two lesions at one token add up, whether the pass runs the lesioned layer in full or resumes
// after it from the trace.
func TestLesionsAtOneSiteCombine(t *testing.T) {
	m, g := loadGolden(t, "tiny-bert")
	les := g.Lesions[1]
	both := []Intervention{
		Zero(les.Layer, Site{0, g.MaskHer}, les.HerNeurons[:5]),
		Zero(les.Layer, Site{0, g.MaskHer}, les.HerNeurons[5:]),
		Zero(les.Layer, Site{1, g.MaskHim}, les.HimNeurons),
	}
	sites := []Site{{0, g.MaskHer}, {0, g.MaskHim}, {1, g.MaskHer}, {1, g.MaskHim}}
	clean, err := m.Forward(context.Background(), g.TextIDs, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := clean.Trace.Resume(context.Background(), les.Layer, []int{1, 2}, Options{Interventions: both, Logits: sites})
	if err != nil {
		t.Fatal(err)
	}
	full, err := m.Forward(context.Background(), g.TextIDs[1:], Options{Interventions: both, Logits: sites})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sites {
		want := les.MaskLogits[s.Seq+1][i%2]
		assertClose(t, "split lesion, resumed", resumed.Logits[i], want)
		assertClose(t, "split lesion, full pass", full.Logits[i], want)
	}
}
