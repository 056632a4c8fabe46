package encoder

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lesionui/engine/encoder/safetensors"
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
	Vocab      []int          `json:"vocab"` // the ids the logits are over; nil: all
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
	{"tiny-roberta", "roberta"},                  // lm_head.bias only, decoder tied (dropped), F32; vocab.json + merges.txt
	{"tiny-roberta-full", "roberta"},             // every lm_head name, pooler, position_ids, F16, hidden_act gelu_new; tokenizer.json
	{"tiny-xlm-roberta", "xlm-roberta"},          // only lm_head.decoder.weight stores the tied table, pooler; Unigram tokenizer.json
	{"tiny-distilbert", "distilbert"},            // vocab_projector.weight dropped; vocab.txt
	{"tiny-distilbert-sinusoidal", "distilbert"}, // sinusoidal positions, relu, F16
	{"tiny-electra-generator", "electra"},        // embedding_size 48 > hidden 32 (as base/large)
	{"tiny-electra-small-generator", "electra"},  // embedding_size 16 < hidden 32 (as small), BF16, sharded
	{"tiny-albert", "albert"},                    // one shared layer run 4 times, gelu_new, pooler; Unigram tokenizer.json
}

// openFixture loads a fixture.
func openFixture(t *testing.T, name string) *Model {
	t.Helper()
	return openFixtureDir(t, filepath.Join("testdata", name))
}

// openFixtureDir loads the model in dir, closed when the test ends.
func openFixtureDir(t *testing.T, dir string) *Model {
	t.Helper()
	m, err := Load(dir, nil)
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
			res, err := m.Forward(context.Background(), g.Seqs, Options{Logits: sites(g.LogitSites), Vocab: g.Vocab})
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
				full, err := m.Forward(context.Background(), g.Seqs, Options{Interventions: ivs, Logits: sites(g.LogitSites), Vocab: g.Vocab})
				if err != nil {
					t.Fatal(err)
				}
				resumed, err := clean.Trace.Resume(context.Background(), les.Layer, all, Options{Interventions: ivs, Logits: sites(g.LogitSites), Vocab: g.Vocab})
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

// dropTensors rewrites a copied fixture's model.safetensors without the tensors drop accepts.
func dropTensors(t *testing.T, dir string, drop func(name string) bool) {
	t.Helper()
	rewriteWeights(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
		var out []safetensors.Tensor
		for _, x := range ts {
			if !drop(x.Name) {
				out = append(out, x)
			}
		}
		return out
	})
}

