package hub

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	commitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	commitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// weights is a stand-in safetensors payload, big enough for several reads.
var weights = strings.Repeat("0123456789abcdef", 5000)

func bertFiles() map[string]fakeFile {
	return map[string]fakeFile{
		"config.json":           {data: `{"model_type":"bert"}`},
		"vocab.txt":             {data: "[PAD]\n[UNK]\nhello\n"},
		"tokenizer_config.json": {data: `{"do_lower_case":true}`},
		"model.safetensors":     {data: weights, lfs: true},
		"pytorch_model.bin":     {data: "pickle", lfs: true},
	}
}

func testOptions(f *fakeHub) Options {
	return Options{Endpoint: f.url(), CacheDir: f.t.TempDir(), Client: f.client}
}

func mustResolve(t *testing.T, arg string, opt Options) string {
	t.Helper()
	dir, err := Resolve(context.Background(), arg, opt)
	if err != nil {
		t.Fatalf("Resolve(%q): %v", arg, err)
	}
	return dir
}

// checkSnapshot checks that dir is the snapshot of commit in huggingface_hub's layout and holds
// want, each file a relative symlink to blobs/<etag>.
func checkSnapshot(t *testing.T, cache, repo, commit, dir string, want map[string]fakeFile) {
	t.Helper()
	root := filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
	if dir != filepath.Join(root, "snapshots", commit) {
		t.Fatalf("dir = %s, want %s", dir, filepath.Join(root, "snapshots", commit))
	}
	for name, ff := range want {
		ptr := filepath.Join(dir, name)
		target, err := os.Readlink(ptr)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantTarget := strings.Repeat("../", 2+strings.Count(name, "/")) + "blobs/" + ff.etag()
		if target != wantTarget {
			t.Errorf("%s -> %s, want %s", name, target, wantTarget)
		}
		b, err := os.ReadFile(ptr)
		if err != nil || string(b) != ff.data {
			t.Errorf("%s: content %.20q (err %v), want %.20q", name, b, err, ff.data)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(root, "blobs"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".incomplete") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestFreshDownloadLayout(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	f.tokens["secret"] = true
	opt := testOptions(f)
	opt.Token = "secret"
	var reports []Progress
	opt.Progress = func(p Progress) { reports = append(reports, p) }

	dir := mustResolve(t, "org/bert", opt)
	want := map[string]fakeFile{}
	for _, n := range []string{"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"} {
		want[n] = files[n]
	}
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, want)
	root := filepath.Join(opt.CacheDir, "models--org--bert")
	if b, err := os.ReadFile(filepath.Join(root, "refs", "main")); err != nil || string(b) != commitA {
		t.Errorf("refs/main = %q, %v; want %s", b, err, commitA)
	}
	for _, n := range []string{"tokenizer.json", "special_tokens_map.json"} {
		if st, err := os.Stat(filepath.Join(root, ".no_exist", commitA, n)); err != nil || st.Size() != 0 {
			t.Errorf(".no_exist/%s: %v", n, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "pytorch_model.bin")); err == nil {
		t.Error("pytorch_model.bin downloaded")
	}
	if !f.authSeen["hub"] || f.authSeen["cdn"] {
		t.Errorf("Authorization seen %v, want on the hub only", f.authSeen)
	}
	var finished []string
	for _, p := range reports {
		// config.json is fetched first, on its own and without progress.
		if p.Files != 3 || p.FileIndex < 1 || p.FileIndex > 3 || p.Done > p.Total {
			t.Errorf("bad report %+v", p)
		}
		if p.Finished {
			finished = append(finished, p.File)
			if p.Done != int64(len(files[p.File].data)) {
				t.Errorf("finished %s at %d bytes", p.File, p.Done)
			}
		}
	}
	slices.Sort(finished)
	if !slices.Equal(finished, []string{"model.safetensors", "tokenizer_config.json", "vocab.txt"}) {
		t.Errorf("finished reports for %v", finished)
	}
	f.requests()

	// Everything is cached: Resolve sends nothing, Download asks only for the commit of main.
	if again := mustResolve(t, "org/bert", opt); again != dir {
		t.Errorf("second Resolve gave %s", again)
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("second Resolve sent %v", reqs)
	}
	if _, err := Download(context.Background(), ModelID{"org/bert", "main"}, opt); err != nil {
		t.Fatal(err)
	}
	if reqs := f.requests(); !slices.Equal(reqs, []string{"HEAD hub /org/bert/resolve/main/config.json"}) {
		t.Errorf("Download of a cached model sent %v", reqs)
	}
}

func TestBranchMovesToNewCommit(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	opt := testOptions(f)
	mustResolve(t, "org/bert", opt)
	newer := bertFiles()
	newer["config.json"] = fakeFile{data: `{"model_type":"bert","v":2}`}
	f.add("org/bert", commitB, newer)
	f.requests()
	dir, err := Download(context.Background(), ModelID{"org/bert", "main"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, opt.CacheDir, "org/bert", commitB, dir, map[string]fakeFile{"config.json": newer["config.json"], "model.safetensors": newer["model.safetensors"]})
	// The unchanged weights blob is shared: only the new config.json is fetched.
	var gets []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "GET") {
			gets = append(gets, r)
		}
	}
	if !slices.Equal(gets, []string{"GET hub /org/bert/resolve/" + commitB + "/config.json"}) {
		t.Errorf("GETs %v", gets)
	}
}

// noRetryDelay makes retries immediate for the test.
func noRetryDelay(t *testing.T) {
	old := retryDelay
	retryDelay = 0
	t.Cleanup(func() { retryDelay = old })
}

func TestResumeAfterCut(t *testing.T) {
	noRetryDelay(t)
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	f.cut["model.safetensors"] = 30000
	opt := testOptions(f)
	dir := mustResolve(t, "org/bert", opt)
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, map[string]fakeFile{"model.safetensors": files["model.safetensors"]})
	var cdnGets []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "GET cdn /blob/") {
			cdnGets = append(cdnGets, r)
		}
	}
	sha := files["model.safetensors"].etag()
	want := []string{"GET cdn /blob/" + sha, "GET cdn /blob/" + sha + " bytes=30000-"}
	if !slices.Equal(cdnGets, want) {
		t.Errorf("CDN GETs %v, want %v", cdnGets, want)
	}
}

func TestResumeAfterStall(t *testing.T) {
	noRetryDelay(t)
	old := stallTimeout
	stallTimeout = 50 * time.Millisecond
	t.Cleanup(func() { stallTimeout = old })
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	f.stall["model.safetensors"] = 20000
	opt := testOptions(f)
	dir := mustResolve(t, "org/bert", opt)
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, map[string]fakeFile{"model.safetensors": files["model.safetensors"]})
	if reqs := f.requests(); !slices.Contains(reqs, "GET cdn /blob/"+files["model.safetensors"].etag()+" bytes=20000-") {
		t.Errorf("no resume after the stall in %v", reqs)
	}
}

