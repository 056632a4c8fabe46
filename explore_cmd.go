package main

import (
	"context"
	"flag"
	"io"
	"path/filepath"
	"time"

	"lesionui/demo"
	"lesionui/engine"
	"lesionui/report"
	"lesionui/tui"
)

// runExplore is `lesionui` and `lesionui explore`: the terminal UI.
func runExplore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var layer int
	f, err := parseStudyFlags("explore", "Usage: lesionui [explore] [flags]\n\nOpens the explorer: the significant units of every layer with a unit inspector, the logits\nwith and without a lesion, and the laminar sweep. Keys: j/k layers, :N jump, tab panes,\nz zoom, h/l units, m most/least-tuned, space lesion on/off, 1/2/3 test text, w Student/Welch,\ns background lesions, e export, ? help, q quit; the mouse clicks layers, panes and units.",
		args, stderr, func(fs *flag.FlagSet) {
			fs.IntVar(&layer, "layer", -1, "layer selected first (-1: the last)")
		})
	if err != nil {
		return err
	}
	if layer < -1 {
		return usageErrorf("--layer must be a layer number or -1 (the last), got %d", layer)
	}
	return tui.Run(exploreConfig(ctx, f, layer))
}

// exploreConfig wires the explorer to the CLI: opening the study (download, load, collect,
// with their progress), the demo model as a fallback for the default model, and export.
func exploreConfig(ctx context.Context, f *studyFlags, layer int) tui.Config {
	cfg := tui.Config{
		ModelName:    f.modelName(),
		Demo:         f.demo,
		DemoName:     demo.Name,
		InitialLayer: layer,
		Context:      ctx,
	}
	var load time.Duration // how long the model took to load, for the exported record
	open := func(f studyFlags) tui.OpenFunc {
		return func(ctx context.Context, progress tui.Progress) (*engine.Study, error) {
			o, err := openStudy(ctx, &f, progress, nil)
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
	cfg.Export = func(s *engine.Study, sweeps [][]engine.LesionResult, took time.Duration, layer int) (string, error) {
		name := cfg.ModelName
		if demo.IsDemo(s.Model.Dir) {
			name = demo.Name
		}
		res := &engine.Results{Sweeps: sweeps, Timing: engine.RunTiming{Sweep: took}}
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
