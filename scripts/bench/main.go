// Command bench is lesionui's side-by-side benchmark: the notebook's lesioning study on a
// bert-large-shaped model, run by lesionui's engine and by PyTorch the notebook's way, plus
// lesionui's sgemm against numpy's. It is a tool for people, not part of CI: go test ./... does
// not run it. Run it from the repository root on an otherwise idle machine:
//
//	go run ./scripts/bench [-dir DIR] [-keep] [-json FILE] [-python /usr/bin/python3] [-explorer]
//
// It takes about 15 minutes on 2 cores (PyTorch's 49 full forwards of the sweep dominate) and
// about 4.5 GB of memory at its peak (PyTorch's copies of the model). The machine's load average
// at the start is printed and saved: numbers taken under load are noisy. It
//
//  1. writes a random checkpoint with bert-large-uncased's shape (24 layers, hidden 1024, 16
//     heads, intermediate 4096, vocab 30522, 512 positions; F32 safetensors under HF's names,
//     1.3 GB), its config.json and a copy of testdata/vocab/bert-base-uncased/vocab.txt into a
//     temporary directory, deleted at the end unless -keep. With -dir the checkpoint is written
//     there, or reused when the directory already holds it, and never deleted. Weights follow
//     HF's initialisation: matrices and embeddings ≈ N(0, 0.02²) from a seeded xorshift64*
//     (deterministic), biases 0, LayerNorm gamma 1 and beta 0.
//  2. runs lesionui's study in a child process (this binary with -study-only) and times model
//     ready (encoder.Load: config, tokenizer, mmap), collect (the 108 sentences, all layers, one
//     pass), stats (t-tests and FDR, all layers), one lesion update (median over the 24 layers
//     of Study.Lesion, most-tuned), the laminar sweep in both modes (Study.Sweep) and the whole
//     study (load + collect + stats + clean pass + sweep, wall clock); the collection's GFLOP/s
//     and the peak RSS (VmHWM). Then (science.go) the study beyond the notebook in the same
//     process: the random baseline (20 draws per layer, each layer's draws in one resumed pass)
//     and the built-in evaluation set (its traced clean pass, then both modes in every layer),
//     with their GFLOP/s set against the collection's (target ≥ 0.8×) and the peak RSS after
//     the evaluation set's trace.
//  3. launches the explorer on the same checkpoint twice, each in a child process (-explore-only),
//     sharing a new activation cache (explore_cache.go): the first records the activations, the
//     second reads them back. Each launch's open time (from the process's start to the study open;
//     target < 1.5 s for the second) and key to screen (explore.go): keys pressed while the
//     background work runs, and j/k/m once it is done (median, 95th percentile, max; the target is
//     p95 < 50 ms once done). With -explorer, bench does only this (and writes the checkpoint), in
//     about two minutes.
//  4. runs scripts/bench/torch_study.py with -python (torch.set_num_threads(2)): the same
//     phases done as the notebook does them (see that file's header).
//  5. times linalg.Linear on m×k×n = 1024×1024×4096 and 128×1024×4096 (best of -repeat runs of
//     about 20 GFLOP each) and runs scripts/bench/sgemm_numpy.py, when present, for numpy's
//     (OpenBLAS, 2 threads) numbers on the same shapes.
//  6. prints one table, phase | lesionui | PyTorch | ratio | target | pass/fail, with the issue's
//     targets: collection ≤ 0.7× PyTorch; sgemm ≥ 70% of numpy on both shapes; one lesion
//     update median ≤ 100 ms; sweep (both modes) ≤ 1/8 of PyTorch's; model ready < 1 s; peak
//     RSS < 2 GB (2·10⁹ bytes). -json FILE saves every number.
//
// GFLOP/s counts, for both implementations, the same work: the encoder on the real
// (unpadded) tokens of the 108 sentences, per layer 2·tokens·(4·H² + 2·H·I) for the six matrix
// products plus 4·H·Σ len² for attention (scores and weighted values); biases, softmax, GELU,
// LayerNorm and PyTorch's MLM head are not counted, nor PyTorch's padding.
//
// It also checks that both computed the same study: the clean logits, the sweep magnitudes and
// the number of significant units per layer are compared and printed under the table.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"lesionui/engine/linalg"
)

// config is the command line.
type config struct {
	dir, jsonFile, python string
	keep, studyOnly       bool
	exploreOnly, explorer bool
	cache                 string
	threads, repeat       int
}