func TestResumeLeftoverPartial(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	opt := testOptions(f)
	writePartial(t, opt, "org/bert", files["model.safetensors"], weights[:700])
	dir := mustResolve(t, "org/bert", opt)
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, map[string]fakeFile{"model.safetensors": files["model.safetensors"]})
	if reqs := f.requests(); !slices.Contains(reqs, "GET cdn /blob/"+files["model.safetensors"].etag()+" bytes=700-") {
		t.Errorf("no resume request in %v", reqs)
	}
}

// writePartial leaves data as the partial download of file's blob, as an interrupted run would.
func writePartial(t *testing.T, opt Options, repo string, file fakeFile, data string) {
	t.Helper()
	blobs := filepath.Join(opt.CacheDir, "models--"+strings.ReplaceAll(repo, "/", "--"), "blobs")
	os.MkdirAll(blobs, 0o755)
	if err := os.WriteFile(filepath.Join(blobs, file.etag()+".incomplete"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResumeEdgeCases(t *testing.T) {
	for _, c := range []struct {
		name    string
		partial string
		noRange bool
		want    string // the CDN GET of the weights
	}{
		{"complete but not renamed: 416", weights, false, " bytes=80000-"},

		{"server ignores Range: 200 restarts", weights[:500], true, " bytes=500-"},
		{"partial longer than the file: restart", weights + "junk", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeHub(t)
			files := bertFiles()
			f.add("org/bert", commitA, files)
			f.noRange = c.noRange
			opt := testOptions(f)
			writePartial(t, opt, "org/bert", files["model.safetensors"], c.partial)
			dir := mustResolve(t, "org/bert", opt)
			checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, map[string]fakeFile{"model.safetensors": files["model.safetensors"]})
			want := "GET cdn /blob/" + files["model.safetensors"].etag() + c.want
			if reqs := f.requests(); !slices.Contains(reqs, want) {
				t.Errorf("no %q in %v", want, reqs)
			}
		})
	}
}

func TestConcurrentResolve(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	opt := testOptions(f)
	dirs := make([]string, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range dirs {
		wg.Go(func() { dirs[i], errs[i] = Resolve(context.Background(), "org/bert", opt) })
	}
	wg.Wait()
	for i := range dirs {
		if errs[i] != nil || dirs[i] != dirs[0] {
			t.Fatalf("Resolve %d: %s, %v", i, dirs[i], errs[i])
		}
	}
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dirs[0], map[string]fakeFile{"model.safetensors": files["model.safetensors"]})
	n := 0
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "GET cdn /blob/") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the weights were downloaded %d times, want once (the blob lock)", n)
	}
}

func TestCancelLeavesOnlyPartial(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	opt := testOptions(f)
	ctx, cancel := context.WithCancel(context.Background())
	opt.Progress = func(p Progress) {
		if p.File == "model.safetensors" {
			cancel()
		}
	}
	f.cut["model.safetensors"] = 1000 // the body stops short: the cancel lands mid-file
	_, err := Resolve(ctx, "org/bert", opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	blob := filepath.Join(opt.CacheDir, "models--org--bert", "blobs", files["model.safetensors"].etag())
	if _, err := os.Stat(blob); err == nil {
		t.Error("an interrupted download was put in blobs/")
	}
	opt.Progress = nil
	dir := mustResolve(t, "org/bert", opt)
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, map[string]fakeFile{"model.safetensors": files["model.safetensors"]})
}

func TestCorruptDownload(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	f.corrupt["model.safetensors"] = true
	opt := testOptions(f)
	_, err := Resolve(context.Background(), "org/bert", opt)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "corrupt download") || !strings.Contains(err.Error(), "model.safetensors") {
		t.Fatalf("err = %v, want a corrupt download of model.safetensors", err)
	}
	root := filepath.Join(opt.CacheDir, "models--org--bert")
	entries, _ := os.ReadDir(filepath.Join(root, "blobs"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), files["model.safetensors"].etag()) {
			t.Errorf("corrupt data kept as %s", e.Name())
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "snapshots", commitA, "model.safetensors")); err == nil {
		t.Error("corrupt file linked into the snapshot")
	}
}

func TestOffline(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	opt := testOptions(f)
	opt.Offline = true
	_, err := Resolve(context.Background(), "org/bert", opt)
	root := filepath.Join(opt.CacheDir, "models--org--bert")
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), root) || !strings.Contains(err.Error(), "--model") {
		t.Errorf("err = %v, want ErrOffline naming %s and --model", err, root)
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("offline Resolve sent %v", reqs)
	}

	opt.Offline = false
	dir := mustResolve(t, "org/bert", opt)
	// A cache written by Python may not record absent files; offline it is used as it is.
	os.RemoveAll(filepath.Join(root, ".no_exist"))
	os.Remove(filepath.Join(dir, "tokenizer_config.json"))
	f.requests()
	opt.Offline = true
	if got := mustResolve(t, "org/bert", opt); got != dir {
		t.Errorf("offline Resolve gave %s, want %s", got, dir)
	}
	if got, err := Download(context.Background(), ModelID{"org/bert", "main"}, opt); err != nil || got != dir {
		t.Errorf("offline Download gave %s, %v", got, err)
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("offline sent %v", reqs)
	}
}

func TestNetworkDown(t *testing.T) {
	f := newFakeHub(t)
	f.add("org/bert", commitA, bertFiles())
	opt := testOptions(f)
	dir := mustResolve(t, "org/bert", opt)
	f.hub.Close()
	// The cached snapshot stands in when the Hub is unreachable.
	if got, err := Download(context.Background(), ModelID{"org/bert", "main"}, opt); err != nil || got != dir {
		t.Errorf("Download with the Hub down gave %s, %v; want %s", got, err, dir)
	}
	_, err := Resolve(context.Background(), "org/other", opt)
	want := filepath.Join(opt.CacheDir, "models--org--other")
	if !errors.Is(err, ErrNetwork) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--model DIR") || !strings.Contains(err.Error(), "org/other") {
		t.Errorf("err = %v, want ErrNetwork naming org/other, %s and --model DIR", err, want)
	}
}