// Broken checkpoints of each family fail with errors that name the family's own tensors.
func TestFamilyLoadErrors(t *testing.T) {
	open := func(dir string) error {
		m, err := Load(dir, nil)
		if err == nil {
			m.Close()
		}
		return err
	}
	for _, c := range []struct {
		name, fixture string
		damage        func(t *testing.T, dir string)
		want          []string
	}{
		{"RoBERTa without head", "tiny-roberta", func(t *testing.T, d string) {
			dropTensors(t, d, func(n string) bool { return strings.HasPrefix(n, "lm_head.") })
		}, []string{"no masked-LM head (lm_head.dense.weight)", "RobertaForMaskedLM"}},
		{"XLM-R without either tied table", "tiny-xlm-roberta", func(t *testing.T, d string) {
			dropTensors(t, d, func(n string) bool { return n == "lm_head.decoder.weight" })
		}, []string{`missing tensor "roberta.embeddings.word_embeddings.weight"`}},
		{"DistilBERT layer tensor", "tiny-distilbert", func(t *testing.T, d string) {
			dropTensors(t, d, func(n string) bool { return n == "distilbert.transformer.layer.2.ffn.lin1.weight" })
		}, []string{`"distilbert.transformer.layer.2.ffn.lin1.weight"`, "also looked for transformer.layer.2.ffn.lin1.weight"}},
		{"DistilBERT untied without projector", "tiny-distilbert", func(t *testing.T, d string) { editConfig(t, d, "tie_word_embeddings", false) },
			[]string{`"vocab_projector.weight"`, "tie_word_embeddings false"}},
		{"ELECTRA discriminator weights", "tiny-electra-generator", func(t *testing.T, d string) {
			editConfig(t, d, "architectures", nil)
			dropTensors(t, d, func(n string) bool { return strings.HasPrefix(n, "generator_") })
		}, []string{"no masked-LM head (generator_predictions.dense.weight)", "ELECTRA generator"}},
		{"ELECTRA projection shape", "tiny-electra-generator", func(t *testing.T, d string) { editConfig(t, d, "embedding_size", 40) },
			[]string{"config.json: embedding_size is 40, but the checkpoint's electra.embeddings.word_embeddings.weight has shape [174 48]"}},
		{"absurd layer count", "tiny-roberta", func(t *testing.T, d string) { editConfig(t, d, "num_hidden_layers", 1e12) },
			[]string{"config.json: num_hidden_layers is 1000000000000, but the checkpoint holds 3 encoder layers"}},
		{"DistilBERT's names in size errors", "tiny-distilbert", func(t *testing.T, d string) { editConfig(t, d, "n_layers", 1e9) },
			[]string{"config.json: n_layers is 1000000000, but the checkpoint holds 3 encoder layers"}},
		{"DistilBERT's hidden_dim", "tiny-distilbert", func(t *testing.T, d string) { editConfig(t, d, "hidden_dim", 1e12) },
			[]string{"config.json: hidden_dim is 1000000000000, but the checkpoint's distilbert.transformer.layer.0.ffn.lin1.weight has shape [64 32]"}},
		{"layers past the stored ones, a tensor missing", "tiny-roberta", func(t *testing.T, d string) {
			dropTensors(t, d, func(n string) bool { return n == "roberta.encoder.layer.2.output.dense.bias" })
		}, []string{`missing tensor "roberta.encoder.layer.2.output.dense.bias"`}},
		{"ALBERT shared layer", "tiny-albert", func(t *testing.T, d string) {
			dropTensors(t, d, func(n string) bool { return strings.HasSuffix(n, "albert_layers.0.ffn.weight") })
		}, []string{`"albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight"`, "missing"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixture(t, c.fixture)
			c.damage(t, dir)
			err := open(dir)
			if err == nil {
				t.Fatal("a broken checkpoint loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// The heads' activations are each modeling file's: RoBERTa's and ELECTRA's are always erf GELU
// (RobertaLMHead calls gelu, ElectraGeneratorPredictions get_activation("gelu")), BERT's,
// ALBERT's and DistilBERT's follow the config. The goldens cannot tell for ELECTRA, whose fixtures
// (like every released generator) set hidden_act "gelu"; and DistilBERT's LayerNorms keep eps
// 1e-12 whatever config.json says, a difference too small for the goldens' tolerance.
func TestHeadActivationsAndDistilBERTEps(t *testing.T) {
	for _, c := range []struct {
		fixture, field string
		head           activation
	}{
		{"tiny-electra-generator", "hidden_act", actGELU},
		{"tiny-roberta", "hidden_act", actGELU},
		{"tiny-bert", "hidden_act", actReLU},
		{"tiny-albert", "hidden_act", actReLU},
		{"tiny-distilbert", "activation", actReLU},
	} {
		dir := copyFixture(t, c.fixture)
		editConfig(t, dir, c.field, "relu")
		editConfig(t, dir, "layer_norm_eps", 1e-5)
		m, err := Load(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.act != actReLU || m.head.Act != c.head {
			t.Errorf("%s with %s relu: expansion activation %d, head %d; want %d, %d", c.fixture, c.field, m.act, m.head.Act, actReLU, c.head)
		}
		if want := map[bool]float64{true: 1e-12, false: 1e-5}[c.fixture == "tiny-distilbert"]; m.Config.LayerNormEps != want {
			t.Errorf("%s with layer_norm_eps 1e-5: eps %g, want %g", c.fixture, m.Config.LayerNormEps, want)
		}
		m.Close()
	}
}

// The goldens' models use eps 1e-12 or 1e-5, too small against their LayerNorms' variances to show
// if config.json's layer_norm_eps were ignored: an eps of 1 must move every family's logits (but
// DistilBERT's, whose modeling file fixes 1e-12).
func TestLayerNormEpsReachesForward(t *testing.T) {
	for _, f := range familyFixtures {
		t.Run(f.name, func(t *testing.T) {
			m, g := loadFamilyGolden(t, f.name)
			logits := func(m *Model) []float32 {
				res, err := m.Forward(context.Background(), g.Seqs, Options{Logits: sites(g.LogitSites[:1]), Vocab: g.Vocab})
				if err != nil {
					t.Fatal(err)
				}
				return res.Logits[0]
			}
			dir := copyFixture(t, f.name)
			editConfig(t, dir, "layer_norm_eps", 1.0)
			clean, wide := logits(m), logits(openFixtureDir(t, dir))
			moved := 0.0
			for i, v := range wide {
				moved = max(moved, math.Abs(float64(v-clean[i])))
			}
			if distil := strings.HasPrefix(f.name, "tiny-distilbert"); distil != (moved == 0) {
				t.Errorf("layer_norm_eps 1 moved the logits by at most %g (DistilBERT must ignore it, the others use it)", moved)
			}
		})
	}
}