func main() {
	var c config
	flag.StringVar(&c.dir, "dir", "", "checkpoint directory: reused if it holds the benchmark's checkpoint, else written; never deleted (default: a temporary directory)")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary checkpoint directory")
	flag.StringVar(&c.jsonFile, "json", "", "also write every number to this JSON file")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Python with torch, scipy, statsmodels and numpy")
	flag.IntVar(&c.threads, "threads", 2, "PyTorch's torch.set_num_threads")
	flag.IntVar(&c.repeat, "repeat", 5, "sgemm timings per shape (the best counts)")
	flag.BoolVar(&c.studyOnly, "study-only", false, "only run lesionui's study on -dir and print its JSON (how bench runs it in a fresh process)")
	flag.BoolVar(&c.exploreOnly, "explore-only", false, "only time the explorer on -dir and print its JSON (how bench runs it in a fresh process)")
	flag.BoolVar(&c.explorer, "explorer", false, "only write the checkpoint and time the explorer's launches and keys (no PyTorch, no sgemm)")
	flag.StringVar(&c.cache, "cache", "", "with -explore-only: the activation cache folder")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "bench: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, c)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	if c.studyOnly || c.exploreOnly { // a child process: one measurement, as JSON
		if c.dir == "" {
			return errors.New("-study-only and -explore-only need -dir")
		}
		var r any
		var err error
		if c.studyOnly {
			r, err = runGoStudy(ctx, c.dir)
		} else {
			r, err = runExploreLatency(ctx, c.dir, c.cache)
		}
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	rep := report{Started: time.Now().UTC().Format(time.RFC3339), CPU: cpuModel(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Kernel: linalg.Kernel(), TorchThreads: c.threads, LoadAverage: loadAverage()}

	dir := c.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "lesionui-bench-"); err != nil {
			return err
		}
		if c.keep {
			defer fmt.Fprintf(os.Stderr, "bench: kept the checkpoint in %s\n", dir)
		} else {
			defer os.RemoveAll(dir)
		}
	}
	rep.Dir = dir
	if checkpointReady(dir) {
		logf("reusing the checkpoint in %s", dir)
	} else {
		logf("writing a random bert-large checkpoint to %s", dir)
		t := time.Now()
		n, err := writeCheckpoint(dir, filepath.Join(root, "testdata", "vocab", "bert-base-uncased", "vocab.txt"))
		if err != nil {
			return err
		}
		rep.WriteSeconds = time.Since(t).Seconds()
		logf("wrote %d parameters in %.1fs", n, rep.WriteSeconds)
		debug.FreeOSMemory()
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	logf("explorer launches and key to screen (child processes)")
	if rep.Explorer, err = runExplorer(ctx, self, dir); err != nil {
		return err
	}
	if c.explorer {
		printExploreRuns(os.Stdout, rep.Explorer)
		return nil
	}

	logf("lesionui study (child process)")
	rep.Lesionui = new(goStudy)
	if err := runJSON(ctx, rep.Lesionui, self, "-study-only", "-dir", dir); err != nil {
		return fmt.Errorf("lesionui study: %w", err)
	}

	logf("PyTorch study (%s, %d threads)", c.python, c.threads)
	rep.PyTorch = new(torchStudy)
	script := filepath.Join(root, "scripts", "bench", "torch_study.py")
	if err := runJSON(ctx, rep.PyTorch, c.python, script, "--dir", dir, "--threads", fmt.Sprint(c.threads)); err != nil {
		return fmt.Errorf("PyTorch study: %w", err)
	}

	logf("sgemm")
	numpyScript := filepath.Join(root, "scripts", "bench", "sgemm_numpy.py")
	var numpy map[gemmShape]float64
	if _, err := os.Stat(numpyScript); err == nil {
		if numpy, rep.BLAS, err = sgemmNumpy(ctx, c.python, numpyScript, c.repeat); err != nil {
			return err
		}
	} else {
		logf("%s is missing: no numpy sgemm numbers", numpyScript)
	}
	for _, s := range gemmShapes {
		if err := ctx.Err(); err != nil {
			return err
		}
		g := sgemmResult{Shape: s.String(), Lesionui: sgemmGo(s, c.repeat)}
		if v, ok := numpy[s]; ok {
			g.Numpy = v
		}
		rep.Sgemm = append(rep.Sgemm, g)
	}

	rep.finish()
	rep.print(os.Stdout)
	if c.jsonFile != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.jsonFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
		logf("wrote %s", c.jsonFile)
	}
	return nil
}

