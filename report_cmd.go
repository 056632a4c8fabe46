package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"lesionui/engine"
	"lesionui/report"
)

// runReport is `lesionui report`: the whole study, then its figures, tables and study.json.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f studyFlags
	f.register(fs)
	out := fs.String("out", "", "folder to write the report into (created if needed; required)")
	format := fs.String("format", "png", "figure format: png or svg")
	layer := fs.Int("layer", -1, "layer of the Part 2 and Part 5 figures (-1: the last, as in the notebook)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: lesionui report --out DIR [flags]\n\nRuns the whole study and writes the notebook's figures (Parts 2-7), CSV tables\n(layers.csv, units.csv, logits.csv) and study.json (as 'run --json') into DIR.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	if err := f.validate(); err != nil {
		return err
	}
	if *out == "" {
		return usageErrorf("--out DIR is required")
	}
	if *format != "png" && *format != "svg" {
		return usageErrorf("--format must be png or svg, got %q", *format)
	}
	if *layer < -1 {
		return usageErrorf("--layer must be a layer number or -1 for the last, got %d", *layer)
	}
	line := newProgressLine(stderr)
	show := func(p engine.Progress) { line.update(p.Phase, p.Done, p.Total) }
	o, err := openStudy(ctx, &f, show)
	if err != nil {
		line.done()
		return err
	}
	defer o.study.Model.Close()
	if n := len(o.study.Layers); *layer >= n {
		line.done()
		return usageErrorf("--layer %d: the model has layers 0..%d", *layer, n-1)
	}
	start := time.Now()
	sweeps, err := o.study.Sweep(ctx, engine.Modes, show)
	line.done()
	if err != nil {
		return err
	}
	rec := o.study.Record(o.name, sweeps, o.load, time.Since(start))
	files, err := report.Write(o.study, sweeps, rec, *out, report.Options{Format: *format, Layer: *layer, ModelName: o.name})
	if err != nil {
		return err
	}
	for _, p := range files {
		fmt.Fprintln(stdout, p)
	}
	return nil
}
