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
	"sync/atomic"
	"testing"
	"time"
)

// fakeHub serves the files of dir as the Hub serves repo "some/model" at one commit: HEAD and
// GET on /{repo}/resolve/{revision}/{file}, with X-Repo-Commit, ETag (sha256 for the weights,
// as for LFS files) and Range. cut, when set, makes the first GET of the weights stop halfway.
func fakeHub(t *testing.T, dir string, cut bool) (srv *httptest.Server, requests *atomic.Int64, cutDone *atomic.Bool) {
	t.Helper()
	const commit = "0123456789abcdef0123456789abcdef01234567"
	requests, cutDone = new(atomic.Int64), new(atomic.Bool)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		file, ok := strings.CutPrefix(r.URL.Path, "/some/model/resolve/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, file, _ = strings.Cut(file, "/") // drop the revision
		body, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(body)
		w.Header().Set("X-Repo-Commit", commit)
		if strings.HasSuffix(file, ".safetensors") {
			w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(sum[:])+`"`)
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		if r.Method == http.MethodGet && cut && strings.HasSuffix(file, ".safetensors") && !cutDone.Swap(true) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/2])
			panic(http.ErrAbortHandler) // the connection drops mid-body
		}
		http.ServeContent(w, r, file, fixedTime, strings.NewReader(string(body)))
	}))
	t.Cleanup(srv.Close)
	return srv, requests, cutDone
}

func TestRunDownloadsFromHubThenWorksOffline(t *testing.T) {
	srv, requests, cut := fakeHub(t, fixtureModel, true)
	cache := t.TempDir()
	t.Setenv("HF_HUB_CACHE", cache)
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_TOKEN", "")

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