// runJSON runs a command, passing its stderr through, and decodes the JSON object on its stdout
// into v.
func runJSON(ctx context.Context, v any, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), v); err != nil {
		return fmt.Errorf("%s printed no JSON result (%v):\n%s", name, err, out)
	}
	return nil
}

// repoRoot finds the lesionui module's root from the working directory upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module lesionui\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run bench inside the lesionui repository (no go.mod of module lesionui above the working directory)")
		}
		dir = parent
	}
}

// cpuModel returns /proc/cpuinfo's model name, or "".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage returns the 1, 5 and 15 minute load averages of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// torchStudy is torch_study.py's JSON output (the fields the report reads).
type torchStudy struct {
	Threads        int              `json:"threads"`
	Version        string           `json:"torch"`
	Ready          float64          `json:"ready_s"`
	Collect        float64          `json:"collect_s"`
	Stats          float64          `json:"stats_s"`
	LesionMedianMS float64          `json:"lesion_median_ms"`
	LesionMS       []float64        `json:"lesion_ms"`
	Sweep          float64          `json:"sweep_s"`
	Whole          float64          `json:"whole_s"`
	Tokens         int              `json:"tokens"`
	PaddedTokens   int              `json:"padded_tokens"`
	GFLOPS         float64          `json:"collect_gflops"` // filled in by report.finish
	PeakRSSMB      float64          `json:"peak_rss_mb"`
	Significant    [][2]int         `json:"significant"`
	CleanLogits    [3][2][2]float64 `json:"clean_logits"`
	Magnitude      [2][]float64     `json:"magnitude"`
}

// sgemmResult is one shape's GFLOP/s (Numpy 0 when sgemm_numpy.py did not run).
type sgemmResult struct {
	Shape    string  `json:"shape"`
	Lesionui float64 `json:"lesionui_gflops"`
	Numpy    float64 `json:"numpy_gflops"`
}

// target is one of the targets and whether it was met.
type target struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit string  `json:"limit"`
	Pass  bool    `json:"pass"`
}

// agreement compares the two studies' results.
type agreement struct {
	CleanMaxAbsDiff     float64 `json:"clean_logits_max_abs_diff"`
	MagnitudeMaxAbsDiff float64 `json:"sweep_magnitude_max_abs_diff"`
	SignificantEqual    int     `json:"layers_with_equal_significant_counts"`
	Layers              int     `json:"layers"`
}

// report is everything bench measured.
type report struct {
	Started      string        `json:"started"`
	CPU          string        `json:"cpu"`
	LoadAverage  string        `json:"load_average"` // /proc/loadavg's 1, 5 and 15 minute averages at the start
	GOMAXPROCS   int           `json:"gomaxprocs"`
	Kernel       string        `json:"kernel"`
	TorchThreads int           `json:"torch_threads"`
	BLAS         string        `json:"blas"`
	Dir          string        `json:"dir"`
	WriteSeconds float64       `json:"checkpoint_write_s"`
	Lesionui     *goStudy      `json:"lesionui"`
	Explorer     *exploreRuns  `json:"explorer"`
	PyTorch      *torchStudy   `json:"pytorch"`
	Sgemm        []sgemmResult `json:"sgemm"`
	Agreement    agreement     `json:"agreement"`
	Targets      []target      `json:"targets"`
}

