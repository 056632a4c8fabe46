package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"lesionui/demo"
	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/engine/stats"
	"lesionui/hub"
	"lesionui/internal/files"
	"lesionui/sentences"
	"lesionui/tui"
)

// defaultModel is the notebook's model.
const defaultModel = "bert-large-uncased"

// studyFlags are the flags every command that runs the study shares.
type studyFlags struct {
	model      string
	demo       bool
	sentences  string
	alpha      float64
	welch      bool
	bonferroni bool
	postGELU   bool
}

func (f *studyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.model, "model", defaultModel, "model: a local directory in HuggingFace layout, or a Hub id (org/name[@revision])")
	fs.BoolVar(&f.demo, "demo", false, "use the small demo BERT shipped inside lesionui (no download)")
	fs.StringVar(&f.sentences, "sentences", "", "contrast-set file (default: the notebook's 54 him / 54 her sentences; see 'lesionui sentences')")
	fs.Float64Var(&f.alpha, "alpha", engine.DefaultAlpha, "significance level for the corrected p-values")
	fs.BoolVar(&f.welch, "welch", false, "Welch's t-test instead of Student's (pooled variance)")
	fs.BoolVar(&f.bonferroni, "bonferroni", false, "Bonferroni correction instead of Benjamini-Hochberg FDR")
	fs.BoolVar(&f.postGELU, "post-gelu", false, "test the expansion after GELU instead of before (lesions stay pre-GELU)")
}

func (f *studyFlags) validate() error {
	if !(f.alpha > 0 && f.alpha < 1) {
		return usageErrorf("--alpha must be between 0 and 1, got %g", f.alpha)
	}
	return nil
}

func (f *studyFlags) options() engine.Options {
	o := engine.Options{Alpha: f.alpha, PostGELU: f.postGELU}
	if f.welch {
		o.Test = stats.Welch
	}
	if f.bonferroni {
		o.Correction = stats.Bonferroni
	}
	return o
}

func (f *studyFlags) contrastSet() (*sentences.ContrastSet, error) {
	if f.sentences == "" {
		return sentences.Builtin(), nil
	}
	return sentences.LoadFile(f.sentences)
}

// modelName is how the model is shown to the user.
func (f *studyFlags) modelName() string {
	if f.demo {
		return demo.Name
	}
	return f.model
}

// parseStudyFlags parses the command line of a command that runs the study: the shared study
// flags plus those extra registers (extra may be nil). usage, the command's synopsis and
// description, is printed above the flags by --help.
func parseStudyFlags(name, usage string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*studyFlags, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f studyFlags
	f.register(fs)
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args, 0); err != nil {
		return nil, err
	}
	return &f, f.validate()
}

// opened is a loaded study and what it took to get there.
type opened struct {
	study *engine.Study
	name  string
	load  time.Duration
}

// openStudy resolves the model (downloading it if needed), loads it and builds the study,
// reporting every file downloaded, the loading and the collection to progress.
func openStudy(ctx context.Context, f *studyFlags, progress tui.Progress) (*opened, error) {
	set, err := f.contrastSet()
	if err != nil {
		return nil, err
	}
	dir, err := resolveModel(ctx, f, progress)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	m, err := encoder.Load(dir, progress.Load)
	if err != nil {
		return nil, err
	}
	load := time.Since(start)
	s, err := engine.New(ctx, m, set, f.options(), progress.Study)
	if err != nil {
		m.Close()
		return nil, err
	}
	return &opened{study: s, name: f.modelName(), load: load}, nil
}

// resolveModel turns --model / --demo into a local directory, reporting each file downloaded.
func resolveModel(ctx context.Context, f *studyFlags, progress tui.Progress) (string, error) {
	if f.demo {
		return demo.Dir()
	}
	opt := hubOptions()
	opt.Progress = progress.Download
	dir, err := hub.Resolve(ctx, f.model, opt)
	if err != nil && f.model == defaultModel {
		return "", fmt.Errorf("%w\n(no network or cache? 'lesionui --demo' runs the study on the small model shipped with lesionui)", err)
	}
	return dir, err
}

