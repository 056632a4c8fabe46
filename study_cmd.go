package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"lesionui/actcache"
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

// designFlags are the flags of run and report that choose the lesions beyond the notebook's
// defaults: which units, what they become, the random baseline, the evaluation set and top-k.
type designFlags struct {
	units, ablate, eval string
	seed                uint64
	baseline, topk      int
}

func (f *designFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.units, "units", "significant", "units a lesion changes: significant (every FDR-significant unit of each direction) or top=K (the K largest |t| of each sign)")
	fs.StringVar(&f.ablate, "ablate", "zero", "what the units become, pre-GELU: zero, mean (mean over all contrast sentences), scale=F (times F) or patch (mean over the other group's sentences)")
	fs.Uint64Var(&f.seed, "seed", engine.DefaultSeed, "seed of the random draws and of the bootstrap")
	fs.IntVar(&f.baseline, "baseline", 0, "random draws per layer for the random-unit baseline (0: none)")
	fs.StringVar(&f.eval, "eval", "", "evaluation set: builtin, or a file with an [eval] section (default: none)")
	fs.IntVar(&f.topk, "topk", engine.DefaultTopK, "top predictions recorded at each mask, clean and lesioned (0: none)")
}

// design checks the flags and reads the evaluation set; the flags' problems are usage errors, the
// evaluation file's are file:line errors. Checks that need the model come later (Design.Check).
func (f *designFlags) design() (engine.Design, error) {
	d := engine.Design{Seed: f.seed, Baseline: f.baseline, TopK: f.topk}
	var err error
	if d.Units, err = engine.ParseUnits(f.units); err != nil {
		return d, usageErrorf("--units: %v", err)
	}
	if d.Ablation, err = engine.ParseAblation(f.ablate); err != nil {
		return d, usageErrorf("--ablate: %v", err)
	}
	switch {
	case f.baseline < 0 || f.baseline > engine.MaxBaselineDraws:
		return d, usageErrorf("--baseline must be 0 (none) to %d draws, got %d", engine.MaxBaselineDraws, f.baseline)
	case f.topk < 0:
		return d, usageErrorf("--topk must be 0 (none) or more, got %d", f.topk)
	case f.eval == "":
	case f.eval == "builtin":
		d.Eval = sentences.BuiltinEval()
	default:
		if d.Eval, err = sentences.LoadEval(f.eval); err != nil {
			return d, err
		}
	}
	return d, nil
}

// checkDesign checks the design against the contrast set and the model before any model work:
// flag values the model cannot take are usage errors, evaluation items that do not fit are
// file:line errors.
func checkDesign(d engine.Design, m *encoder.Model, set *sentences.ContrastSet) error {
	if err := d.Check(m.Config.IntermediateSize, m.Config.VocabSize); err != nil {
		var de *engine.DesignError
		if errors.As(err, &de) {
			return usageErrorf("--%s: %v", de.Field, de.Err)
		}
		return err
	}
	if d.Eval != nil {
		return engine.ValidateEval(m, set, d.Eval)
	}
	return nil
}

// opened is a loaded study and what it took to get there.
type opened struct {
	study *engine.Study
	name  string
	load  time.Duration
	cache actcache.Outcome // whether the recording came from the activation cache
}

// openStudy resolves the model (downloading it if needed), loads it and builds the study (its
// recording read from the activation cache when it holds it, else collected and stored there),
// reporting every file downloaded, the loading and the collection to progress. vet, if not nil,
// checks the contrast set before the model is resolved (preModel) and the loaded model before the
// collection (postLoad).
func openStudy(ctx context.Context, f *studyFlags, progress tui.Progress, vet *vetting) (*opened, error) {
	set, err := f.contrastSet()
	if err != nil {
		return nil, err
	}
	cache, err := actcache.FromEnv()
	if err != nil {
		return nil, err
	}
	if vet != nil && vet.preModel != nil {
		if err := vet.preModel(set); err != nil {
			return nil, err
		}
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
	if vet != nil && vet.postLoad != nil {
		if err := vet.postLoad(m, set); err != nil {
			m.Close()
			return nil, err
		}
	}
	s, outcome, err := actcache.Open(ctx, cache, m, set, f.options(), progress.Study)
	if err != nil {
		m.Close()
		return nil, err
	}
	return &opened{study: s, name: f.modelName(), load: load, cache: outcome}, nil
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

// vetting are checks openStudy runs before the model work starts.
type vetting struct {
	preModel func(*sentences.ContrastSet) error
	postLoad func(*encoder.Model, *sentences.ContrastSet) error
}

// runStudy is `lesionui run`.
func runStudy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var jsonPath string
	var df designFlags
	f, err := parseStudyFlags("run", "Usage: lesionui run [flags]\n\nRuns the whole study headless and prints, per layer, the significant units, the laminar lesion\nimpacts and, when asked, the random baseline and the evaluation set.",
		args, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&jsonPath, "json", "", "write every number of the study to this JSON file ('-' for stdout)")
			df.register(fs)
		})
	if err != nil {
		return err
	}
	d, err := df.design()
	if err != nil {
		return err
	}
	if jsonPath != "" && jsonPath != "-" {
		if err := files.CheckOutput(jsonPath); err != nil { // before the study, not after it
			return fmt.Errorf("--json: %w", err)
		}
	}
	r, err := runWholeStudy(ctx, f, d, stderr, nil)
	if err != nil {
		return err
	}
	defer r.study.Model.Close()
	table := stdout
	if jsonPath == "-" {
		table = stderr // stdout carries the JSON alone
	}
	printTable(table, r.name, r.study, r.results)
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

