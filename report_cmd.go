package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"lesionui/engine"
	"lesionui/internal/files"
	"lesionui/report"
)

// runReport is `lesionui report`: the whole study, then its figures, tables and study.json.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var out, format string
	var layer int
	f, err := parseStudyFlags("report", "Usage: lesionui report --out DIR [flags]\n\nRuns the whole study and writes the notebook's figures (Parts 2-7), CSV tables\n(layers.csv, units.csv, logits.csv) and study.json (as 'run --json') into DIR.",
		args, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "folder to write the report into (created if needed; required)")
			fs.StringVar(&format, "format", "png", "figure format: png or svg")
			fs.IntVar(&layer, "layer", -1, "layer of the Part 2 and Part 5 figures (-1: the last, as in the notebook)")
		})
	if err != nil {
		return err
	}
	if out == "" {
		return usageErrorf("--out DIR is required")
	}
	if err := files.CheckDir(out); err != nil { // before the study, not after it
		return fmt.Errorf("--out: %w", err)
	}
	if format != "png" && format != "svg" {
		return usageErrorf("--format must be png or svg, got %q", format)
	}
	if layer < -1 {
		return usageErrorf("--layer must be a layer number or -1 for the last, got %d", layer)
	}
	r, err := runWholeStudy(ctx, f, stderr, func(s *engine.Study) error {
		if n := len(s.Layers); layer >= n {
			return usageErrorf("--layer %d: the model has layers 0..%d", layer, n-1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer r.study.Model.Close()
	files, err := report.Write(r.study, r.sweeps, r.record, out, report.Options{Format: format, Layer: layer, ModelName: r.name})
	if err != nil {
		return err
	}
	for _, p := range files {
		fmt.Fprintln(stdout, p)
	}
	printWarnings(stderr, r.study)
	return nil
}
