package actcache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/internal/filestest"
	"lesionui/sentences"
)

// model copies the tiny fixture into a folder of its own (so that tests may touch its files) and
// loads it.
func model(t *testing.T) *encoder.Model {
	t.Helper()
	dir := filestest.CopyDir(t, filepath.FromSlash("../engine/encoder/testdata/tiny-bert"))
	m, err := encoder.Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func open(t *testing.T, c *Cache, m *encoder.Model, set *sentences.ContrastSet, opt engine.Options) (*engine.Study, Outcome) {
	t.Helper()
	s, out, err := Open(context.Background(), c, m, set, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, out
}

func sameStudy(t *testing.T, a, b *engine.Study) {
	t.Helper()
	if a.Clean != b.Clean {
		t.Errorf("clean logits differ")
	}
	for l := range a.Layers {
		if !slices.Equal(a.Layers[l].T, b.Layers[l].T) || !slices.Equal(a.Layers[l].B, b.Layers[l].B) {
			t.Errorf("layer %d: the tests differ", l)
		}
	}
	ra, rb := a.Recording(), b.Recording()
	for l := range ra.Tested {
		if !slices.Equal(ra.Tested[l], rb.Tested[l]) || !slices.Equal(ra.Means[l][2], rb.Means[l][2]) {
			t.Errorf("layer %d: the recordings differ", l)
		}
	}
}

func TestSecondOpenReadsTheCache(t *testing.T) {
	m := model(t)
	c := &Cache{Dir: filepath.Join(t.TempDir(), "acts"), Limit: DefaultLimit}
	set := sentences.Builtin()
	first, out := open(t, c, m, set, engine.Options{})
	if out.Hit || out.Problem != nil {
		t.Fatalf("first open: %+v", out)
	}
	second, out := open(t, c, m, set, engine.Options{})
	if !out.Hit || out.Problem != nil {
		t.Fatalf("second open: %+v", out)
	}
	sameStudy(t, first, second)
	// Another point is another recording; so is another contrast set.
	if _, out := open(t, c, m, set, engine.Options{PostGELU: true}); out.Hit {
		t.Error("the post-GELU study read the pre-GELU recording")
	}
	if _, out := open(t, c, m, set, engine.Options{PostGELU: true}); !out.Hit {
		t.Error("the post-GELU recording was not kept")
	}
	// The folder can go at any time.
	if err := os.RemoveAll(c.Dir); err != nil {
		t.Fatal(err)
	}
	if _, out := open(t, c, m, set, engine.Options{}); out.Hit || out.Problem != nil {
		t.Errorf("after the folder was deleted: %+v", out)
	}
}

func TestKeyFollowsWhatTheRecordingDependsOn(t *testing.T) {
	m := model(t)
	set := sentences.Builtin()
	key := func(m *encoder.Model, set *sentences.ContrastSet, opt engine.Options) Key {
		t.Helper()
		k, err := KeyOf(m, set, opt)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key(m, set, engine.Options{})
	if key(m, set, engine.Options{}) != base {
		t.Fatal("the key is not stable")
	}
	// The statistics' options do not change the recording; the test texts are not part of it.
	test := *set
	test.Clean.Text += " "
	if key(m, set, engine.Options{Alpha: 0.01, Test: 1}) != base || key(m, &test, engine.Options{}) != base {
		t.Error("options or test texts that do not change the recording changed the key")
	}
	other := *set
	other.A.Sentences = slices.Clone(set.A.Sentences)
	other.A.Sentences[3].Text = "I saw him yesterday."
	changed := map[string]Key{
		"post-GELU": key(m, set, engine.Options{PostGELU: true}),
		"sentence":  key(m, &other, engine.Options{}),
	}
	touch := func(name string, edit func(path string)) {
		path := filepath.Join(m.Dir, name)
		edit(path)
		changed[name] = key(m, set, engine.Options{})
	}
	touch("vocab.txt", func(path string) {
		b, _ := os.ReadFile(path)
		os.WriteFile(path, append(b, "zzzz\n"...), 0o644)
	})
	touch("model.safetensors", func(path string) {
		later := time.Now().Add(time.Hour)
		os.Chtimes(path, later, later)
	})
	touch("config.json", func(path string) {
		b, _ := os.ReadFile(path)
		os.WriteFile(path, append(b, ' '), 0o644)
	})
	seen := map[Key]string{base: "base"}
	for what, k := range changed {
		if prev, ok := seen[k]; ok {
			t.Errorf("changing %s gives the key of %s", what, prev)
		}
		seen[k] = what
	}
}

// A corrupt, truncated or foreign entry is never used: Open records anew and replaces it.
func TestInvalidEntriesAreIgnoredAndRewritten(t *testing.T) {
	m := model(t)
	c := &Cache{Dir: t.TempDir(), Limit: DefaultLimit}
	set := sentences.Builtin()
	fresh, _ := open(t, c, m, set, engine.Options{})
	k, err := KeyOf(m, set, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := c.path(k)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := good[:len(good):len(good)]
	otherKey := slices.Clone(good)
	otherKey[13] ^= 1 // a byte of the key
	for _, c2 := range []struct {
		name string
		data []byte
		want string
	}{
		{"flipped byte", func() []byte { b := slices.Clone(good); b[len(b)/2] ^= 0x40; return b }(), "checksum mismatch"},
		{"truncated", good[:len(good)-100], "bytes, want"},
		{"empty", nil, "0 bytes"},
		{"other key", otherKey, "another key"},
		{"not an entry", append([]byte("#!/bin/sh\n"), other[10:]...), "not an activation cache entry"},
		{"other version", func() []byte { b := slices.Clone(good); b[8] = 9; return b }(), "format version 9"},
	} {
		if err := os.WriteFile(path, c2.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := c.Load(k, shapeOf(m, set))
		var inv *InvalidError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), c2.want) {
			t.Errorf("%s: Load error %v, want an InvalidError with %q", c2.name, err, c2.want)
		}
		s, out := open(t, c, m, set, engine.Options{})
		if out.Hit || out.Problem == nil {
			t.Errorf("%s: Open %+v, want a new recording and the problem", c2.name, out)
		}
		sameStudy(t, fresh, s)
		if b, _ := os.ReadFile(path); !slices.Equal(b, good) {
			t.Errorf("%s: the entry was not rewritten", c2.name)
		}
	}
	// An entry of another shape (a model of other sizes under the same key) is refused by size.
	if _, err := c.Load(k, Shape{Layers: 3, Sentences: 108, Units: 32}); err == nil || !strings.Contains(err.Error(), "bytes, want") {
		t.Errorf("another shape: %v", err)
	}
	// A directory where the entry belongs is not read (and not removed).
	os.Remove(path)
	os.Mkdir(path, 0o755)
	if _, err := c.Load(k, shapeOf(m, set)); err == nil || errors.Is(err, ErrMiss) {
		t.Errorf("a directory as the entry: %v", err)
	}
}

func TestLeastRecentlyUsedGoFirst(t *testing.T) {
	m := model(t)
	set := sentences.Builtin()
	size := shapeOf(m, set).size()
	c := &Cache{Dir: t.TempDir(), Limit: 2*size + size/2} // room for two entries
	rec := func(post bool) engine.Recording {
		s, _ := open(t, nil, m, set, engine.Options{PostGELU: post})
		return s.Recording()
	}
	keys := []Key{{1}, {2}, {3}}
	past := time.Now().Add(-time.Hour)
	for i, k := range keys {
		if err := c.Store(k, rec(i == 1)); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(c.path(k), past.Add(time.Duration(i)*time.Minute), past.Add(time.Duration(i)*time.Minute))
		if i == 1 {
			if _, err := c.Load(keys[0], shapeOf(m, set)); err != nil { // key 1 used: key 2 is now the oldest
				t.Fatal(err)
			}
		}
	}
	var left []string
	entries, _ := os.ReadDir(c.Dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if len(left) != 2 || !slices.Contains(left, keys[0].String()+fileSuffix) || !slices.Contains(left, keys[2].String()+fileSuffix) {
		t.Errorf("left %v, want keys 1 and 3", left)
	}
	// A recording larger than the whole limit is not stored.
	small := &Cache{Dir: t.TempDir(), Limit: size - 1}
	if err := small.Store(keys[0], rec(false)); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(small.Dir); len(entries) != 0 {
		t.Errorf("an entry over the limit was stored: %v", entries)
	}
}

func TestFromEnvAndParseSize(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/somewhere")
	for _, c := range []struct {
		v     string
		limit int64
		off   bool
		err   string
	}{
		{"", DefaultLimit, false, ""}, {"500MB", 500e6, false, ""}, {"1.5GiB", 3 << 29, false, ""}, {"123", 123, false, ""},
		{"2 gb", 2e9, false, ""}, {"off", 0, true, ""}, {"0", 0, true, ""}, {"OFF", 0, true, ""},
		{"lots", 0, false, "LESIONUI_ACTIVATION_CACHE=\"lots\": not a size"}, {"-1GB", 0, false, "not a size"}, {"1e400", 0, false, "not a size"},
	} {
		t.Setenv(EnvVar, c.v)
		got, err := FromEnv()
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.v, err, c.err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.v, err)
		case c.off:
			if got != nil {
				t.Errorf("%q: cache %+v, want none", c.v, got)
			}
		case got == nil || got.Limit != c.limit || got.Dir != "/somewhere/lesionui/activations":
			t.Errorf("%q: %+v, want limit %d in /somewhere/lesionui/activations", c.v, got, c.limit)
		}
	}
	// Without a cache folder there is no cache, and no error.
	t.Setenv(EnvVar, "")
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if c, err := FromEnv(); c != nil || err != nil {
		t.Errorf("no cache folder: %+v, %v", c, err)
	}
}
