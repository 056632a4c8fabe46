package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lesionui/actcache"
)

// The tests of this package do not fill the user's activation cache; those that test the cache
// give it a folder of their own.
func init() {
	if os.Getenv(actcache.EnvVar) == "" {
		os.Setenv(actcache.EnvVar, "off")
	}
}

// A second run reads the first one's recording from the activation cache and computes the same
// study; a corrupt entry is reported, recorded anew and replaced.
func TestRunUsesTheActivationCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(actcache.EnvVar, "100MB")
	first := runJSON(t)
	entries, err := filepath.Glob(filepath.Join(cache, "lesionui", "activations", "*.acts"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %v (%v), want one", entries, err)
	}
	second := runJSON(t)
	for l := range first.Layers {
		if !slices.Equal(first.Layers[l].T, second.Layers[l].T) {
			t.Errorf("layer %d: t-values differ after reading the cache", l)
		}
	}
	if second.Timing["collect_s"] >= first.Timing["collect_s"] {
		t.Errorf("collect took %g s with the cache, %g s without", second.Timing["collect_s"], first.Timing["collect_s"])
	}
	b, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	os.WriteFile(entries[0], b, 0o644)
	code, _, stderr := run(t, "run", "--model", fixtureModel)
	if code != 0 || !strings.Contains(stderr, "note: activation cache entry") || !strings.Contains(stderr, "checksum mismatch") {
		t.Errorf("a corrupt entry: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run(t, "run", "--model", fixtureModel); code != 0 || strings.Contains(stderr, "note:") {
		t.Errorf("after the rewrite: exit %d, stderr %q", code, stderr)
	}
	t.Setenv(actcache.EnvVar, "plenty")
	if code, _, stderr := run(t, "run", "--model", fixtureModel); code != 1 || !strings.Contains(stderr, `LESIONUI_ACTIVATION_CACHE="plenty": not a size`) {
		t.Errorf("a bad %s: exit %d, stderr %q", actcache.EnvVar, code, stderr)
	}
}