func TestShardedWeights(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	delete(files, "model.safetensors")
	files["tokenizer.json"] = fakeFile{data: `{"model":{"type":"WordPiece"}}`}
	files["model.safetensors.index.json"] = fakeFile{data: `{"metadata":{"total_size":20},"weight_map":{
		"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors","c":"model-00001-of-00002.safetensors"}}`}
	files["model-00001-of-00002.safetensors"] = fakeFile{data: weights[:5000], lfs: true}
	files["model-00002-of-00002.safetensors"] = fakeFile{data: weights[5000:9000], lfs: true}
	f.add("org/big", commitA, files)
	opt := testOptions(f)
	var maxFiles int
	opt.Progress = func(p Progress) { maxFiles = max(maxFiles, p.Files) }
	dir := mustResolve(t, "org/big", opt)
	want := map[string]fakeFile{}
	for _, n := range []string{"config.json", "tokenizer.json", "vocab.txt", "model.safetensors.index.json",
		"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"} {
		want[n] = files[n]
	}
	checkSnapshot(t, opt.CacheDir, "org/big", commitA, dir, want)
	if maxFiles != 5 { // config.json and the index are fetched first, without progress
		t.Errorf("progress counted %d files, want 5", maxFiles)
	}
	f.requests()
	mustResolve(t, "org/big", opt)
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("second Resolve sent %v", reqs)
	}
	// A shard whose blob went missing makes the snapshot incomplete again.
	os.Remove(filepath.Join(opt.CacheDir, "models--org--big", "blobs", files["model-00002-of-00002.safetensors"].etag()))
	mustResolve(t, "org/big", opt)
	checkSnapshot(t, opt.CacheDir, "org/big", commitA, dir, want)
}

func TestIndexOutsideRepository(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	delete(files, "model.safetensors")
	files["model.safetensors.index.json"] = fakeFile{data: `{"weight_map":{"a":"../../../etc/passwd"}}`}
	f.add("org/evil", commitA, files)
	_, err := Resolve(context.Background(), "org/evil", testOptions(f))
	if err == nil || !strings.Contains(err.Error(), "not a file of the repository") {
		t.Errorf("err = %v", err)
	}
}

func TestHTTPErrors(t *testing.T) {
	f := newFakeHub(t)
	f.tokens["secret"], f.tokens["other"] = true, true
	private := f.add("org/private", commitA, bertFiles())
	private.private, private.member = true, "secret"
	gated := f.add("org/gated", commitA, bertFiles())
	gated.gated, gated.member = true, "secret"
	f.add("org/empty", commitA, map[string]fakeFile{"README.md": {data: "hi"}})
	f.add("org/notok", commitA, map[string]fakeFile{"config.json": {data: "{}"}, "model.safetensors": {data: "x", lfs: true}})
	f.add("org/public", commitA, bertFiles())
	cases := []struct {
		arg, token, source string
		noImplicit         bool
		kind               error
		want               []string
	}{
		{"org/nope", "", "", false, ErrUnauthorized, []string{"org/nope: config.json", "HTTP 401", "no token was sent", "hf auth login", "/hf/token"}},
		{"org/private", "", "", false, ErrUnauthorized, []string{"private or gated", "set HF_TOKEN"}},
		{"org/private", "", "", true, ErrUnauthorized, []string{"unset HF_HUB_DISABLE_IMPLICIT_TOKEN"}},
		{"org/private", "other", "the HF_TOKEN environment variable", false, ErrNotFound, []string{"HTTP 404", "the token from the HF_TOKEN environment variable has no access"}},
		// An unknown token is refused on any repository, public ones included, and said so.
		{"org/public", "hf_bad", "the HF_TOKEN environment variable", false, ErrInvalidToken,
			[]string{"invalid token", "refused the token from the HF_TOKEN environment variable", "Invalid credentials", "takes precedence over the token file /hf/token"}},
		{"org/public", "hf_bad", "the token file /hf/token", false, ErrInvalidToken,
			[]string{"refused the token from the token file /hf/token", "hf auth login --force"}},
		{"org/gated", "", "", false, ErrUnauthorized, []string{"gated", f.url() + "/org/gated", "hf auth login"}},
		{"org/gated", "other", "the HF_TOKEN environment variable", false, ErrUnauthorized, []string{"HTTP 403", "not in the authorized list", "accept its conditions"}},
		{"org/empty", "", "", false, ErrNotFound, []string{"org/empty: config.json", "no config.json"}},
		{"org/notok", "", "", false, ErrNotFound, []string{"org/notok: tokenizer.json", "has no tokenizer"}},
		{"org/private@v9", "secret", "the HF_TOKEN environment variable", false, ErrNotFound, []string{"HTTP 404", `no revision "v9"`, "Invalid rev id"}},
	}
	for _, c := range cases {
		opt := testOptions(f)
		opt.Token, opt.TokenSource, opt.TokenFile, opt.NoImplicitToken = c.token, c.source, "/hf/token", c.noImplicit
		_, err := Resolve(context.Background(), c.arg, opt)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s (token %q): err = %v, want %v", c.arg, c.token, err, c.kind)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s (token %q): %q lacks %q", c.arg, c.token, err, w)
			}
		}
	}
	opt := testOptions(f)
	opt.Token = "secret"
	mustResolve(t, "org/private", opt)
	mustResolve(t, "org/gated", opt)
}

func TestOnlyPytorchWeights(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	delete(files, "model.safetensors")
	f.add("org/old", commitA, files)
	_, err := Resolve(context.Background(), "org/old", testOptions(f))
	if !errors.Is(err, ErrNoSafetensors) {
		t.Fatalf("err = %v, want ErrNoSafetensors", err)
	}
	for _, w := range []string{"only pytorch_model.bin", "save_pretrained(\"DIR\", safe_serialization=True)", "--model DIR"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q lacks %q", err, w)
		}
	}
}

func TestRevisionPinning(t *testing.T) {
	f := newFakeHub(t)
	old := bertFiles()
	old["config.json"] = fakeFile{data: `{"old":true}`}
	f.add("org/bert", commitA, old)
	r := f.add("org/bert", commitB, bertFiles()) // main -> commitB
	r.refs["v1"] = commitA
	opt := testOptions(f)
	dir := mustResolve(t, "org/bert@"+commitA, opt)
	checkSnapshot(t, opt.CacheDir, "org/bert", commitA, dir, map[string]fakeFile{"config.json": old["config.json"]})
	root := filepath.Join(opt.CacheDir, "models--org--bert")
	if _, err := os.Stat(filepath.Join(root, "refs")); err == nil {
		t.Error("a commit revision wrote refs/")
	}
	for _, req := range f.requests() {
		if !strings.Contains(req, commitA) && !strings.HasPrefix(req, "GET cdn") {
			t.Errorf("request off the pinned commit: %s", req)
		}
	}
	if _, err := Download(context.Background(), ModelID{"org/bert", commitA}, opt); err != nil {
		t.Fatal(err)
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("Download of a cached commit sent %v", reqs)
	}
	if got := mustResolve(t, "org/bert@v1", opt); got != dir {
		t.Errorf("v1 gave %s, want %s", got, dir)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "refs", "v1")); string(b) != commitA {
		t.Errorf("refs/v1 = %q", b)
	}
	main := mustResolve(t, "org/bert", opt)
	checkSnapshot(t, opt.CacheDir, "org/bert", commitB, main, map[string]fakeFile{"config.json": bertFiles()["config.json"]})
}

