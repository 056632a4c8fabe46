package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"lesionui/sentences"
)

// runSentences is `lesionui sentences`: the built-in set as a template for --sentences files.
func runSentences(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentences", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: lesionui sentences > my-set.txt\n\nPrints the notebook's contrast set in the format --sentences reads; edit it to make your own.")
	}
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	_, err := sentences.Builtin().WriteTo(stdout)
	return err
}
