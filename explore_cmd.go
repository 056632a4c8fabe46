package main

import (
	"context"
	"flag"
	"io"
	"path/filepath"
	"time"

	"lesionui/demo"
	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/report"
	"lesionui/sentences"
	"lesionui/tui"
)

// exploreUsage is the explorer's --help synopsis.
const exploreUsage = `Usage: lesionui [explore] [flags]

Opens the explorer: the significant units of every layer with a unit inspector, the logits
with and without a lesion, the top-k predictions, the laminar sweep with the random baseline,
and the evaluation set. --units, --ablate, --seed, --baseline, --eval and --topk set where its
controls start (as for run and report). Keys: j/k layers, :N jump, tab panes, z zoom, h/l units,
m most/least-tuned, n units, +/- K, a ablation, b baseline, v evaluation set, t top-k, x mark a
layer (marked layers are lesioned together), space lesion on/off, 1/2/3 test text, w
Student/Welch, s background work, e export, ? help, q quit; the mouse clicks layers, panes and
units.`

// runExplore is `lesionui` and `lesionui explore`: the terminal UI.
func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var layer int
	var df designFlags
	f, err := parseStudyFlags("explore", exploreUsage, args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&layer, "layer", -1, "layer selected first (-1: the last)")
		df.register(fs)
	})
	if err != nil {
		return err
	}
	if layer < -1 {
		return usageErrorf("--layer must be a layer number or -1 (the last), got %d", layer)
	}
	d, err := df.design()
	if err != nil {
		return err
	}
	return tui.Run(exploreConfig(ctx, f, d, layer))
}

// exploreConfig wires the explorer to the CLI: opening the study (download, load, collect,
// with their progress, the design checked against the model first), the demo model as a
// fallback for the default model, and export.
func exploreConfig(ctx context.Context, f *studyFlags, d engine.Design, layer int) tui.Config {
	cfg := tui.Config{
		ModelName:    f.modelName(),
		Demo:         f.demo,
		DemoName:     demo.Name,
		InitialLayer: layer,
		Design:       d,
		Context:      ctx,
	}
	var load time.Duration // how long the model took to load, for the exported record
	vet := &vetting{
		preModel: func(set *sentences.ContrastSet) error {
			if d.Eval == nil {
				return nil
			}
			return d.Eval.CheckWords([2]string{set.A.Word, set.B.Word})
		},
		postLoad: func(m *encoder.Model, set *sentences.ContrastSet) error { return checkDesign(d, m, set) },
	}
	open := func(f studyFlags) tui.OpenFunc {
		return func(ctx context.Context, progress tui.Progress) (*engine.Study, error) {
			o, err := openStudy(ctx, &f, progress, vet)
			if err != nil {
				return nil, err
			}
			load = o.load
			return o.study, nil
		}
	}
	cfg.Open = open(*f)
	if !f.demo && f.model == defaultModel {
		d := *f
		d.demo = true
		cfg.OpenDemo = open(d)
	}
	cfg.Export = func(s *engine.Study, res *engine.Results, layer int) (string, error) {
		name := cfg.ModelName
		if demo.IsDemo(s.Model.Dir) {
			name = demo.Name
		}
		dir, _, err := report.Export(s, res, s.Record(name, res, load), ".", report.Options{Layer: layer, ModelName: name})
		if err != nil {
			return "", err
		}
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		return dir, nil
	}
	return cfg
}