func TestRenamedRepository(t *testing.T) {
	f := newFakeHub(t)
	f.add("new/bert", commitA, bertFiles())
	f.renamed["old/bert"] = "new/bert"
	opt := testOptions(f)
	dir := mustResolve(t, "old/bert", opt)
	checkSnapshot(t, opt.CacheDir, "old/bert", commitA, dir, map[string]fakeFile{"config.json": bertFiles()["config.json"]})
}

func TestLocalDirectory(t *testing.T) {
	local := t.TempDir()
	opt := Options{Endpoint: "http://127.0.0.1:1", CacheDir: t.TempDir()}
	if got := mustResolve(t, local, opt); got != local {
		t.Errorf("Resolve(%s) = %s", local, got)
	}
	file := filepath.Join(local, "config.json")
	os.WriteFile(file, []byte("{}"), 0o644)
	for arg, want := range map[string]string{
		file:                             "is a file",
		filepath.Join(local, "missing"):  "does not exist",
		"./models/bert-base/checkpoints": "does not exist",
	} {
		if _, err := Resolve(context.Background(), arg, opt); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%s): err = %v, want %q", arg, err, want)
		}
	}
}

func TestDiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	f := newFakeHub(t)
	files := bertFiles()
	f.add("org/bert", commitA, files)
	opt := testOptions(f)
	blobs := filepath.Join(opt.CacheDir, "models--org--bert", "blobs")
	os.MkdirAll(blobs, 0o755)
	if err := os.Symlink("/dev/full", filepath.Join(blobs, files["model.safetensors"].etag()+".incomplete")); err != nil {
		t.Fatal(err)
	}
	_, err := Resolve(context.Background(), "org/bert", opt)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "80000 more bytes are needed in "+blobs) {
		t.Errorf("err = %v, want ErrDiskFull asking 80000 bytes in %s", err, blobs)
	}
}

func TestParseModelID(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ModelID
		err  bool
	}{
		{"bert-large-uncased", ModelID{"bert-large-uncased", "main"}, false},
		{"google-bert/bert-base-uncased", ModelID{"google-bert/bert-base-uncased", "main"}, false},
		{"org/name@v1.0", ModelID{"org/name", "v1.0"}, false},
		{"org/name@" + commitA, ModelID{"org/name", commitA}, false},
		{"org/name@refs/pr/1", ModelID{"org/name", "refs/pr/1"}, false},
		{"", ModelID{}, true},
		{"org/name@", ModelID{}, true},
		{"a/b/c", ModelID{}, true},
		{"/abs/path", ModelID{}, true},
		{"org--x/name", ModelID{}, true},
		{"org/na..me", ModelID{}, true},
		{"-org/name", ModelID{}, true},
		{"org/name.", ModelID{}, true},
		{"org/na me", ModelID{}, true},
		{"org/name@../x", ModelID{}, true},
		{strings.Repeat("x", 97), ModelID{}, true},
	} {
		got, err := ParseModelID(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseModelID(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.err)
		}
	}
	if _, err := Download(context.Background(), ModelID{Repo: "../../etc"}, Options{Offline: true, CacheDir: t.TempDir()}); err == nil {
		t.Error("Download accepted the repository ../../etc")
	}
	if s := (ModelID{"org/name", "main"}).String(); s != "org/name" {
		t.Errorf("String = %q", s)
	}
}