// finish derives PyTorch's GFLOP/s, the agreement and the targets.
func (r *report) finish() {
	g, p := r.Lesionui, r.PyTorch
	p.GFLOPS = g.GFLOP / p.Collect
	a := &r.Agreement
	for t := range 3 {
		for i := range 2 {
			for w := range 2 {
				a.CleanMaxAbsDiff = math.Max(a.CleanMaxAbsDiff, math.Abs(g.CleanLogits[t][i][w]-p.CleanLogits[t][i][w]))
			}
		}
	}
	for m := range 2 {
		for l := range min(len(g.Magnitude[m]), len(p.Magnitude[m])) {
			a.MagnitudeMaxAbsDiff = math.Max(a.MagnitudeMaxAbsDiff, math.Abs(g.Magnitude[m][l]-p.Magnitude[m][l]))
		}
	}
	a.Layers = len(g.Significant)
	for l := range min(len(g.Significant), len(p.Significant)) {
		if g.Significant[l] == p.Significant[l] {
			a.SignificantEqual++
		}
	}
	add := func(name string, value float64, limit string, pass bool) {
		r.Targets = append(r.Targets, target{name, value, limit, pass})
	}
	add("collect", g.Collect/p.Collect, "≤ 0.7× PyTorch", g.Collect <= 0.7*p.Collect)
	add("lesion", g.LesionMedianMS, "≤ 100 ms", g.LesionMedianMS <= 100)
	add("sweep", g.Sweep/p.Sweep, "≤ 1/8 PyTorch", g.Sweep <= p.Sweep/8)
	add("ready", g.Ready, "< 1 s", g.Ready < 1)
	add("peak_rss", g.PeakRSSMB, "< 2 GB", g.PeakRSSMB*(1<<20) < 2e9)
	for _, s := range r.Sgemm {
		if s.Numpy > 0 {
			add("sgemm "+s.Shape, s.Lesionui/s.Numpy, "≥ 0.7× numpy", s.Lesionui >= 0.7*s.Numpy)
		}
	}
	r.finishScience()
	if e := r.Explorer; e != nil {
		add("explorer keys p95", e.Cached.Done.P95MS, "< 50 ms", e.Cached.Done.P95MS < 50)
		add("explorer second launch", e.Cached.OpenS, "< 1.5 s", e.Cached.OpenS < 1.5)
	}
}

// targetOf returns the result of the named target, or "".
func (r *report) targetOf(name string) (string, string) {
	for _, t := range r.Targets {
		if t.Name == name {
			if t.Pass {
				return t.Limit, "pass"
			}
			return t.Limit, "FAIL"
		}
	}
	return "", ""
}

// print writes the table and the agreement check.
func (r *report) print(w io.Writer) {
	g, p := r.Lesionui, r.PyTorch
	fmt.Fprintf(w, "\nCPU %s, GOMAXPROCS %d, load average at start %s; linalg kernel %s; PyTorch %s, %d threads; BLAS %s\n\n",
		r.CPU, r.GOMAXPROCS, r.LoadAverage, g.Kernel, p.Version, p.Threads, r.BLAS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "phase\tlesionui\tPyTorch\tratio\ttarget\tresult\t")
	row := func(phase, target string, a, b float64, format string) {
		limit, verdict := r.targetOf(target)
		ratio := "-"
		if b > 0 {
			ratio = fmt.Sprintf("%.3f", a/b)
		}
		fb := "-"
		if b > 0 {
			fb = fmt.Sprintf(format, b)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", phase, fmt.Sprintf(format, a), fb, ratio, limit, verdict)
	}
	row("model ready", "ready", g.Ready, p.Ready, "%.3f s")
	row(fmt.Sprintf("collect (%d sentences, %d tokens)", g.Sentences, g.Tokens), "collect", g.Collect, p.Collect, "%.2f s")
	row(fmt.Sprintf("collect GFLOP/s (%.0f GFLOP)", g.GFLOP), "", g.GFLOPS, p.GFLOPS, "%.1f")
	row("stats (all layers)", "", g.Stats*1e3, p.Stats*1e3, "%.1f ms")
	row("one lesion update (median)", "lesion", g.LesionMedianMS, p.LesionMedianMS, "%.1f ms")
	row("laminar sweep, both modes", "sweep", g.Sweep, p.Sweep, "%.2f s")
	row("whole study", "", g.Whole, p.Whole, "%.2f s")
	row("peak RSS (VmHWM)", "peak_rss", g.PeakRSSMB, p.PeakRSSMB, "%.0f MiB")
	for _, s := range r.Sgemm {
		row("sgemm "+s.Shape+" GFLOP/s (vs numpy)", "sgemm "+s.Shape, s.Lesionui, s.Numpy, "%.1f")
	}
	tw.Flush()
	a := r.Agreement
	fmt.Fprintf(w, "\nsame study: clean logits agree to %.2g, sweep magnitudes to %.2g; significant-unit counts equal in %d of %d layers\n",
		a.CleanMaxAbsDiff, a.MagnitudeMaxAbsDiff, a.SignificantEqual, a.Layers)
	fmt.Fprintf(w, "lesionui also ran %.2f s of tokenisation, validation and the clean pass inside the whole study; PyTorch padded %d tokens to %d\n",
		g.Clean, p.Tokens, p.PaddedTokens)
	r.printScience(w)
	if r.Explorer != nil {
		printExploreRuns(w, r.Explorer)
		_, verdict := r.targetOf("explorer keys p95")
		fmt.Fprintf(w, "  target: p95 < 50 ms once done: %s\n", verdict)
	}
}
