package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lesionui/internal/filestest"
)

// e2eHub is what fakeHub serves and what it saw.
type e2eHub struct {
	srv      *httptest.Server
	requests atomic.Int64
	cutDone  atomic.Bool
	mu       sync.Mutex
	paths    []string // "METHOD path" of every request
}

// asked lists the requests whose path has the suffix file.
func (h *e2eHub) asked(file string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var r []string
	for _, p := range h.paths {
		if strings.HasSuffix(p, "/"+file) {
			r = append(r, p)
		}
	}
	return r
}

// fakeHub serves the files of dir as the Hub serves a repository (any org/name) at one commit: HEAD and
// GET on /{repo}/resolve/{revision}/{file}, with X-Repo-Commit, ETag (sha256 for the weights,
// as for LFS files) and Range. cut, when set, makes the first GET of the weights stop halfway.
// token, when set, is the only token the Hub knows: a request with another gets the Hub's 401
// "Invalid credentials in Authorization header", whatever the repository.
func fakeHub(t *testing.T, dir string, cut bool, token string) *e2eHub {
	t.Helper()
	const commit = "0123456789abcdef0123456789abcdef01234567"
	h := &e2eHub{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		h.mu.Lock()
		h.paths = append(h.paths, r.Method+" "+r.URL.Path)
		h.mu.Unlock()
		if auth := r.Header.Get("Authorization"); auth != "" && auth != "Bearer "+token {
			w.Header().Set("X-Error-Message", "Invalid credentials in Authorization header")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		repo, file, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/resolve/")
		if !ok || strings.Count(repo, "/") != 1 {
			http.NotFound(w, r)
			return
		}
		_, file, _ = strings.Cut(file, "/") // drop the revision
		w.Header().Set("X-Repo-Commit", commit)
		body, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(body)
		if strings.HasSuffix(file, ".safetensors") {
			w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(sum[:])+`"`)
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		if r.Method == http.MethodGet && cut && strings.HasSuffix(file, ".safetensors") && !h.cutDone.Swap(true) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/2])
			panic(http.ErrAbortHandler) // the connection drops mid-body
		}
		http.ServeContent(w, r, file, fixedTime, strings.NewReader(string(body)))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// hubEnv points the HuggingFace environment at endpoint and a fresh cache and home, with no
// token and no offline mode, whatever the machine running the tests has set. It returns the
// cache and HF_HOME.
func hubEnv(t *testing.T, endpoint string) (cache, hfHome string) {
	cache, hfHome = t.TempDir(), t.TempDir()
	for k, v := range map[string]string{
		"HF_ENDPOINT": endpoint, "HF_HUB_CACHE": cache, "HF_HOME": hfHome,
		"HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": "", "HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "", "HF_TOKEN_PATH": "",
		"HF_HUB_DISABLE_IMPLICIT_TOKEN": "", "TRANSFORMERS_CACHE": "", "PYTORCH_TRANSFORMERS_CACHE": "", "PYTORCH_PRETRAINED_BERT_CACHE": "",
	} {
		t.Setenv(k, v)
	}
	return cache, hfHome
}

func TestRunDownloadsFromHubThenWorksOffline(t *testing.T) {
	h := fakeHub(t, fixtureModel, true, "")
	srv, requests, cut := h.srv, &h.requests, &h.cutDone
	cache, _ := hubEnv(t, srv.URL)

	// The first GET of the weights is cut halfway; the download resumes and the study runs.
	code, stdout, stderr := run(t, "run", "--model", "some/model")
	if code != 0 || !strings.Contains(stdout, "model some/model") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !cut.Load() {
		t.Error("the weights were never cut mid-download")
	}
	blobs, _ := os.ReadDir(filepath.Join(cache, "models--some--model", "blobs"))
	if len(blobs) == 0 {
		t.Fatal("nothing in the cache's blobs/")
	}
	for _, b := range blobs {
		if strings.HasSuffix(b.Name(), ".incomplete") {
			t.Errorf("partial download left behind: %s", b.Name())
		}
	}

	// A second run needs no network: the server is gone.
	srv.Close()
	before := requests.Load()
	code, _, stderr = run(t, "run", "--model", "some/model")
	if code != 0 {
		t.Fatalf("second run without the server: exit %d\n%s", code, stderr)
	}
	if requests.Load() != before {
		t.Errorf("the second run sent %d requests", requests.Load()-before)
	}
	t.Setenv("HF_HUB_OFFLINE", "1")
	if code, _, stderr = run(t, "run", "--model", "some/model"); code != 0 {
		t.Fatalf("offline run: exit %d\n%s", code, stderr)
	}
}