// runStudy is `lesionui run`.
func runStudy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var jsonPath string
	f, err := parseStudyFlags("run", "Usage: lesionui run [flags]\n\nRuns the whole study headless and prints, per layer, the significant units and the laminar lesion impacts.",
		args, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&jsonPath, "json", "", "write every number of the study to this JSON file ('-' for stdout)")
		})
	if err != nil {
		return err
	}
	if jsonPath != "" && jsonPath != "-" {
		if err := files.CheckOutput(jsonPath); err != nil { // before the study, not after it
			return fmt.Errorf("--json: %w", err)
		}
	}
	r, err := runWholeStudy(ctx, f, stderr, nil)
	if err != nil {
		return err
	}
	defer r.study.Model.Close()
	table := stdout
	if jsonPath == "-" {
		table = stderr // stdout carries the JSON alone
	}
	printTable(table, r.name, r.study, r.sweeps)
	switch jsonPath {
	case "":
		return nil
	case "-":
		return r.record.WriteJSON(stdout)
	}
	if err := files.Write(jsonPath, r.record.WriteJSON); err != nil {
		return fmt.Errorf("--json: %w", err)
	}
	return nil
}

// studyRun is a study with the laminar sweep done in both modes, as run and report need it.
type studyRun struct {
	*opened
	sweeps [][]engine.LesionResult // [mode][layer], engine.Modes order
	record *engine.Record
}

// runWholeStudy opens the study and sweeps every layer in both modes, showing progress on
// stderr. check, if not nil, vets the opened study before the sweep. The caller closes the model.
func runWholeStudy(ctx context.Context, f *studyFlags, stderr io.Writer, check func(*engine.Study) error) (*studyRun, error) {
	line := newProgressLine(stderr)
	defer line.done()
	o, err := openStudy(ctx, f, line)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(o.study); err != nil {
			o.study.Model.Close()
			return nil, err
		}
	}
	start := time.Now()
	sweeps, err := o.study.Sweep(ctx, engine.Modes, line.Study)
	if err != nil {
		o.study.Model.Close()
		return nil, err
	}
	return &studyRun{opened: o, sweeps: sweeps, record: o.study.Record(o.name, sweeps, o.load, time.Since(start))}, nil
}

// printTable prints the per-layer summary of the study.
func printTable(w io.Writer, name string, s *engine.Study, sweeps [][]engine.LesionResult) {
	a, b := s.Set.A.Word, s.Set.B.Word
	w0, w1 := s.Targets.Words[0], s.Targets.Words[1]
	fmt.Fprintf(w, "model %s: %d layers x %d units; %s (%d %q vs %d %q)\n", name, len(s.Layers),
		s.Model.Config.IntermediateSize, s.Set.Name, len(s.Set.A.Sentences), a, len(s.Set.B.Sentences), b)
	fmt.Fprintf(w, "clean logits at the masks: %s-mask text: %s %.3f  %s %.3f | %s-mask text: %s %.3f  %s %.3f\n\n",
		w0, w0, s.Clean[1][0][0], w1, s.Clean[1][0][1], w1, w0, s.Clean[2][1][0], w1, s.Clean[2][1][1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\t%s>%s\t%s>%s\t|Δ| most\tΔ%s most\tΔ%s most\t|Δ| least\tΔ%s least\tΔ%s least\t\n", a, b, b, a, w0, w1, w0, w1)
	for l, lt := range s.Layers {
		m, c := sweeps[0][l], sweeps[1][l]
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.3f\t%+.3f\t%+.3f\t%.3f\t%+.3f\t%+.3f\t\n", l, len(lt.A), len(lt.B),
			m.Magnitude, m.Impact[0], m.Impact[1], c.Magnitude, c.Impact[0], c.Impact[1])
	}
	tw.Flush()
	printWarnings(w, s)
}

// printWarnings prints the study's warnings, each after a blank line.
func printWarnings(w io.Writer, s *engine.Study) {
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "\nwarning: %s\n", warn.Message)
	}
}
