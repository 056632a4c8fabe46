package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"lesionui/demo"
	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/engine/encoder/safetensors"
	"lesionui/sentences"
)

// The tests draw without colour (the NO_COLOR rendering, whose glyphs must tell everything
// apart) unless a test sets another profile.
func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// fixtureDir is the tiny test checkpoint (3 layers, 64 units).
var fixtureDir = filepath.FromSlash("../engine/encoder/testdata/tiny-bert")

// studies are built once per test binary.
var studies struct {
	sync.Mutex
	byName map[string]*engine.Study
}

// openStudy loads the model in dir and builds its study on the notebook's contrast set.
func openStudy(t testing.TB, name string, dir func(testing.TB) string) *engine.Study {
	t.Helper()
	studies.Lock()
	defer studies.Unlock()
	if s, ok := studies.byName[name]; ok {
		return s
	}
	m, err := encoder.Load(dir(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.New(context.Background(), m, sentences.Builtin(), engine.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if studies.byName == nil {
		studies.byName = map[string]*engine.Study{}
	}
	studies.byName[name] = s
	return s
}

// fixtureStudy is the study of the tiny fixture; demoStudy of the shipped demo model (4 layers,
// 768 units); deepStudy of a tiny random 24-layer model, shaped like bert-large in depth.
func fixtureStudy(t testing.TB) *engine.Study {
	return openStudy(t, "fixture", func(testing.TB) string { return fixtureDir })
}

func demoStudy(t testing.TB) *engine.Study {
	return openStudy(t, "demo", func(t testing.TB) string {
		dir, err := demo.Dir()
		if err != nil {
			t.Fatal(err)
		}
		return dir
	})
}

func deepStudy(t testing.TB) *engine.Study {
	return openStudy(t, "deep", func(t testing.TB) string { return writeDeepModel(t, 24) })
}

// deepDir is where writeDeepModel writes, once per test binary.
var deepDir string

// writeDeepModel writes a random BERT of the given depth into a temporary folder: the tiny
// fixture's tensors, layer l taking those of the fixture's layer l mod 3 with deterministic
// noise of its own, so that the layers differ. Every layer writes a tenth of its attention and
// MLP outputs into the residual stream, so that the words still tell the sentences apart in
// the deepest layers, as in a trained model.
func writeDeepModel(t testing.TB, layers int) string {
	if deepDir != "" {
		return deepDir
	}
	dir, err := os.MkdirTemp("", "lesionui-deep-")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"vocab.txt", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var cfg map[string]any
	b, err := os.ReadFile(filepath.Join(fixtureDir, "config.json"))
	if err == nil {
		err = json.Unmarshal(b, &cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	src := int(cfg["num_hidden_layers"].(float64))
	cfg["num_hidden_layers"] = layers
	b, _ = json.Marshal(cfg)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ck, err := safetensors.OpenDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	var tensors []safetensors.Tensor
	seed := uint64(1)
	noisy := func(data []float32, scale float32) []float32 {
		out := make([]float32, len(data))
		for i, v := range data {
			seed = seed*6364136223846793005 + 1442695040888963407
			out[i] = v + scale*(float32(seed>>40)/float32(1<<24)-0.5)
		}
		return out
	}
	for _, name := range ck.Names() {
		info, _ := ck.Info(name)
		data, err := ck.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := strings.CutPrefix(name, "bert.encoder.layer.")
		if !ok {
			tensors = append(tensors, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: info.Shape, Data: data})
			continue
		}
		var l int
		var tail string
		fmt.Sscanf(rest, "%d", &l)
		tail = rest[strings.Index(rest, "."):]
		for dst := l; dst < layers; dst += src {
			d := noisy(data, 0.01)
			if tail == ".attention.output.dense.weight" || tail == ".output.dense.weight" {
				for i := range d {
					d[i] *= 0.1
				}
			}
			tensors = append(tensors, safetensors.Tensor{Name: fmt.Sprintf("bert.encoder.layer.%d%s", dst, tail), DType: safetensors.F32,
				Shape: info.Shape, Data: d})
		}
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, nil); err != nil {
		t.Fatal(err)
	}
	deepDir = dir
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if deepDir != "" {
		os.RemoveAll(deepDir)
	}
	os.Exit(code)
}

// smallEval is a 12-item evaluation set in the fixtures' vocabulary, quicker than the built-in one.
func smallEval(t testing.TB) *sentences.EvalSet {
	t.Helper()
	ev, err := sentences.LoadEval(filepath.FromSlash("../engine/testdata/eval_fixture.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// openWith is a Config.Open that returns s after one progress report.
func openWith(s *engine.Study) OpenFunc {
	return func(ctx context.Context, p Progress) (*engine.Study, error) {
		p.Study(engine.Progress{Phase: engine.PhaseCollect, Done: len(s.Layers), Total: len(s.Layers)})
		return s, nil
	}
}

// pump runs cmd and what it leads to, feeding the messages back into m, until nothing is
// left: the job queue's wait returns when it is idle, so this computes every job the queue
// takes on. Spinner ticks are dropped so that the test stays synchronous; the unit cursor's
// rest timer is delivered at once.
func pump(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100000 {
			t.Fatal("pump: too many messages")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil, spinner.TickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// ready returns an explorer with s open at w×h, every lesion computed.
func ready(t *testing.T, s *engine.Study, cfg Config, w, h int) *Model {
	t.Helper()
	if cfg.Open == nil {
		cfg.Open = openWith(s)
	}
	m := newModel(cfg)
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	pump(t, m, m.Init())
	if m.state != stateReady {
		t.Fatalf("state %v after open (error %v)", m.state, m.openErr)
	}
	if p := m.progress(); !p.complete() {
		t.Fatalf("background work not done after open: %+v", p)
	}
	return m
}

// press sends keys and runs what they start.
func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		pump(t, m, cmd)
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// click is a left click at screen cell (x, y).
func click(x, y int) tea.MouseMsg {
	return tea.MouseMsg{X: x, Y: y, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