// studyRun is a study with everything its design asks computed, as run and report need it.
type studyRun struct {
	*opened
	results *engine.Results
	record  *engine.Record
}

// runWholeStudy opens the study and runs the design (the sweep in both modes and what else d
// asks), showing progress on stderr. check, if not nil, vets the loaded model before the
// collection, after the design's own checks. The caller closes the model.
func runWholeStudy(ctx context.Context, f *studyFlags, d engine.Design, stderr io.Writer, check func(*encoder.Model) error) (*studyRun, error) {
	line := newProgressLine(stderr)
	defer line.done()
	vet := &vetting{
		preModel: func(set *sentences.ContrastSet) error {
			if d.Eval == nil {
				return nil
			}
			return d.Eval.CheckWords([2]string{set.A.Word, set.B.Word})
		},
		postLoad: func(m *encoder.Model, set *sentences.ContrastSet) error {
			err := checkDesign(d, m, set)
			if err == nil && check != nil {
				err = check(m)
			}
			return err
		},
	}
	o, err := openStudy(ctx, f, line, vet)
	if err != nil {
		return nil, err
	}
	if o.cache.Problem != nil {
		line.done()
		fmt.Fprintf(stderr, "note: %v (the study is not affected: its activations were recorded)\n", o.cache.Problem)
	}
	res, err := o.study.Run(ctx, d, line.Study)
	if err != nil {
		o.study.Model.Close()
		return nil, err
	}
	return &studyRun{opened: o, results: res, record: o.study.Record(o.name, res, o.load)}, nil
}

// printTable prints the per-layer summary of the study and its results.
func printTable(w io.Writer, name string, s *engine.Study, res *engine.Results) {
	a, b := s.Set.A.Word, s.Set.B.Word
	w0, w1 := s.Targets.Words[0], s.Targets.Words[1]
	d := res.Design
	layers := fmt.Sprintf("%d layers", len(s.Layers))
	if s.Model.Arch.SharedLayer {
		layers = fmt.Sprintf("one shared layer run %d times (a \"layer\" below is a repetition)", len(s.Layers))
	}
	fmt.Fprintf(w, "model %s (%s): %s x %d units; %s (%d %q vs %d %q); units %s, ablation %s\n", name, s.Model.Arch.Family, layers,
		s.Model.Config.IntermediateSize, s.Set.Name, len(s.Set.A.Sentences), a, len(s.Set.B.Sentences), b, d.Units, d.Ablation)
	fmt.Fprintf(w, "clean logits at the masks: %s-mask text: %s %.3f  %s %.3f | %s-mask text: %s %.3f  %s %.3f\n",
		w0, w0, s.Clean[1][0][0], w1, s.Clean[1][0][1], w1, w0, s.Clean[2][1][0], w1, s.Clean[2][1][1])
	if d.TopK > 0 {
		for k := range 2 {
			fmt.Fprintf(w, "clean top-%d at the %s mask: %s\n", d.TopK, s.Targets.Words[k], topTokens(res.CleanTopK[k+1][k]))
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := fmt.Sprintf("layer\t%s>%s\t%s>%s\t|Δ| most\tΔ%s most\tΔ%s most\t|Δ| least\tΔ%s least\tΔ%s least\t", a, b, b, a, w0, w1, w0, w1)
	if res.Baseline != nil {
		header += fmt.Sprintf("|Δ| random 5–95%% (%d)\tmost pct\t", d.Baseline)
	}
	fmt.Fprintln(tw, header)
	for l, lt := range s.Layers {
		m, c := res.Sweeps[0][l], res.Sweeps[1][l]
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.3f\t%+.3f\t%+.3f\t%.3f\t%+.3f\t%+.3f\t", l, len(lt.A), len(lt.B),
			m.Magnitude, m.Impact[0], m.Impact[1], c.Magnitude, c.Impact[0], c.Impact[1])
		if res.Baseline != nil {
			bl := res.Baseline[l]
			lo, _ := bl.Quantile(0.05)
			hi, _ := bl.Quantile(0.95)
			fmt.Fprintf(tw, "%.3f–%.3f\t%.0f\t", lo, hi, bl.Percentile)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if e := res.Evaluation; e != nil {
		fmt.Fprintf(w, "\nevaluation set %s: %d items; clean two-word accuracy %.1f%%; Δmargin = clean − lesioned margin of the answer, mean over items [95%% bootstrap CI]\n",
			e.Set.Name, len(e.Items), 100*e.AccuracyClean)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "layer\tΔmargin most\t95% CI\tacc most\tflips\tΔmargin least\t95% CI\tacc least\tflips\t")
		for l := range s.Layers {
			fmt.Fprintf(tw, "%d\t", l)
			for i := range engine.Modes {
				r := res.Eval[i][l]
				fmt.Fprintf(tw, "%+.3f\t[%+.3f, %+.3f]\t%.1f%%\t%d\t", r.MarginDelta, r.CI[0], r.CI[1], 100*r.AccuracyLesioned, r.Flips)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	printWarnings(w, s)
}

// topTokens lists predictions as "token logit, …".
func topTokens(toks []engine.Token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = fmt.Sprintf("%s %.2f", t.Token, t.Logit)
	}
	return strings.Join(parts, ", ")
}

// printWarnings prints the study's warnings, each after a blank line.
func printWarnings(w io.Writer, s *engine.Study) {
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "\nwarning: %s\n", warn.Message)
	}
}