func TestOptionsFromEnv(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "hfhome"), 0o755)
	os.WriteFile(filepath.Join(home, "hfhome", "token"), []byte("hf_file\r\n"), 0o600)
	os.WriteFile(filepath.Join(home, "other-token"), []byte("  hf_other \n"), 0o600)
	const fileSrc, envSrc, legacySrc = "the token file ", "the HF_TOKEN environment variable", "the HUGGING_FACE_HUB_TOKEN environment variable"
	defaultCache := home + "/.cache/huggingface/hub"
	for _, c := range []struct {
		env                            map[string]string
		cache, token, source, endpoint string
		offline, noImplicit            bool
	}{
		{map[string]string{}, defaultCache, "", "", DefaultEndpoint, false, false},
		{map[string]string{"XDG_CACHE_HOME": "/xdg"}, "/xdg/huggingface/hub", "", "", DefaultEndpoint, false, false},
		{map[string]string{"HF_HOME": "~/hfhome", "XDG_CACHE_HOME": "/xdg"}, home + "/hfhome/hub", "hf_file", fileSrc + home + "/hfhome/token", DefaultEndpoint, false, false},
		{map[string]string{"HF_HOME": home + "/hfhome", "HUGGINGFACE_HUB_CACHE": "/legacy", "HUGGING_FACE_HUB_TOKEN": "hf_old"}, "/legacy", "hf_old", legacySrc, DefaultEndpoint, false, false},
		{map[string]string{"HF_HUB_CACHE": "/new", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_TOKEN": " hf_new\n", "HUGGING_FACE_HUB_TOKEN": "hf_old"}, "/new", "hf_new", envSrc, DefaultEndpoint, false, false},
		{map[string]string{"HF_ENDPOINT": "https://mirror.example/", "HF_HUB_OFFLINE": "1"}, defaultCache, "", "", "https://mirror.example", true, false},
		{map[string]string{"TRANSFORMERS_OFFLINE": "true", "HF_TOKEN_PATH": "$HOME/other-token"}, defaultCache, "hf_other", fileSrc + home + "/other-token", DefaultEndpoint, true, false},
		// constants.py: HF_HUB_OFFLINE, when set, decides alone; only when unset does
		// TRANSFORMERS_OFFLINE count. Values are matched as given: " 1" is not true.
		{map[string]string{"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1"}, defaultCache, "", "", DefaultEndpoint, false, false},
		{map[string]string{"HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": "yes"}, defaultCache, "", "", DefaultEndpoint, true, false},
		{map[string]string{"HF_HUB_OFFLINE": " 1"}, defaultCache, "", "", DefaultEndpoint, false, false},
		{map[string]string{"HF_HUB_OFFLINE": "On"}, defaultCache, "", "", DefaultEndpoint, true, false},
		// HF_HUB_DISABLE_IMPLICIT_TOKEN: neither HF_TOKEN nor the token file.
		{map[string]string{"HF_HUB_DISABLE_IMPLICIT_TOKEN": "1", "HF_TOKEN": "hf_new", "HF_HOME": home + "/hfhome"}, home + "/hfhome/hub", "", "", DefaultEndpoint, false, true},
		{map[string]string{"HF_HUB_DISABLE_IMPLICIT_TOKEN": "TRUE", "HF_HOME": home + "/hfhome"}, home + "/hfhome/hub", "", "", DefaultEndpoint, false, true},
		{map[string]string{"HF_HUB_DISABLE_IMPLICIT_TOKEN": "0", "HF_HOME": home + "/hfhome"}, home + "/hfhome/hub", "hf_file", fileSrc + home + "/hfhome/token", DefaultEndpoint, false, false},
		// A HF_TOKEN of blanks is chosen over HUGGING_FACE_HUB_TOKEN and cleaned to nothing:
		// the token file is used.
		{map[string]string{"HF_TOKEN": " \n", "HUGGING_FACE_HUB_TOKEN": "hf_old", "HF_HOME": home + "/hfhome"}, home + "/hfhome/hub", "hf_file", fileSrc + home + "/hfhome/token", DefaultEndpoint, false, false},
		// $VARS and ~ in the paths; unknown variables stay as they are.
		{map[string]string{"HF_HOME": "${HOME}/hf$NOPE"}, home + "/hf$NOPE/hub", "", "", DefaultEndpoint, false, false},
		{map[string]string{"HF_HUB_CACHE": "~/c", "XDG_CACHE_HOME": "$HOME/x"}, home + "/c", "", "", DefaultEndpoint, false, false},
		{map[string]string{"XDG_CACHE_HOME": "$HOME/x"}, home + "/x/huggingface/hub", "", "", DefaultEndpoint, false, false},
		// transformers 4.x: TRANSFORMERS_CACHE > PYTORCH_TRANSFORMERS_CACHE >
		// PYTORCH_PRETRAINED_BERT_CACHE > HF_HUB_CACHE, used as given.
		{map[string]string{"TRANSFORMERS_CACHE": "/tc", "PYTORCH_TRANSFORMERS_CACHE": "/ptc", "HF_HUB_CACHE": "/new"}, "/tc", "", "", DefaultEndpoint, false, false},
		{map[string]string{"PYTORCH_PRETRAINED_BERT_CACHE": "/pbc", "HF_HUB_CACHE": "/new"}, "/pbc", "", "", DefaultEndpoint, false, false},
	} {
		c.env["HOME"] = home
		opt := optionsFromEnv(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
		if err := opt.tokenErr; err != nil || filepath.Clean(opt.CacheDir) != filepath.FromSlash(c.cache) || opt.Token != c.token || opt.TokenSource != c.source ||
			opt.Endpoint != c.endpoint || opt.Offline != c.offline || opt.NoImplicitToken != c.noImplicit {
			t.Errorf("env %v: got cache %s token %q from %q endpoint %q offline %v no-implicit %v (err %v); want %s %q %q %q %v %v",
				c.env, opt.CacheDir, opt.Token, opt.TokenSource, opt.Endpoint, opt.Offline, opt.NoImplicitToken, err,
				c.cache, c.token, c.source, c.endpoint, c.offline, c.noImplicit)
		}
	}
	// A token file that cannot be read fails the first request to the Hub, as huggingface_hub
	// fails; a missing one is no token; a local directory needs neither.
	f := newFakeHub(t)
	f.add("org/bert", commitA, bertFiles())
	for path, want := range map[string]string{home: "directory", filepath.Join(home, "missing"): ""} {
		opt := optionsFromEnv(func(k string) (string, bool) {
			return map[string]string{"HOME": home, "HF_TOKEN_PATH": path}[k], k == "HOME" || k == "HF_TOKEN_PATH"
		})
		opt.Endpoint, opt.Client, opt.CacheDir = f.url(), f.client, t.TempDir()
		_, err := Resolve(context.Background(), "org/bert", opt)
		if (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("token file %s: err %v, want %q", path, err, want)
		}
		if _, err := Resolve(context.Background(), home, opt); err != nil {
			t.Errorf("token file %s, local directory: %v", path, err)
		}
	}
}

func TestProgressPrinter(t *testing.T) {
	var b strings.Builder
	print := NewProgressPrinter(&b)
	print(Progress{File: "model.safetensors", Done: 5e8, Total: 1.34e9, Rate: 5.2e6, FileIndex: 2, Files: 5})
	print(Progress{File: "model.safetensors", Done: 1.34e9, Total: 1.34e9, Rate: 5.2e6, FileIndex: 2, Files: 5, Finished: true})
	want := "model.safetensors [2/5]  1.34 GB / 1.34 GB 100%  5.2 MB/s  done\n"
	if b.String() != want {
		t.Errorf("printed %q, want %q", b.String(), want)
	}
	b.Reset()
	live := progressPrinter(&b, true)
	live(Progress{File: "a", Done: 1, Total: 2000})
	live(Progress{File: "a", Done: 2000, Total: 2000, Finished: true})
	if want := "\ra  1 B / 2.0 kB   0%\ra  2.0 kB / 2.0 kB 100%  done\n"; b.String() != want {
		t.Errorf("live printer wrote %q, want %q", b.String(), want)
	}
	s := formatProgress(Progress{File: "vocab.txt", Done: 1500, Total: 232000, Rate: 1000, ETA: 230e9, FileIndex: 1, Files: 1})
	if s != "vocab.txt [1/1]  1.5 kB / 232.0 kB   0%  1.0 kB/s  ETA 3m50s" {
		t.Errorf("formatProgress = %q", s)
	}
}

func TestETags(t *testing.T) {
	for in, want := range map[string]string{
		`"abc123"`: "abc123", `W/"abc123"`: "abc123", ` "x-1" `: "x-1", "plain": "plain",
	} {
		if got := normalizeETag(in); got != want {
			t.Errorf("normalizeETag(%q) = %q, want %q", in, got, want)
		}
	}
	for s, want := range map[string]bool{
		"0da54bf6": true, "abc-3": true, "YWJj+/==": false, "YWJj+==": true, "": false,
		"..": false, ".hidden": false, "a/b": false, `a\b`: false, "a b": false, strings.Repeat("a", 201): false,
	} {
		if validETag(s) != want {
			t.Errorf("validETag(%q) = %v", s, !want)
		}
	}
}

// pythonCache lays out a cache the way huggingface_hub leaves it after
// hf_hub_download of a few files: blobs named by ETag, relative symlinks, refs/main without a
// newline, and no .no_exist entries.
func pythonCache(t *testing.T, cache, repo, commit string, files map[string]fakeFile) string {
	t.Helper()
	root := filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
	snap := filepath.Join(root, "snapshots", commit)
	for _, d := range []string{filepath.Join(root, "blobs"), filepath.Join(root, "refs"), snap} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "refs", "main"), []byte(commit), 0o644)
	for name, ff := range files {
		os.WriteFile(filepath.Join(root, "blobs", ff.etag()), []byte(ff.data), 0o644)
		if err := os.Symlink("../../blobs/"+ff.etag(), filepath.Join(snap, name)); err != nil {
			t.Fatal(err)
		}
	}
	return snap
}

