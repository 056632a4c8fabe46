package encoder

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lesionui/engine/encoder/safetensors"
	"lesionui/internal/filestest"
)

// copyFixture copies a fixture (tiny-bert when name is empty) into a temporary directory for a test
// to damage.
func copyFixture(t *testing.T, name ...string) string {
	t.Helper()
	src := filepath.Join("testdata", "tiny-bert")
	if len(name) > 0 {
		src = filepath.Join("testdata", name[0])
	}
	return filestest.CopyDir(t, src)
}

// editConfig rewrites one field of config.json.
func editConfig(t *testing.T, dir, key string, value any) {
	t.Helper()
	path := filepath.Join(dir, "config.json")
	b, _ := os.ReadFile(path)
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c[key] = value
	b, _ = json.Marshal(c)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceInConfig replaces text in config.json, which must contain it.
func replaceInConfig(t *testing.T, dir, old, new string) {
	t.Helper()
	path := filepath.Join(dir, "config.json")
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), old) {
		t.Fatalf("config.json has no %q:\n%s", old, b)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteWeights rewrites model.safetensors through edit, which may rename, drop or reshape tensors.
// Integer buffers (position_ids) are dropped: the writer stores floats.
func rewriteWeights(t *testing.T, dir string, edit func([]safetensors.Tensor) []safetensors.Tensor) {
	t.Helper()
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, n := range ck.Names() {
		info, _ := ck.Info(n)
		if info.DType == safetensors.I64 {
			continue
		}
		data, err := ck.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, safetensors.Tensor{Name: n, DType: info.DType, Shape: info.Shape, Data: append([]float32(nil), data...)})
	}
	ck.Close()
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), edit(ts), nil); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   []string // fragments the error must contain
	}{
		{"missing config", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "config.json")) }, []string{"config.json", "not a HuggingFace model directory"}},
		{"corrupt config", func(t *testing.T, d string) { os.WriteFile(filepath.Join(d, "config.json"), []byte("{"), 0o644) }, []string{"config.json"}},
		{"missing weights", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "model.safetensors")) }, []string{"safetensors"}},
		{"missing vocab", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "vocab.txt")) }, []string{"vocab.txt"}},
		{"unsupported activation", func(t *testing.T, d string) { editConfig(t, d, "hidden_act", "quick_gelu") }, []string{"hidden_act", "quick_gelu", "relu"}},
		{"heads do not divide hidden", func(t *testing.T, d string) { editConfig(t, d, "num_attention_heads", 5) }, []string{"num_attention_heads"}},
		{"shape disagrees with config", func(t *testing.T, d string) { editConfig(t, d, "intermediate_size", 65) },
			[]string{"config.json: intermediate_size is 65", "bert.encoder.layer.0.intermediate.dense.weight", "[64 32]"}},
		{"more layers than stored", func(t *testing.T, d string) { editConfig(t, d, "num_hidden_layers", 4) },
			[]string{"config.json: num_hidden_layers is 4, but the checkpoint holds 3 encoder layers"}},
		{"a stored layer's tensor missing", func(t *testing.T, d string) {
			rewriteWeights(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				var out []safetensors.Tensor
				for _, x := range ts {
					if x.Name != "bert.encoder.layer.1.attention.self.query.weight" {
						out = append(out, x)
					}
				}
				return out
			})
		}, []string{"bert.encoder.layer.1.attention.self.query.weight", "missing"}},
		// Sizes no checkpoint can hold: an error naming config.json and the field, before
		// anything is allocated by them (10¹² layers panicked in makeslice, 10⁸ took 60 GB).
		{"1e8 layers", func(t *testing.T, d string) { editConfig(t, d, "num_hidden_layers", 1e8) },
			[]string{"config.json: num_hidden_layers is 100000000, but the checkpoint holds 3 encoder layers"}},
		{"1e12 layers", func(t *testing.T, d string) { editConfig(t, d, "num_hidden_layers", 1e12) },
			[]string{"config.json: num_hidden_layers is 1000000000000"}},
		{"1e12 layers as an exponent", func(t *testing.T, d string) {
			replaceInConfig(t, d, `"num_hidden_layers": 3`, `"num_hidden_layers": 1e12`)
		},
			[]string{"config.json", "num_hidden_layers", "number 1e12"}},
		{"2^63 layers", func(t *testing.T, d string) {
			replaceInConfig(t, d, `"num_hidden_layers": 3`, `"num_hidden_layers": 9223372036854775808`)
		},
			[]string{"config.json", "num_hidden_layers", "number 9223372036854775808"}},
		{"absurd hidden_size", func(t *testing.T, d string) {
			editConfig(t, d, "hidden_size", 1<<40)
			editConfig(t, d, "num_attention_heads", 1<<20)
		}, []string{"config.json: hidden_size is 1099511627776, but the checkpoint's bert.embeddings.word_embeddings.weight has shape"}},
		{"absurd intermediate_size", func(t *testing.T, d string) { editConfig(t, d, "intermediate_size", 1e12) },
			[]string{"config.json: intermediate_size is 1000000000000"}},
		{"absurd vocab_size", func(t *testing.T, d string) { editConfig(t, d, "vocab_size", 1e12) },
			[]string{"config.json: vocab_size is 1000000000000"}},
		{"absurd max_position_embeddings", func(t *testing.T, d string) { editConfig(t, d, "max_position_embeddings", 1e12) },
			[]string{"config.json: max_position_embeddings is 1000000000000"}},
		{"absurd type_vocab_size", func(t *testing.T, d string) { editConfig(t, d, "type_vocab_size", 1e12) },
			[]string{"config.json: type_vocab_size is 1000000000000"}},
		{"absurd num_attention_heads", func(t *testing.T, d string) { editConfig(t, d, "num_attention_heads", 1e12) },
			[]string{"config.json", "num_attention_heads 1000000000000"}},
		{"negative layers", func(t *testing.T, d string) { editConfig(t, d, "num_hidden_layers", -1) },
			[]string{"config.json", "num_hidden_layers must be a positive integer, got -1"}},
		{"truncated weights", func(t *testing.T, d string) {
			p := filepath.Join(d, "model.safetensors")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, []string{"model.safetensors"}},
		{"missing tensor", func(t *testing.T, d string) {
			rewriteWeights(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				var out []safetensors.Tensor
				for _, x := range ts {
					if x.Name != "bert.encoder.layer.1.output.dense.bias" {
						out = append(out, x)
					}
				}
				return out
			})
		}, []string{"bert.encoder.layer.1.output.dense.bias", "missing"}},
		{"no MLM head", func(t *testing.T, d string) {
			rewriteWeights(t, d, func(ts []safetensors.Tensor) []safetensors.Tensor {
				var out []safetensors.Tensor
				for _, x := range ts {
					if !strings.HasPrefix(x.Name, "cls.") {
						out = append(out, x)
					}
				}
				return out
			})
		}, []string{"masked-LM head"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyFixture(t)
			c.damage(t, dir)
			m, err := Load(dir, nil)
			if err == nil {
				m.Close()
				t.Fatal("Load succeeded on a broken model")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// A checkpoint without the base-model prefix and with gamma/beta LayerNorm names (TF-era BERTs; HF's
// loader accepts both for every family) loads to the same model.
func TestLoadNamingStylesAgree(t *testing.T) {
	for _, f := range []struct{ fixture, prefix string }{{"tiny-bert", "bert."}, {"tiny-distilbert", "distilbert."}, {"tiny-albert", "albert."}} {
		dir := copyFixture(t, f.fixture)
		rewriteWeights(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				n := strings.TrimPrefix(ts[i].Name, f.prefix)
				if base, ok := strings.CutSuffix(n, ".weight"); ok && isNorm(base) {
					n = base + ".gamma"
				} else if base, ok := strings.CutSuffix(n, ".bias"); ok && isNorm(base) {
					n = base + ".beta"
				}
				ts[i].Name = n
			}
			return ts
		})
		a, err := Load(filepath.Join("testdata", f.fixture), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := Load(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		seqs := [][]int{{2, 10, 11, 12, 3}}
		ra, _ := a.Forward(context.Background(), seqs, Options{Logits: []Site{{0, 2}}})
		rb, _ := b.Forward(context.Background(), seqs, Options{Logits: []Site{{0, 2}}})
		if !slices.Equal(ra.Logits[0], rb.Logits[0]) {
			t.Errorf("%s: the renamed checkpoint gives other logits", f.fixture)
		}
	}
}

func TestForwardRejectsBadRequests(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "tiny-bert"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ok := [][]int{{2, 10, 3}}
	long := make([]int, m.Config.MaxPositionEmbeddings+1)
	for _, c := range []struct {
		name string
		seqs [][]int
		opt  Options
		want string
	}{
		{"no sequences", nil, Options{}, "no sequences"},
		{"too long", [][]int{long}, Options{}, "tokens"},
		{"token outside vocab", [][]int{{2, m.Config.VocabSize, 3}}, Options{}, "outside the vocabulary"},
		{"capture outside", ok, Options{Capture: []Site{{0, 3}}}, "capture site"},
		{"logit outside", ok, Options{Logits: []Site{{1, 0}}}, "logit site"},
		{"intervention layer", ok, Options{Interventions: []Intervention{Zero(9, Site{0, 1}, nil)}}, "intervention layer"},
		{"intervention unit", ok, Options{Interventions: []Intervention{Zero(0, Site{0, 1}, []int{64})}}, "intervention unit"},
		{"intervention site", ok, Options{Interventions: []Intervention{Zero(0, Site{0, 3}, []int{1})}}, "intervention site"},
		{"values for units", ok, Options{Interventions: []Intervention{{Site: Site{0, 1}, Units: []int{1, 2}, Set: []float32{0}}}}, "1 values for 2 units"},
		{"non-finite value", ok, Options{Interventions: []Intervention{{Site: Site{0, 1}, Units: []int{1}, Set: []float32{float32(math.NaN())}}}}, "sets a unit to NaN"},
		{"non-finite scale", ok, Options{Interventions: []Intervention{{Site: Site{0, 1}, Units: []int{1}, Scale: float32(math.Inf(1))}}}, "scales by +Inf"},
		{"vocab id", ok, Options{Logits: []Site{{0, 1}}, Vocab: []int{-1}}, "vocabulary id"},
	} {
		if _, err := m.Forward(context.Background(), c.seqs, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Forward(ctx, ok, Options{}); err == nil {
		t.Error("a cancelled context did not stop the pass")
	}
}

func TestResumeRejectsBadRequests(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "tiny-bert"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	seqs := [][]int{{2, 10, 11, 3}, {2, 12, 3}}
	clean, err := m.Forward(context.Background(), seqs, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	late, err := clean.Trace.Resume(context.Background(), 2, []int{0}, Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		trace *Trace
		from  int
		seqs  []int
		opt   Options
		want  string
	}{
		{"layer", clean.Trace, 3, []int{0}, Options{}, "layer 3"},
		{"sequence", clean.Trace, 0, []int{2}, Options{}, "outside the trace"},
		{"site in the resumed batch", clean.Trace, 1, []int{1}, Options{Logits: []Site{{0, 3}}}, "logit site"},
		{"lesion before the layer", clean.Trace, 1, []int{0}, Options{Interventions: []Intervention{Zero(0, Site{0, 1}, nil)}}, "precedes"},
		{"trace that starts later", late.Trace, 0, []int{0}, Options{}, "starts after"},
	} {
		if _, err := c.trace.Resume(context.Background(), c.from, c.seqs, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}
