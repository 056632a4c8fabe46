package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"lesionui/engine"
	"lesionui/engine/encoder/safetensors"
	"lesionui/tui"
)

// bertLargeUncasedConfig is google-bert/bert-large-uncased's config.json field for field, with
// the sizes shrunk (hidden 32, 2 layers, 2 heads, 64 units) so that the checkpoint is small;
// the vocabulary stays the real 30,522 tokens.
const bertLargeUncasedConfig = `{
  "architectures": [
    "BertForMaskedLM"
  ],
  "attention_probs_dropout_prob": 0.1,
  "gradient_checkpointing": false,
  "hidden_act": "gelu",
  "hidden_dropout_prob": 0.1,
  "hidden_size": 32,
  "initializer_range": 0.02,
  "intermediate_size": 64,
  "layer_norm_eps": 1e-12,
  "max_position_embeddings": 512,
  "model_type": "bert",
  "num_attention_heads": 2,
  "num_hidden_layers": 2,
  "pad_token_id": 0,
  "position_embedding_type": "absolute",
  "transformers_version": "4.6.0.dev0",
  "type_vocab_size": 2,
  "use_cache": true,
  "vocab_size": 30522
}
`

// bertLargeUncasedLayout writes a checkpoint directory laid out as a clone of
// google-bert/bert-large-uncased: its file set (the weights in five formats, Core ML and ONNX
// exports beside), the legacy untyped tokenizer.json of the original conversion, vocab.txt and
// tokenizer_config.json as the repository has them, and a model.safetensors named as the
// original checkpoint is (TF-era LayerNorm gamma/beta, pooler and next-sentence head kept, the
// decoder tied to the word embeddings and so not stored), with random weights.
func bertLargeUncasedLayout(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, to), string(b))
	}
	legacy := filepath.Join("testdata", "tokenizers", "bert-base-uncased-legacy")
	copyFile(filepath.Join(legacy, "tokenizer.json"), "tokenizer.json")
	copyFile(filepath.Join(legacy, "tokenizer_config.json"), "tokenizer_config.json")
	copyFile(filepath.Join("testdata", "vocab", "bert-base-uncased", "vocab.txt"), "vocab.txt")
	write(t, filepath.Join(dir, "config.json"), bertLargeUncasedConfig)
	for name, body := range map[string]string{
		".gitattributes": "*.bin filter=lfs diff=lfs merge=lfs -text\n", "LICENSE": "Apache License 2.0\n",
		"README.md": "# BERT large model (uncased)\n", "pytorch_model.bin": "torch pickle", "tf_model.h5": "hdf5",
		"flax_model.msgpack": "msgpack", "rust_model.ot": "torch script", "onnx/model.onnx": "onnx",
		"coreml/fill-mask/float32_model.mlpackage/Manifest.json": "{}",
	} {
		write(t, filepath.Join(dir, name), body)
	}

	const vocab, hidden, units, layers, positions = 30522, 32, 64, 2, 512
	rng := rand.New(rand.NewPCG(12, 0))
	var tensors []safetensors.Tensor
	add := func(name string, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64() * 0.2)
		}
		if strings.HasSuffix(name, ".gamma") {
			for i := range data {
				data[i] += 1
			}
		}
		tensors = append(tensors, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape, Data: data})
	}
	add("bert.embeddings.word_embeddings.weight", vocab, hidden)
	add("bert.embeddings.position_embeddings.weight", positions, hidden)
	add("bert.embeddings.token_type_embeddings.weight", 2, hidden)
	add("bert.embeddings.LayerNorm.gamma", hidden)
	add("bert.embeddings.LayerNorm.beta", hidden)
	for l := range layers {
		p := "bert.encoder.layer." + string(rune('0'+l)) + "."
		for _, lin := range []struct {
			name    string
			out, in int
		}{
			{"attention.self.query", hidden, hidden}, {"attention.self.key", hidden, hidden},
			{"attention.self.value", hidden, hidden}, {"attention.output.dense", hidden, hidden},
			{"intermediate.dense", units, hidden}, {"output.dense", hidden, units},
		} {
			add(p+lin.name+".weight", lin.out, lin.in)
			add(p+lin.name+".bias", lin.out)
		}
		for _, ln := range []string{"attention.output.LayerNorm", "output.LayerNorm"} {
			add(p+ln+".gamma", hidden)
			add(p+ln+".beta", hidden)
		}
	}
	add("bert.pooler.dense.weight", hidden, hidden)
	add("bert.pooler.dense.bias", hidden)
	add("cls.predictions.bias", vocab)
	add("cls.predictions.transform.dense.weight", hidden, hidden)
	add("cls.predictions.transform.dense.bias", hidden)
	add("cls.predictions.transform.LayerNorm.gamma", hidden)
	add("cls.predictions.transform.LayerNorm.beta", hidden)
	add("cls.seq_relationship.weight", 2, hidden)
	add("cls.seq_relationship.bias", 2)
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// write creates path (and its folders) holding body.
func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBertLargeUncasedLayout: a checkpoint laid out exactly like google-bert/bert-large-uncased
// runs the whole study from its directory, downloads through a loopback Hub (only the files
// lesionui reads) and runs from the cache, and opens in the explorer.
func TestBertLargeUncasedLayout(t *testing.T) {
	dir := bertLargeUncasedLayout(t)
	studyOf := func(args ...string) engine.Record {
		t.Helper()
		out := filepath.Join(t.TempDir(), "study.json")
		code, _, stderr := run(t, append(append([]string{"run"}, args...), "--json", out)...)
		if code != 0 {
			t.Fatalf("run %v: exit %d\n%s", args, code, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var r engine.Record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	local := studyOf("--model", dir)
	if local.Model.Layers != 2 || local.Model.VocabSize != 30522 || len(local.Layers) != 2 {
		t.Fatalf("local study: %+v", local.Model)
	}
	// The notebook's sentences tokenize with the real vocabulary: "him" and "her" are its
	// tokens 2032 and 2014.
	if local.Sentences.IDs != [2]int{2032, 2014} {
		t.Errorf("group word ids %v, want bert-base-uncased's [2032 2014]", local.Sentences.IDs)
	}

	h := fakeHub(t, dir, false, "")
	hubEnv(t, h.srv.URL)
	hubbed := studyOf("--model", "google-bert/bert-large-uncased")
	if hubbed.Clean != local.Clean {
		t.Errorf("the downloaded checkpoint's clean logits %v differ from the local directory's %v", hubbed.Clean, local.Clean)
	}
	for _, file := range []string{"pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "rust_model.ot", "onnx/model.onnx", "README.md"} {
		if asked := h.asked(file); len(asked) > 0 {
			t.Errorf("the Hub was asked for %s, which lesionui does not read: %v", file, asked)
		}
	}
	before := len(h.paths)
	t.Setenv("HF_HUB_OFFLINE", "1")
	if offline := studyOf("--model", "google-bert/bert-large-uncased"); offline.Clean != local.Clean {
		t.Errorf("from the cache: clean logits %v, want %v", offline.Clean, local.Clean)
	}
	if len(h.paths) != before {
		t.Errorf("offline, the Hub got %v", h.paths[before:])
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := studyFlags{model: dir, alpha: engine.DefaultAlpha}
	tm := teatest.NewTestModel(t, tui.New(exploreConfig(ctx, &f, engine.Design{}, -1)), teatest.WithInitialTermSize(120, 40))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Layers")) && bytes.Contains(b, []byte("Part 2"))
	}, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
}