var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestHubRefusesOtherModelsBeforeTheirWeights: a Hub id whose config.json is a ModernBERT (the one
// answerdotai/ModernBERT-base publishes) is refused by `run` and by `download` after config.json
// alone, naming the model type.
func TestHubRefusesOtherModelsBeforeTheirWeights(t *testing.T) {
	dir := filestest.CopyDir(t, fixtureModel)
	cfg, err := os.ReadFile(filepath.Join("engine", "encoder", "testdata", "configs", "answerdotai_ModernBERT-base.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	h := fakeHub(t, dir, false, "")
	hubEnv(t, h.srv.URL)
	for _, args := range [][]string{{"run", "--model", "some/model"}, {"download", "some/model"}} {
		code, _, stderr := run(t, args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s", args, code, stderr)
		}
		for _, w := range []string{"some/model: config.json", `"modernbert" (ModernBERT)`, "nothing else was downloaded"} {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, w, stderr)
			}
		}
	}
	for _, f := range []string{"model.safetensors", "vocab.txt", "tokenizer_config.json"} {
		if r := h.asked(f); len(r) != 0 {
			t.Errorf("the Hub was asked for %s: %v", f, r)
		}
	}
}

// TestHubInvalidToken: the Hub's 401 for an unknown token is reported as an invalid token,
// naming where it came from; HF_HUB_DISABLE_IMPLICIT_TOKEN=1 sends none.
func TestHubInvalidToken(t *testing.T) {
	h := fakeHub(t, fixtureModel, false, "hf_good")
	_, hfHome := hubEnv(t, h.srv.URL)
	t.Setenv("HF_TOKEN", "hf_bad")
	code, _, stderr := run(t, "download", "some/model")
	for _, w := range []string{"invalid token", "the HF_TOKEN environment variable", "takes precedence over the token file " + filepath.Join(hfHome, "token")} {
		if code != 1 || !strings.Contains(stderr, w) {
			t.Errorf("HF_TOKEN: exit %d, stderr lacks %q:\n%s", code, w, stderr)
		}
	}
	if strings.Contains(stderr, "no access") {
		t.Errorf("an invalid token reported as no access:\n%s", stderr)
	}

	t.Setenv("HF_TOKEN", "")
	tokenFile := filepath.Join(hfHome, "token")
	if err := os.WriteFile(tokenFile, []byte("hf_bad\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "run", "--model", "some/model")
	for _, w := range []string{"invalid token", "the token file " + tokenFile, "hf auth login --force"} {
		if code != 1 || !strings.Contains(stderr, w) {
			t.Errorf("token file: exit %d, stderr lacks %q:\n%s", code, w, stderr)
		}
	}

	before := len(h.asked("config.json"))
	t.Setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
	if code, stdout, stderr := run(t, "download", "some/model"); code != 0 || !strings.Contains(stdout, "snapshots") {
		t.Errorf("HF_HUB_DISABLE_IMPLICIT_TOKEN=1: exit %d\n%s%s", code, stdout, stderr)
	}
	if len(h.asked("config.json")) == before {
		t.Error("no request reached the Hub")
	}
}
