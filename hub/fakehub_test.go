package hub

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeFile is a file of a fake repository; LFS files are served through the fake CDN.
type fakeFile struct {
	data string
	lfs  bool
}

// etag is what the Hub announces: the sha256 for LFS files, a git-like sha1 otherwise.
func (f fakeFile) etag() string {
	if f.lfs {
		s := sha256.Sum256([]byte(f.data))
		return hex.EncodeToString(s[:])
	}
	s := sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(f.data), f.data)))
	return hex.EncodeToString(s[:])
}

// fakeRepo has commits (commit -> files) and refs (branch or tag -> commit).
type fakeRepo struct {
	commits map[string]map[string]fakeFile
	refs    map[string]string
	private bool // answers 401 without the right token
	gated   bool // answers 403 GatedRepo
}

// fakeHub serves {hub}/{repo}/resolve/{rev}/{file} like huggingface.co, redirecting LFS files to
// a CDN on another host, which redirects once more (relative Location) before serving with
// Range support.
type fakeHub struct {
	t     *testing.T
	hub   *httptest.Server
	cdn   *httptest.Server
	token string

	mu       sync.Mutex
	repos    map[string]*fakeRepo
	renamed  map[string]string   // old repo -> new repo (relative redirect)
	blobs    map[string]fakeFile // sha256 -> LFS file, for the CDN
	cut      map[string]int      // file -> bytes sent before the connection is cut, on its next GET
	corrupt  map[string]bool     // file -> serve altered bytes
	noRange  bool                // ignore Range headers, answering 200 with the whole file
	stall    map[string]int      // file -> bytes sent before the server goes silent, on its next GET
	log      []string            // "METHOD host-kind path [range]"
	authSeen map[string]bool     // "hub" / "cdn" -> an Authorization header arrived there
}

func newFakeHub(t *testing.T) *fakeHub {
	f := &fakeHub{t: t, repos: map[string]*fakeRepo{}, renamed: map[string]string{}, blobs: map[string]fakeFile{},
		cut: map[string]int{}, stall: map[string]int{}, corrupt: map[string]bool{}, authSeen: map[string]bool{}}
	f.hub = httptest.NewServer(http.HandlerFunc(f.serveHub))
	f.cdn = httptest.NewServer(http.HandlerFunc(f.serveCDN))
	t.Cleanup(f.hub.Close)
	t.Cleanup(f.cdn.Close)
	return f
}

// add creates repo with one commit of files, pointed at by main.
func (f *fakeHub) add(repo, commit string, files map[string]fakeFile) *fakeRepo {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.repos[repo]
	if r == nil {
		r = &fakeRepo{commits: map[string]map[string]fakeFile{}, refs: map[string]string{}}
		f.repos[repo] = r
	}
	r.commits[commit] = files
	r.refs["main"] = commit
	for _, file := range files {
		if file.lfs {
			f.blobs[file.etag()] = file
		}
	}
	return r
}

// requests returns and clears the request log.
func (f *fakeHub) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

func (f *fakeHub) record(kind string, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := r.Method + " " + kind + " " + r.URL.Path
	if rg := r.Header.Get("Range"); rg != "" {
		s += " " + rg
	}
	f.log = append(f.log, s)
	if r.Header.Get("Authorization") != "" {
		f.authSeen[kind] = true
	}
	if ua := r.Header.Get("User-Agent"); ua != "lesionui/"+Version {
		f.t.Errorf("User-Agent %q", ua)
	}
}

func hubError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("X-Error-Code", code)
	w.Header().Set("X-Error-Message", code)
	w.WriteHeader(status)
}

func (f *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	f.record("hub", r)
	repo, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/resolve/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if to, ok := f.renamed[repo]; ok {
		w.Header().Set("Location", "/"+to+"/resolve/"+rest)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	rp := f.repos[repo]
	if rp == nil || rp.private && r.Header.Get("Authorization") != "Bearer "+f.token {
		hubError(w, http.StatusUnauthorized, "RepoNotFound")
		return
	}
	if rp.gated {
		hubError(w, http.StatusForbidden, "GatedRepo")
		return
	}
	escRev, escFile, _ := strings.Cut(rest, "/")
	rev, _ := url.PathUnescape(escRev)
	file, _ := url.PathUnescape(escFile)
	commit := rev
	if c, ok := rp.refs[rev]; ok {
		commit = c
	}
	files, ok := rp.commits[commit]
	if !ok {
		hubError(w, http.StatusNotFound, "RevisionNotFound")
		return
	}
	w.Header().Set("X-Repo-Commit", commit)
	ff, ok := files[file]
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound")
		return
	}
	if ff.lfs {
		w.Header().Set("X-Linked-Etag", `"`+ff.etag()+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(ff.data)))
		w.Header().Set("ETag", `W/"not-the-content-hash"`)
		w.Header().Set("Location", f.cdn.URL+"/repos/"+ff.etag()+"?sig=1")
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `W/"`+ff.etag()+`"`)
	f.serveRange(w, r, file, ff)
}

func (f *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	f.record("cdn", r)
	if sha, ok := strings.CutPrefix(r.URL.Path, "/repos/"); ok {
		w.Header().Set("Location", "../blob/"+sha+"?"+r.URL.RawQuery) // a relative redirect
		w.WriteHeader(http.StatusFound)
		return
	}
	sha, ok := strings.CutPrefix(r.URL.Path, "/blob/")
	f.mu.Lock()
	defer f.mu.Unlock()
	ff, found := f.blobs[sha]
	if !ok || !found || r.URL.Query().Get("sig") != "1" {
		http.NotFound(w, r)
		return
	}
	name := sha
	for _, files := range f.allFiles() {
		for n, x := range files {
			if x == ff {
				name = n
			}
		}
	}
	f.serveRange(w, r, name, ff)
}

func (f *fakeHub) allFiles() []map[string]fakeFile {
	var all []map[string]fakeFile
	for _, r := range f.repos {
		for _, files := range r.commits {
			all = append(all, files)
		}
	}
	return all
}

// serveRange answers HEAD and GET for one file with Range support, cutting the connection or
// altering the bytes when the test asked for it. Called with f.mu held.
func (f *fakeHub) serveRange(w http.ResponseWriter, r *http.Request, name string, ff fakeFile) {
	data := ff.data
	if f.corrupt[name] {
		data = "X" + data[1:]
	}
	start := 0
	if rg := r.Header.Get("Range"); rg != "" && !f.noRange {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
		if err != nil {
			f.t.Errorf("bad Range %q", rg)
		}
		if n >= len(data) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start = n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)-start))
	if start > 0 {
		w.WriteHeader(http.StatusPartialContent)
	}
	if r.Method == http.MethodHead {
		return
	}
	body := data[start:]
	if n, ok := f.cut[name]; ok && r.Method == http.MethodGet {
		delete(f.cut, name)
		w.Write([]byte(body[:n]))
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			f.t.Fatal(err)
		}
		conn.Close()
		return
	}
	if n, ok := f.stall[name]; ok && r.Method == http.MethodGet {
		delete(f.stall, name)
		w.Write([]byte(body[:n]))
		w.(http.Flusher).Flush()
		f.mu.Unlock() // let the retry in while this answer hangs
		<-r.Context().Done()
		f.mu.Lock()
		return
	}
	w.Write([]byte(body))
}