func TestPythonMadeCache(t *testing.T) {
	all := bertFiles()
	files := map[string]fakeFile{"config.json": all["config.json"], "vocab.txt": all["vocab.txt"], "model.safetensors": all["model.safetensors"]}
	for _, offline := range []bool{true, false} {
		// Online, the Hub is unreachable: the snapshot lacks optional files but still serves.
		opt := Options{Endpoint: "http://127.0.0.1:1", CacheDir: t.TempDir(), Offline: offline}
		snap := pythonCache(t, opt.CacheDir, "google-bert/bert-base-uncased", commitA, files)
		if got := mustResolve(t, "google-bert/bert-base-uncased", opt); got != snap {
			t.Errorf("offline %v: Resolve gave %s, want %s", offline, got, snap)
		}
		if got := mustResolve(t, "google-bert/bert-base-uncased@"+commitA, opt); got != snap {
			t.Errorf("offline %v: Resolve at the commit gave %s, want %s", offline, got, snap)
		}
	}
	// Without the weights the cached copy is not enough, and the error says where it looked.
	opt := Options{Endpoint: "http://127.0.0.1:1", CacheDir: t.TempDir(), Offline: true}
	snap := pythonCache(t, opt.CacheDir, "org/bert", commitA, map[string]fakeFile{"config.json": all["config.json"], "vocab.txt": all["vocab.txt"]})
	_, err := Resolve(context.Background(), "org/bert", opt)
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), snap+" has no model.safetensors") {
		t.Errorf("err = %v, want ErrOffline saying %s has no model.safetensors", err, snap)
	}
}

// robertaFiles is a repository lesionui cannot run (yet): its config.json says roberta.
func robertaFiles() map[string]fakeFile {
	return map[string]fakeFile{
		"config.json":       {data: `{"architectures":["RobertaForMaskedLM"],"model_type":"roberta","vocab_size":50265}`},
		"vocab.json":        {data: `{"<s>":0}`},
		"merges.txt":        {data: "#version: 0.2\n"},
		"tokenizer.json":    {data: `{"model":{"type":"BPE"}}`},
		"model.safetensors": {data: weights, lfs: true},
	}
}

func TestConfigCheckedFirst(t *testing.T) {
	f := newFakeHub(t)
	f.add("FacebookAI/roberta-base", commitA, robertaFiles())
	opt := testOptions(f)
	var checked string
	opt.CheckConfig = func(path string) error {
		checked = path
		return errors.New(path + `: model_type is "roberta"; lesionui runs BERT models`)
	}
	_, err := Resolve(context.Background(), "FacebookAI/roberta-base", opt)
	if !errors.Is(err, ErrUnsupportedModel) {
		t.Fatalf("err = %v, want ErrUnsupportedModel", err)
	}
	for _, w := range []string{"FacebookAI/roberta-base: config.json", `model_type "roberta"`, "nothing else was downloaded"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q lacks %q", err, w)
		}
	}
	root := filepath.Join(opt.CacheDir, "models--FacebookAI--roberta-base")
	if want := filepath.Join(root, "snapshots", commitA, "config.json"); checked != want {
		t.Errorf("CheckConfig got %q, want %q", checked, want)
	}
	// One HEAD and one GET of config.json: not even the tokenizer was asked for.
	want := []string{"HEAD hub /FacebookAI/roberta-base/resolve/main/config.json", "GET hub /FacebookAI/roberta-base/resolve/" + commitA + "/config.json"}
	if reqs := f.requests(); !slices.Equal(reqs, want) {
		t.Errorf("requests %v, want %v", reqs, want)
	}
	if blobs, _ := os.ReadDir(filepath.Join(root, "blobs")); len(blobs) != 1 {
		t.Errorf("blobs/ has %d entries, want config.json's alone", len(blobs))
	}
	// A model that passes the check is downloaded as before.
	f.add("org/bert", commitA, bertFiles())
	opt.CheckConfig = func(string) error { return nil }
	mustResolve(t, "org/bert", opt)
}

func TestSmallFilesCapped(t *testing.T) {
	noRetryDelay(t)
	for _, c := range []struct {
		name  string
		file  fakeFile
		which string // the file of the repository that is too large
		lie   int64  // the size the Hub announces for it, 0: the true one
		want  []string
	}{
		{"config.json announced at 1 GB", fakeFile{data: `{"model_type":"bert"}`}, "config.json", 1 << 30,
			[]string{"config.json", "1.07 GB, more than the 8.4 MB", "refusing"}},
		{"an LFS tokenizer.json announced at 100 MB", fakeFile{data: `{}`, lfs: true}, "tokenizer.json", 100e6,
			[]string{"tokenizer.json", "100.0 MB, more than the 67.1 MB"}},
		{"a server sending 4 MB for a config.json announced at 21 bytes", fakeFile{data: `{"model_type":"bert"}` + strings.Repeat(" ", 4<<20)}, "config.json", 21,
			[]string{"corrupt download", "got 22 bytes, the Hub announced 21"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeHub(t)
			files := bertFiles()
			files[c.which] = c.file
			f.add("org/bert", commitA, files)
			if c.lie != 0 {
				f.lie[c.which] = c.lie
			}
			opt := testOptions(f)
			_, err := Resolve(context.Background(), "org/bert", opt)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			for _, r := range f.requests() {
				if strings.HasPrefix(r, "GET") && strings.Contains(r, "model.safetensors") {
					t.Errorf("the weights were fetched: %s", r)
				}
				if c.lie > 100 && strings.HasPrefix(r, "GET") && strings.HasSuffix(r, c.which) {
					t.Errorf("the oversized file was fetched: %s", r)
				}
			}
		})
	}
}

