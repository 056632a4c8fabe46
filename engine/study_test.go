package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"lesionui/engine/encoder"
	"lesionui/engine/encoder/tokenize"
	"lesionui/engine/stats"
	"lesionui/sentences"
)

// studyGolden is the study computed by scripts/reference/make_fixture.py with PyTorch, scipy and
// statsmodels on the tiny-bert fixture.
type studyGolden struct {
	Targets []int        `json:"targets"`
	MaskHer int          `json:"mask_her"`
	MaskHim int          `json:"mask_him"`
	HerID   int          `json:"her_id"`
	HimID   int          `json:"him_id"`
	Clean   Logits       `json:"clean"`
	Student goldenResult `json:"student"`
	Welch   goldenResult `json:"welch"`
}

type goldenResult struct {
	Layers []struct {
		T, P, Q  []float64
		Him, Her []int
	} `json:"layers"`
	Most, Least []struct {
		Ablated, Delta Logits
		Magnitude      float64
		HerImpact      float64 `json:"her_impact"`
		HimImpact      float64 `json:"him_impact"`
	}
}

const fixture = "../engine/encoder/testdata/tiny-bert"

func loadModel(t testing.TB) *encoder.Model {
	t.Helper()
	m, err := encoder.Load(filepath.FromSlash(fixture), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func readStudyGolden(t *testing.T) *studyGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/study_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g studyGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// near reports whether got is within tol of want, absolutely or relative to |want|.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkLogits(t *testing.T, what string, got, want Logits) {
	t.Helper()
	for i := range 3 {
		for j := range 2 {
			for k := range 2 {
				if !near(got[i][j][k], want[i][j][k], 1e-4) {
					t.Errorf("%s[%d][%d][%d] = %.6f, reference %.6f", what, i, j, k, got[i][j][k], want[i][j][k])
				}
			}
		}
	}
}

func TestStudyMatchesReference(t *testing.T) {
	g := readStudyGolden(t)
	m := loadModel(t)
	base, err := New(context.Background(), m, sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(base.Targets.Positions, g.Targets) {
		t.Errorf("target positions %v, reference %v", base.Targets.Positions, g.Targets)
	}
	if base.Targets.MaskPositions != [2]int{g.MaskHer, g.MaskHim} || base.Targets.WordIDs != [2]int{g.HerID, g.HimID} {
		t.Errorf("masks %v ids %v, reference masks [%d %d] ids [%d %d]", base.Targets.MaskPositions, base.Targets.WordIDs, g.MaskHer, g.MaskHim, g.HerID, g.HimID)
	}
	checkLogits(t, "clean", base.Clean, g.Clean)
	for _, v := range []struct {
		name string
		kind stats.Kind
		want goldenResult
	}{{"student", stats.Student, g.Student}, {"welch", stats.Welch, g.Welch}} {
		t.Run(v.name, func(t *testing.T) {
			s, err := base.WithOptions(Options{Test: v.kind})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Layers) != len(v.want.Layers) {
				t.Fatalf("%d layers, reference %d", len(s.Layers), len(v.want.Layers))
			}
			for l, want := range v.want.Layers {
				got := s.Layers[l]
				for u := range want.T {
					if !near(got.T[u], want.T[u], 1e-4) || !near(got.P[u], want.P[u], 1e-3) || !near(got.Q[u], want.Q[u], 1e-3) {
						t.Fatalf("layer %d unit %d: t p q = %g %g %g, reference %g %g %g", l, u, got.T[u], got.P[u], got.Q[u], want.T[u], want.P[u], want.Q[u])
					}
				}
				if !slices.Equal(got.A, want.Him) || !slices.Equal(got.B, want.Her) {
					t.Errorf("layer %d: him %v her %v, reference him %v her %v", l, got.A, got.B, want.Him, want.Her)
				}
			}
			sweep, err := s.Sweep(context.Background(), Design{}.Requests(), nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range [][]struct {
				Ablated, Delta Logits
				Magnitude      float64
				HerImpact      float64 `json:"her_impact"`
				HimImpact      float64 `json:"him_impact"`
			}{v.want.Most, v.want.Least} {
				if len(want) != len(sweep[i]) {
					t.Fatalf("%s sweep: %d layers, reference %d", Modes[i], len(sweep[i]), len(want))
				}
				for l, w := range want {
					got := sweep[i][l]
					checkLogits(t, Modes[i].String()+" ablated", got.Ablated, w.Ablated)
					checkLogits(t, Modes[i].String()+" delta", got.Delta, w.Delta)
					if !near(got.Magnitude, w.Magnitude, 1e-4) || !near(got.Impact[0], w.HerImpact, 1e-4) || !near(got.Impact[1], w.HimImpact, 1e-4) {
						t.Errorf("%s layer %d: magnitude %g impacts %v, reference %g [%g %g]", Modes[i], l, got.Magnitude, got.Impact, w.Magnitude, w.HerImpact, w.HimImpact)
					}
					one, err := s.Lesion(context.Background(), l, Request{Selection: Selection{Mode: Modes[i]}})
					if err != nil {
						t.Fatal(err)
					}
					checkLogits(t, "single lesion", one.Ablated, w.Ablated)
				}
			}
		})
	}
}

func TestLeastTunedOrderIsStable(t *testing.T) {
	got := byTuning([]float64{3, -1, math.NaN(), 0, 1, -3, 0.5})
	if want := []int{3, 6, 1, 4, 0, 5, 2}; !slices.Equal(got, want) {
		t.Errorf("byTuning = %v, want %v", got, want)
	}
}

// The notebook's sentences pass validation with bert-base-uncased's real vocabulary: every
// sentence holds its word once as a whole token, and the masked texts line up.
func TestBuiltinSetOnRealVocabulary(t *testing.T) {
	tok, err := tokenize.Load("../testdata/vocab/bert-base-uncased")
	if err != nil {
		t.Fatal(err)
	}
	m := &encoder.Model{Tokenizer: tok}
	if err := sentences.Builtin().Validate(vocabulary{m}); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]int{"him": 2032, "her": 2014} {
		if id, err := tok.TokenID(word); err != nil || id != want {
			t.Errorf("TokenID(%q) = %d, %v; want %d", word, id, err, want)
		}
	}
}

// The notebook's set validates unchanged on every family's tokenizer: [MASK] becomes the model's
// mask token, and the words are matched as they appear inside a sentence (Ġhim, ▁him).
func TestBuiltinSetOnEveryFamily(t *testing.T) {
	for _, dir := range []string{"roberta-base-reduced", "albert-base-v2-reduced", "xlm-roberta-base-reduced", "bert-base-uncased-legacy"} {
		tok, err := tokenize.Load("../testdata/tokenizers/" + dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := sentences.Builtin().Validate(vocabulary{&encoder.Model{Tokenizer: tok}}); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

// In RoBERTa a sentence-initial "him" is the token "him", not the "Ġhim" every other sentence
// holds: the error names the token looked for, not only the word, or "him I saw ..." would
// read as containing "him" 0 times.
func TestWordTokenNamedInErrors(t *testing.T) {
	tok, err := tokenize.Load("../testdata/tokenizers/roberta-base-reduced")
	if err != nil {
		t.Fatal(err)
	}
	set, err := sentences.Parse(strings.NewReader("[him]\nI saw him.\nhim I saw.\n[her]\nI saw her.\nShe saw her.\n"+
		"[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n"), "r.txt")
	if err != nil {
		t.Fatal(err)
	}
	err = set.Validate(vocabulary{&encoder.Model{Tokenizer: tok}})
	want := `r.txt:3: sentence "him I saw." contains the token "Ġhim" (the word "him" inside a sentence) 0 times, want exactly once`
	if err == nil || err.Error() != want {
		t.Errorf("Validate = %v\nwant %s", err, want)
	}
}

func TestClasses(t *testing.T) {
	lt := LayerTest{T: []float64{2, -3, 0.1, 5}, A: []int{0, 3}, B: []int{1}}
	if got, want := lt.Classes(), []Class{PrefersA, PrefersB, NotSignificant, PrefersA}; !slices.Equal(got, want) {
		t.Errorf("Classes = %v, want %v", got, want)
	}
}

// A masked text whose lesion set is empty is not re-run: its logits stay exactly clean.
func TestEmptyLesionSetKeepsCleanLogits(t *testing.T) {
	s, err := New(context.Background(), loadModel(t), sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const layer = 2 // the fixture has no significant "him" units here
	if len(s.Layers[layer].A) != 0 || len(s.Layers[layer].B) == 0 {
		t.Fatalf("fixture changed: layer %d has %d him and %d her units", layer, len(s.Layers[layer].A), len(s.Layers[layer].B))
	}
	for _, mode := range Modes {
		r, err := s.Lesion(context.Background(), layer, Request{Selection: Selection{Mode: mode}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Delta[2] != ([2][2]float64{}) || r.Delta[0] != ([2][2]float64{}) {
			t.Errorf("%s: texts without a lesion moved: %v", mode, r.Delta)
		}
		if r.Delta[1] == ([2][2]float64{}) {
			t.Errorf("%s: the her lesion changed nothing", mode)
		}
	}
}

func TestNewRejectsBadSets(t *testing.T) {
	m := loadModel(t)
	long := strings.Repeat("saw ", m.Config.MaxPositionEmbeddings)
	for _, c := range []struct {
		name, file, want string
	}{
		{"sentence too long", "[him]\nI saw him.\n" + long + "him.\n[her]\nI saw her.\n" + long + "her.\n[test]\nclean: I saw her and him.\nher: I saw [MASK] and him.\nhim: I saw her and [MASK].\n",
			"set.txt:3: 68 tokens, but the model takes at most 64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			set, err := sentences.Parse(strings.NewReader(c.file), "set.txt")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := New(context.Background(), m, set, Options{}, nil); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// Lesions computed concurrently equal those computed one by one (the study is documented as
// safe for concurrent use), and a cancelled context stops a sweep.
func TestConcurrentLesionsAndCancel(t *testing.T) {
	s, err := New(context.Background(), loadModel(t), sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Sweep(context.Background(), Design{}.Requests(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]LesionResult, len(Modes))
	for i, mode := range Modes {
		got[i] = make([]LesionResult, len(s.Layers))
		for l := range s.Layers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.Lesion(context.Background(), l, Request{Selection: Selection{Mode: mode}})
				if err != nil {
					t.Error(err)
				}
				got[i][l] = r
			}()
		}
	}
	wg.Wait()
	for i := range Modes {
		for l := range s.Layers {
			if got[i][l].Ablated != want[i][l].Ablated {
				t.Errorf("%s layer %d: concurrent %v, sweep %v", Modes[i], l, got[i][l].Ablated, want[i][l].Ablated)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Sweep(ctx, Design{}.Requests(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sweep: %v", err)
	}
	if _, err := New(ctx, s.Model, sentences.Builtin(), Options{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled New: %v", err)
	}
}

// A one-layer model runs the whole study (its lesions resume at the last layer).
func TestOneLayerModel(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "config.json" {
			b = []byte(strings.Replace(string(b), `"num_hidden_layers": 3`, `"num_hidden_layers": 1`, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := encoder.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s, err := New(context.Background(), m, sentences.Builtin(), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sweep, err := s.Sweep(context.Background(), Design{}.Requests(), nil)
	if err != nil || len(s.Layers) != 1 || len(sweep[0]) != 1 {
		t.Fatalf("layers %d, sweep %v, err %v", len(s.Layers), sweep, err)
	}
	if len(s.Layers[0].A)+len(s.Layers[0].B) > 0 && sweep[0][0].Magnitude == 0 {
		t.Error("the lesion of the only layer changed nothing")
	}
}
