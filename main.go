// Command lesionui explores statistics-based lesioning of MLP neurons in BERT masked-language
// models: which expansion units of each layer tell "him" from "her", and what happens to the
// model's predictions when they are zeroed.
//
//	lesionui [flags]                  the explorer (terminal UI)
//	lesionui run [flags]              the whole study, headless: a table, and --json FILE
//	lesionui report --out DIR [flags] figures (PNG/SVG), CSV tables and study.json
//	lesionui download MODEL           fetch a Hub model into the HuggingFace cache
//	lesionui sentences                print the built-in contrast set in the file format
//
// Run `lesionui help` or `lesionui CMD --help` for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"lesionui/hub"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1   // the study or a file failed
	exitUsage       = 2   // bad flags or arguments
	exitInterrupted = 130 // Ctrl-C or SIGTERM, as a shell reports a process killed by SIGINT
)

func main() {
	hub.Version = version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the first Ctrl-C or SIGTERM cancels the work; a second one ends lesionui at once
	}()
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"explore", "open the explorer (the default)", runExplore},
		{"run", "run the whole study headless; print a table, optionally write JSON", runStudy},
		{"report", "write the notebook's figures, CSV tables and study.json to a folder", runReport},
		{"download", "download a model from the HuggingFace Hub into the cache", runDownload},
		{"sentences", "print the built-in contrast set in the sentence-file format", runSentences},
	}
}

// runMain dispatches to a subcommand and turns its error into an exit code.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "explore"
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help"):
		name = "help" // `lesionui --help` lists the commands; `lesionui explore --help` shows the flags
	case len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-':
		name, args = args[0], args[1:]
	}
	switch name {
	case "help":
		usage(stdout)
		return exitOK
	case "version":
		fmt.Fprintln(stdout, "lesionui", version)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args, stdout, stderr)
		switch {
		case err == nil || errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "lesionui %s: %v\n", name, err)
			return exitUsage
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(stderr, "lesionui: interrupted")
			return exitInterrupted
		default:
			fmt.Fprintf(stderr, "lesionui %s: %v\n", name, err)
			return exitError
		}
	}
	fmt.Fprintf(stderr, "lesionui: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `lesionui - statistics-based lesioning of MLP neurons in BERT

Usage:
  lesionui [command] [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help       show this help
  version    print the version

Run 'lesionui COMMAND --help' for a command's flags ('lesionui explore --help' for the explorer's).
`)
}

// parseArgs parses a command's flags and checks it got exactly nargs positional arguments; any
// problem is a usage error (exit code 2), and --help is flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string, nargs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	switch {
	case fs.NArg() > nargs:
		return usageErrorf("unexpected argument %q", fs.Arg(nargs))
	case fs.NArg() < nargs:
		return usageErrorf("missing argument: want %d, got %d", nargs, fs.NArg())
	}
	return nil
}

// usageError marks errors in the command line (exit code 2).
type usageError struct{ error }

func usageErrorf(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }
