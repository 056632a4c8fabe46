package encoder

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// familyGolden is what scripts/reference/make_family_fixtures.py records from encoders_ref.py, the
// PyTorch re-statements of the families' HF modeling files, on token id sequences.
type familyGolden struct {
	ModelType  string         `json:"model_type"`
	Seqs       [][]int        `json:"seqs"`
	Capture    [][2]int       `json:"capture"`
	ActsPre    [][][]float64  `json:"acts_pre"`
	ActsPost   [][][]float64  `json:"acts_post"`
	LogitSites [][2]int       `json:"logit_sites"`
	Logits     [][]float64    `json:"logits"`
	Lesions    []familyLesion `json:"lesions"`
}

type familyLesion struct {
	Layer int `json:"layer"`
	Zero  []struct {
		Site  [2]int `json:"site"`
		Units []int  `json:"units"`
	} `json:"zero"`
	Logits [][]float64 `json:"logits"`
}

// familyFixtures are the non-BERT fixtures, each a family's real naming and storage style.
var familyFixtures = []struct{ name, modelType string }{
	{"tiny-roberta", "roberta"},                  // lm_head.bias only, decoder tied (dropped), F32
	{"tiny-roberta-full", "roberta"},             // every lm_head name stored, pooler, position_ids, F16, hidden_act gelu_new
	{"tiny-xlm-roberta", "xlm-roberta"},          // only lm_head.decoder.weight stores the tied table, pooler
	{"tiny-distilbert", "distilbert"},            // vocab_projector.weight dropped
	{"tiny-distilbert-sinusoidal", "distilbert"}, // sinusoidal positions, relu, F16
	{"tiny-electra-generator", "electra"},        // embedding_size 48 > hidden 32 (as base/large)
	{"tiny-electra-small-generator", "electra"},  // embedding_size 16 < hidden 32 (as small), BF16, sharded
	{"tiny-albert", "albert"},                    // one shared layer run 4 times, gelu_new, pooler
}

// openFixture loads a fixture's config and weights (the tokenizer is not needed on token ids).
func openFixture(t *testing.T, name string) *Model {
	t.Helper()
	dir := filepath.Join("testdata", name)
	cfg, fam, err := loadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := openWeights(dir, cfg, fam, func(int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func loadFamilyGolden(t *testing.T, name string) (*Model, *familyGolden) {
	t.Helper()
	m := openFixture(t, name)
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g familyGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return m, &g
}

func sites(ss [][2]int) []Site {
	out := make([]Site, len(ss))
	for i, s := range ss {
		out[i] = Site{Seq: s[0], Pos: s[1]}
	}
	return out
}

func TestFamiliesActivationsMatchReference(t *testing.T) {
	for _, f := range familyFixtures {
		t.Run(f.name, func(t *testing.T) {
			m, g := loadFamilyGolden(t, f.name)
			if m.Config.ModelType != f.modelType || g.ModelType != f.modelType {
				t.Fatalf("model_type %q, golden %q, want %q", m.Config.ModelType, g.ModelType, f.modelType)
			}
			res, err := m.Forward(context.Background(), g.Seqs, Options{Capture: sites(g.Capture), Points: PreActivation | PostActivation})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pre) != len(g.ActsPre) {
				t.Fatalf("%d layers, reference %d", len(res.Pre), len(g.ActsPre))
			}
			units := m.Config.IntermediateSize
			for l := range g.ActsPre {
				for i := range g.Capture {
					assertClose(t, "pre-activation", res.Pre[l][i*units:(i+1)*units], g.ActsPre[l][i])
					assertClose(t, "post-activation", res.Post[l][i*units:(i+1)*units], g.ActsPost[l][i])
				}
			}
		})
	}
}

func TestFamiliesLogitsMatchReference(t *testing.T) {
	for _, f := range familyFixtures {
		t.Run(f.name, func(t *testing.T) {
			m, g := loadFamilyGolden(t, f.name)
			res, err := m.Forward(context.Background(), g.Seqs, Options{Logits: sites(g.LogitSites)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range g.LogitSites {
				assertClose(t, "logits", res.Logits[i], g.Logits[i])
			}
		})
	}
}

// Lesions in every layer (for ALBERT: every repetition of its one layer) match the reference, in a
// full pass and resumed from a trace of the clean pass.
func TestFamiliesLesionsMatchReference(t *testing.T) {
	for _, f := range familyFixtures {
		t.Run(f.name, func(t *testing.T) {
			m, g := loadFamilyGolden(t, f.name)
			clean, err := m.Forward(context.Background(), g.Seqs, Options{Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			all := make([]int, len(g.Seqs))
			for i := range all {
				all[i] = i
			}
			for _, les := range g.Lesions {
				var ivs []Intervention
				for _, z := range les.Zero {
					ivs = append(ivs, Zero(les.Layer, Site{z.Site[0], z.Site[1]}, z.Units))
				}
				full, err := m.Forward(context.Background(), g.Seqs, Options{Interventions: ivs, Logits: sites(g.LogitSites)})
				if err != nil {
					t.Fatal(err)
				}
				resumed, err := clean.Trace.Resume(context.Background(), les.Layer, all, Options{Interventions: ivs, Logits: sites(g.LogitSites)})
				if err != nil {
					t.Fatal(err)
				}
				for i := range g.LogitSites {
					assertClose(t, "lesioned logits", full.Logits[i], les.Logits[i])
					assertClose(t, "resumed lesioned logits", resumed.Logits[i], les.Logits[i])
				}
			}
		})
	}
}

// RoBERTa's positions start after the pad id: a sequence may hold max_position_embeddings − 2
// tokens, and the golden's longest sequence is exactly that long.
func TestRobertaMaxTokens(t *testing.T) {
	m, g := loadFamilyGolden(t, "tiny-roberta")
	if want := m.Config.MaxPositionEmbeddings - m.Config.PadTokenID - 1; m.MaxTokens() != want || len(g.Seqs[5]) != want {
		t.Fatalf("MaxTokens %d, longest golden sequence %d, want %d", m.MaxTokens(), len(g.Seqs[5]), want)
	}
	long := append(append([]int(nil), g.Seqs[5]...), 5)
	if _, err := m.Forward(context.Background(), [][]int{long}, Options{}); err == nil {
		t.Fatal("a sequence one token past the position table ran")
	}
}
