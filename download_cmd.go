package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"lesionui/hub"
)

// runDownload is `lesionui download MODEL`: fetch a Hub model into the HuggingFace cache.
func runDownload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("download", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: lesionui download MODEL

Downloads config.json, the tokenizer files and the safetensors weights of MODEL (a Hub id such as
bert-large-uncased or org/name@revision) into the HuggingFace cache, resuming a partial download,
and prints the local directory. Environment: HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE,
HF_HUB_OFFLINE.
`)
	}
	if err := parseArgs(fs, args, 1); err != nil {
		return err
	}
	id, err := hub.ParseModelID(fs.Arg(0))
	if err != nil {
		return usageError{err}
	}
	opt := hub.OptionsFromEnv()
	opt.Progress = hub.NewProgressPrinter(stderr)
	dir, err := hub.Download(ctx, id, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, dir)
	return nil
}
