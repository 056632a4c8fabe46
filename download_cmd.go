package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"lesionui/engine/encoder"
	"lesionui/hub"
)

// runDownload is `lesionui download MODEL`: fetch a Hub model into the HuggingFace cache.
func runDownload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("download", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: lesionui download MODEL

Downloads config.json, the tokenizer files and the safetensors weights of MODEL (a Hub id such as
bert-large-uncased, org/name@revision or org/name@refs/pr/N) into the HuggingFace cache, resuming a
partial download, and prints the local directory. config.json is checked first: a model lesionui
cannot run is refused before its weights are downloaded. Environment, as huggingface_hub reads it:
HF_ENDPOINT, HF_TOKEN, HF_TOKEN_PATH, HF_HUB_DISABLE_IMPLICIT_TOKEN, HF_HOME, HF_HUB_CACHE,
XDG_CACHE_HOME, HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE, TRANSFORMERS_CACHE (see README).
`)
	}
	if err := parseArgs(fs, args, 1); err != nil {
		return err
	}
	id, err := hub.ParseModelID(fs.Arg(0))
	if err != nil {
		return usageError{err}
	}
	opt := hubOptions()
	opt.Progress = hub.NewProgressPrinter(stderr)
	dir, err := hub.Download(ctx, id, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, dir)
	return nil
}

// hubOptions are the hub's options from the environment, with the engine's check of
// config.json, so that a model lesionui cannot run is refused before its weights are fetched.
func hubOptions() hub.Options {
	opt := hub.OptionsFromEnv()
	opt.CheckConfig = encoder.CheckConfig
	return opt
}