func TestConversionPullRequest(t *testing.T) {
	f := newFakeHub(t)
	files := bertFiles()
	delete(files, "model.safetensors")
	r := f.add("org/old", commitA, files)
	converted := bertFiles() // the bot's commit adds model.safetensors
	r.commits[commitB] = converted
	r.refs["refs/pr/7"] = commitB
	f.blobs[converted["model.safetensors"].etag()] = converted["model.safetensors"]
	r.discussions = []fakeDiscussion{
		{num: 9, title: "Update README", author: "someone", pr: true, status: "open"},
		{num: 8, title: conversionTitle, author: "someone", pr: true, status: "open"}, // not the bot: not trusted
		{num: 3, title: conversionTitle, author: conversionBot, pr: true, status: "closed"},
		{num: 2, title: "question", author: conversionBot, pr: false, status: "open"},
		{num: 7, title: conversionTitle, author: conversionBot, pr: true, status: "open"},
	}
	opt := testOptions(f)
	_, err := Resolve(context.Background(), "org/old", opt)
	if !errors.Is(err, ErrNoSafetensors) {
		t.Fatalf("err = %v, want ErrNoSafetensors", err)
	}
	for _, w := range []string{"only pytorch_model.bin", "pull request #7", f.url() + "/org/old/discussions/7",
		"lesionui --model org/old@refs/pr/7", `save_pretrained("DIR", safe_serialization=True)`, "--model DIR"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q lacks %q", err, w)
		}
	}
	// Without a conversion PR, the hint says where to look for one and how to open one.
	r.discussions = nil
	_, err = Resolve(context.Background(), "org/old", opt)
	for _, w := range []string{"org/old@refs/pr/N", "https://huggingface.co/spaces/safetensors/convert", "save_pretrained"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("%v lacks %q", err, w)
		}
	}

	// The pull request's revision resolves, escaped as huggingface_hub escapes it, into the
	// cache as huggingface_hub lays it out: the snapshot by commit, refs/refs/pr/7.
	f.requests()
	dir := mustResolve(t, "org/old@refs/pr/7", opt)
	checkSnapshot(t, opt.CacheDir, "org/old", commitB, dir, map[string]fakeFile{"model.safetensors": converted["model.safetensors"]})
	if reqs := f.requests(); !slices.Contains(reqs, "HEAD hub /org/old/resolve/refs%2Fpr%2F7/config.json") {
		t.Errorf("no HEAD on refs%%2Fpr%%2F7 in %v", reqs)
	}
	if b, err := os.ReadFile(filepath.Join(opt.CacheDir, "models--org--old", "refs", "refs", "pr", "7")); err != nil || string(b) != commitB {
		t.Errorf("refs/refs/pr/7 = %q, %v; want %s", b, err, commitB)
	}
	if again := mustResolve(t, "org/old@refs/pr/7", opt); again != dir || len(f.requests()) != 0 {
		t.Errorf("a cached refs/pr/7 gave %s and sent requests", again)
	}
}

func TestQuote(t *testing.T) {
	// Python: urllib.parse.quote(s, safe="") and quote(s) (safe="/").
	for _, c := range []struct{ in, safe, want string }{
		{"refs/pr/1", "", "refs%2Fpr%2F1"},
		{"v1.0+cu 2~x_y-z", "", "v1.0%2Bcu%202~x_y-z"},
		{"onnx/model.onnx", "/", "onnx/model.onnx"},
		{"dir/ä?#%.json", "/", "dir/%C3%A4%3F%23%25.json"},
	} {
		if got := quote(c.in, c.safe); got != c.want {
			t.Errorf("quote(%q, %q) = %q, want %q", c.in, c.safe, got, c.want)
		}
	}
}

// bertLargeUncased is google-bert/bert-large-uncased's file set as the Hub lists it (sizes
// aside): the weights in five formats, Core ML and ONNX exports, the legacy tokenizer.json.
func bertLargeUncased() map[string]fakeFile {
	return map[string]fakeFile{
		".gitattributes":        {data: "*.bin filter=lfs diff=lfs merge=lfs -text\n"},
		"LICENSE":               {data: "Apache License 2.0\n"},
		"README.md":             {data: "# BERT large model (uncased)\n"},
		"config.json":           {data: `{"architectures":["BertForMaskedLM"],"model_type":"bert","hidden_size":1024}`},
		"tokenizer.json":        {data: `{"version":"1.0","model":{"unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":{"[PAD]":0}}}`},
		"tokenizer_config.json": {data: `{"do_lower_case": true}`},
		"vocab.txt":             {data: "[PAD]\n[unused0]\n"},
		"model.safetensors":     {data: weights, lfs: true},
		"pytorch_model.bin":     {data: "torch pickle", lfs: true},
		"tf_model.h5":           {data: "hdf5", lfs: true},
		"flax_model.msgpack":    {data: "msgpack", lfs: true},
		"rust_model.ot":         {data: "torch script", lfs: true},
		"coreml/fill-mask/float32_model.mlpackage/Manifest.json":                            {data: "{}"},
		"coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/model.mlmodel":      {data: "mlmodel", lfs: true},
		"coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/weights/weight.bin": {data: "coreml weights", lfs: true},
		"onnx/model.onnx":              {data: "onnx", lfs: true},
		"onnx/config.json":             {data: `{"model_type":"bert"}`},
		"onnx/tokenizer.json":          {data: `{}`},
		"onnx/vocab.txt":               {data: "[PAD]\n"},
		"onnx/special_tokens_map.json": {data: `{}`},
		"onnx/tokenizer_config.json":   {data: `{}`},
	}
}

