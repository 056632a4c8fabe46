package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// The explorer's two launches on one checkpoint, each a fresh process: the first with an empty
// activation cache (the study records its activations and stores them), the second reading them
// back, as a second `lesionui` on the same model and contrast set does.

// exploreRuns are the two launches.
type exploreRuns struct {
	Uncached *exploreLatency `json:"uncached"`
	Cached   *exploreLatency `json:"cached"`
}

// runExplorer times the explorer twice on the checkpoint in dir, in child processes of self
// (-explore-only), sharing an activation cache in a temporary folder that is removed after.
func runExplorer(ctx context.Context, self, dir string) (*exploreRuns, error) {
	cache, err := os.MkdirTemp("", "lesionui-bench-cache-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(cache)
	r := &exploreRuns{Uncached: new(exploreLatency), Cached: new(exploreLatency)}
	for _, run := range []*exploreLatency{r.Uncached, r.Cached} {
		if err := runJSON(ctx, run, self, "-explore-only", "-dir", dir, "-cache", cache); err != nil {
			return nil, fmt.Errorf("explorer: %w", err)
		}
	}
	if r.Uncached.Cached || !r.Cached.Cached {
		return nil, fmt.Errorf("explorer: the first launch read the cache (%v) or the second did not (%v)", r.Uncached.Cached, r.Cached.Cached)
	}
	return r, nil
}

// printExploreRuns writes both launches.
func printExploreRuns(w io.Writer, r *exploreRuns) {
	printExplore(w, r.Uncached)
	printExplore(w, r.Cached)
	fmt.Fprintf(w, "  target: the second launch opens in < 1.5 s: %.2f s %s\n", r.Cached.OpenS, map[bool]string{true: "✔", false: "✘"}[r.Cached.OpenS < 1.5])
}