// TestRealFileSets downloads repositories laid out as real ones and checks that exactly the
// files lesionui reads are fetched, and nothing else is even asked about.
func TestRealFileSets(t *testing.T) {
	sharded := bertLargeUncased()
	delete(sharded, "model.safetensors")
	delete(sharded, "pytorch_model.bin")
	sharded["model.safetensors.index.json"] = fakeFile{data: `{"metadata":{"total_size":9000},"weight_map":{
		"bert.embeddings.word_embeddings.weight":"model-00001-of-00002.safetensors",
		"cls.predictions.bias":"model-00002-of-00002.safetensors"}}`}
	sharded["model-00001-of-00002.safetensors"] = fakeFile{data: weights[:5000], lfs: true}
	sharded["model-00002-of-00002.safetensors"] = fakeFile{data: weights[5000:9000], lfs: true}
	sharded["pytorch_model.bin.index.json"] = fakeFile{data: `{"weight_map":{"a":"pytorch_model-00001-of-00002.bin"}}`}
	sharded["pytorch_model-00001-of-00002.bin"] = fakeFile{data: "pickle", lfs: true}
	// A RoBERTa repository from before tokenizer.json: vocab.json + merges.txt.
	bpe := map[string]fakeFile{
		"config.json":       {data: `{"architectures":["RobertaForMaskedLM"],"model_type":"roberta"}`},
		"vocab.json":        {data: `{"<s>":0}`},
		"merges.txt":        {data: "#version: 0.2\nĠ t\n"},
		"model.safetensors": {data: weights, lfs: true},
		"pytorch_model.bin": {data: "torch pickle", lfs: true},
		"dict.txt":          {data: "fairseq dictionary"},
	}
	for _, c := range []struct {
		repo  string
		files map[string]fakeFile
		want  []string
	}{
		{"FacebookAI/roberta-old", bpe, []string{"config.json", "merges.txt", "model.safetensors", "vocab.json"}},
		{"google-bert/bert-large-uncased", bertLargeUncased(),
			[]string{"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"}},
		{"org/sharded", sharded, []string{"config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
			"model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"}},
	} {
		t.Run(c.repo, func(t *testing.T) {
			f := newFakeHub(t)
			f.add(c.repo, commitA, c.files)
			opt := testOptions(f)
			dir := mustResolve(t, c.repo, opt)
			want := map[string]fakeFile{}
			for _, n := range c.want {
				want[n] = c.files[n]
			}
			checkSnapshot(t, opt.CacheDir, c.repo, commitA, dir, want)
			byETag := map[string]string{}
			for name, ff := range c.files {
				byETag[ff.etag()] = name
			}
			var got []string
			asked := map[string]bool{}
			for _, r := range f.requests() {
				method, rest, _ := strings.Cut(r, " ")
				_, path, _ := strings.Cut(rest, " ")
				if sha, ok := strings.CutPrefix(path, "/repos/"); ok { // the CDN, for LFS files
					got = append(got, byETag[sha])
					continue
				}
				_, file, ok := strings.Cut(path, "/resolve/")
				if !ok {
					continue
				}
				_, file, _ = strings.Cut(file, "/")
				asked[file] = true
				if method == "GET" {
					got = append(got, file)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("fetched %v, want %v", got, c.want)
			}
			for file := range c.files {
				if asked[file] && !slices.Contains(c.want, file) {
					t.Errorf("asked the Hub about %s, which lesionui does not read", file)
				}
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(c.want) {
				t.Errorf("the snapshot has %d entries, want %d", len(entries), len(c.want))
			}
		})
	}
}

// TestRealHubAnswers covers what the real Hub does that a naive server would not: weak ETags
// (once sent after a config change; the blob names must not change), a renamed private
// repository (the token must follow the relative redirect), and a CDN on a subdomain of the
// Hub (where Go's own redirect handling would forward Authorization).
func TestRealHubAnswers(t *testing.T) {
	f := newFakeHub(t)
	f.tokens["secret"] = true
	f.weakETag = true
	r := f.add("new/bert", commitA, bertFiles())
	r.private, r.member = true, "secret"
	f.renamed["old/bert"] = "new/bert"
	opt := testOptions(f)
	opt.Token = "secret"
	dir := mustResolve(t, "old/bert", opt)
	checkSnapshot(t, opt.CacheDir, "old/bert", commitA, dir, map[string]fakeFile{
		"config.json": bertFiles()["config.json"], "vocab.txt": bertFiles()["vocab.txt"], "model.safetensors": bertFiles()["model.safetensors"]})
	if !f.authSeen["hub"] || f.authSeen["cdn"] {
		t.Errorf("Authorization seen %v, want on the hub only, not on the CDN %s", f.authSeen, fakeCDNHost)
	}
	reqs := f.requests()
	for _, want := range []string{"HEAD hub /old/bert/resolve/main/config.json", "HEAD hub /new/bert/resolve/main/config.json",
		"GET cdn /repos/" + bertFiles()["model.safetensors"].etag()} {
		if !slices.Contains(reqs, want) {
			t.Errorf("no %q in %v", want, reqs)
		}
	}
}

// TestEnvAgainstPython checks the environment against what huggingface_hub's own constants.py
// computes under CPython (testdata/env_golden.json, written by testdata/env_golden.py), with
// transformers 4.x's legacy cache variables.
func TestEnvAgainstPython(t *testing.T) {
	b, err := os.ReadFile("testdata/env_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Env  map[string]string `json:"env"`
			Want struct {
				Endpoint   string `json:"endpoint"`
				Cache      string `json:"cache"`
				TokenPath  string `json:"token_path"`
				Offline    bool   `json:"offline"`
				NoImplicit bool   `json:"disable_implicit_token"`
			} `json:"want"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.Cases) < 30 {
		t.Fatalf("%d cases", len(golden.Cases))
	}
	home := t.TempDir()
	for _, c := range golden.Cases {
		env := map[string]string{"HOME": home}
		maps.Copy(env, c.Env)
		opt := optionsFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		want := c.Want
		clean := func(p string) string { return filepath.Clean(strings.ReplaceAll(p, "$HOME_DIR", home)) }
		if filepath.Clean(opt.CacheDir) != clean(want.Cache) || filepath.Clean(opt.TokenFile) != clean(want.TokenPath) ||
			opt.Endpoint != want.Endpoint || opt.Offline != want.Offline || opt.NoImplicitToken != want.NoImplicit {
			t.Errorf("env %v:\n got cache %s token file %s endpoint %s offline %v no-implicit %v\nwant cache %s token file %s endpoint %s offline %v no-implicit %v",
				c.Env, opt.CacheDir, opt.TokenFile, opt.Endpoint, opt.Offline, opt.NoImplicitToken,
				clean(want.Cache), clean(want.TokenPath), want.Endpoint, want.Offline, want.NoImplicit)
		}
	}
}

// TestSentencePieceOnly: a repository whose only tokenizer is a SentencePiece model is refused
// before its weights, with the line that makes the tokenizer.json lesionui reads.
func TestSentencePieceOnly(t *testing.T) {
	f := newFakeHub(t)
	f.add("org/spm", commitA, map[string]fakeFile{
		"config.json":             {data: `{"architectures":["XLMRobertaForMaskedLM"],"model_type":"xlm-roberta"}`},
		"sentencepiece.bpe.model": {data: "spm", lfs: true},
		"model.safetensors":       {data: weights, lfs: true},
	})
	_, err := Resolve(context.Background(), "org/spm", testOptions(f))
	if err == nil || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Resolve = %v, want a not-found error", err)
	}
	for _, want := range []string{"sentencepiece.bpe.model", "no tokenizer.json", `AutoTokenizer.from_pretrained("org/spm").save_pretrained(DIR)`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	for _, r := range f.requests() {
		if strings.Contains(r, "model.safetensors") || strings.Contains(r, "/repos/") {
			t.Errorf("asked for the weights before refusing: %s", r)
		}
	}
}
