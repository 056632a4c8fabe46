package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
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

// etag is what the Hub announces: the sha256 for LFS files, git's blob sha1 otherwise.
func (f fakeFile) etag() string {
	if f.lfs {
		s := sha256.Sum256([]byte(f.data))
		return hex.EncodeToString(s[:])
	}
	s := sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(f.data), f.data)))
	return hex.EncodeToString(s[:])
}

// fakeDiscussion is a discussion or pull request of a fake repository.
type fakeDiscussion struct {
	num    int
	title  string
	author string
	pr     bool
	status string // "open", "closed", "merged"
}

// fakeRepo has commits (commit -> files) and refs (branch, tag or refs/pr/N -> commit).
type fakeRepo struct {
	commits     map[string]map[string]fakeFile
	refs        map[string]string
	private     bool   // only the token member may see it; others get RepoNotFound
	gated       bool   // only the token member may download; others get GatedRepo
	member      string // the token with access to a private or gated repo
	discussions []fakeDiscussion
}

// The fake's host names: the CDN is a subdomain of the Hub, as cdn-lfs.huggingface.co is of
// huggingface.co and cas-bridge.xethub.hf.co of hf.co. Go's http.Client, left to follow
// redirects itself, forwards Authorization to a subdomain; huggingface_hub (file_download.py
// _get_metadata_or_catch_error) drops it whenever the host differs, and so must lesionui.
const (
	fakeHubHost = "hub.test"
	fakeCDNHost = "cdn-lfs.hub.test"
)

// fakeHub serves {hub}/{repo}/resolve/{rev}/{file} as huggingface.co does, from what
// huggingface_hub expects of it (file_download.py get_hf_file_metadata, utils/_http.py
// hf_raise_for_status) and what its recorded answers show:
//   - regular files: 200 with a strong ETag "<git sha1>", Content-Length, X-Repo-Commit;
//   - LFS files: 302 to the CDN on another host with X-Linked-Etag "<sha256>", X-Linked-Size
//     and X-Repo-Commit, the redirect's own ETag and Content-Length being those of its body;
//   - a renamed repository: 307 with a relative Location (/new/name/resolve/...), no commit;
//   - errors with X-Error-Code and X-Error-Message: RepoNotFound (401 without a token, 404
//     with one), GatedRepo (401 without a token, 403 with one), RevisionNotFound and
//     EntryNotFound (404, the latter with X-Repo-Commit), and 401 "Invalid credentials in
//     Authorization header" for a token it does not know, whatever the repository;
//   - GET /api/models/{repo}/discussions, paginated.
//
// The CDN redirects once more (relative Location) before serving with Range support.
type fakeHub struct {
	t      *testing.T
	hub    *httptest.Server
	cdn    *httptest.Server
	tokens map[string]bool // tokens the Hub knows
	client *http.Client    // dials the fake host names

	mu       sync.Mutex
	repos    map[string]*fakeRepo
	renamed  map[string]string   // old repo -> new repo (relative redirect)
	blobs    map[string]fakeFile // sha256 -> LFS file, for the CDN
	cut      map[string]int      // file -> bytes sent before the connection is cut, on its next GET
	corrupt  map[string]bool     // file -> serve altered bytes
	noRange  bool                // ignore Range headers, answering 200 with the whole file
	weakETag bool                // send W/"..." ETags, as the Hub once did after a config change
	stall    map[string]int      // file -> bytes sent before the server goes silent, on its next GET
	lie      map[string]int64    // file -> Content-Length announced instead of the true one
	log      []string            // "METHOD host-kind path [range]"
	authSeen map[string]bool     // "hub" / "cdn" -> an Authorization header arrived there
}

func newFakeHub(t *testing.T) *fakeHub {
	f := &fakeHub{t: t, repos: map[string]*fakeRepo{}, renamed: map[string]string{}, blobs: map[string]fakeFile{},
		cut: map[string]int{}, stall: map[string]int{}, corrupt: map[string]bool{}, lie: map[string]int64{},
		authSeen: map[string]bool{}, tokens: map[string]bool{}}
	f.hub = httptest.NewServer(http.HandlerFunc(f.serveHub))
	f.cdn = httptest.NewServer(http.HandlerFunc(f.serveCDN))
	t.Cleanup(f.hub.Close)
	t.Cleanup(f.cdn.Close)
	addr := map[string]string{fakeHubHost: f.hub.Listener.Addr().String(), fakeCDNHost: f.cdn.Listener.Addr().String()}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(hostport)
		to, ok := addr[host]
		if !ok {
			return nil, fmt.Errorf("fake DNS: no host %s", host)
		}
		return (&net.Dialer{}).DialContext(ctx, network, to)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	f.client = &http.Client{Transport: tr}
	return f
}

// url is the Hub's endpoint.
func (f *fakeHub) url() string { return "http://" + fakeHubHost }

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
	s := r.Method + " " + kind + " " + r.URL.EscapedPath()
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

func hubError(w http.ResponseWriter, status int, code, message string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	w.Header().Set("X-Error-Message", message)
	w.WriteHeader(status)
}

// redirect answers status with Location and the short text body the Hub sends with it.
func redirect(w http.ResponseWriter, status int, loc string) {
	body := http.StatusText(status) + ". Redirecting to " + loc
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write([]byte(body))
}

func (f *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	f.record("hub", r)
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	// The token is checked first: an unknown one is refused whatever the repository.
	token, hasToken := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if hasToken && !f.tokens[token] {
		hubError(w, http.StatusUnauthorized, "", "Invalid credentials in Authorization header")
		return
	}
	if api, ok := strings.CutPrefix(path, "api/models/"); ok {
		repo, ok := strings.CutSuffix(api, "/discussions")
		if rp := f.repos[repo]; ok && rp != nil {
			f.serveDiscussions(w, r, rp)
			return
		}
		http.NotFound(w, r)
		return
	}
	repo, rest, ok := strings.Cut(path, "/resolve/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if to, ok := f.renamed[repo]; ok {
		redirect(w, http.StatusTemporaryRedirect, "/"+to+"/resolve/"+rest)
		return
	}
	rp := f.repos[repo]
	if rp == nil || rp.private && token != rp.member {
		status := http.StatusUnauthorized
		if hasToken {
			status = http.StatusNotFound
		}
		hubError(w, status, "RepoNotFound", "Repository not found")
		return
	}
	if rp.gated && token != rp.member {
		if hasToken {
			hubError(w, http.StatusForbidden, "GatedRepo", "Access to model "+repo+" is restricted and you are not in the authorized list. Visit "+f.url()+"/"+repo+" to ask for access.")
		} else {
			hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to model "+repo+" is restricted. You must have access to it and be authenticated to access it. Please log in.")
		}
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
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
		return
	}
	w.Header().Set("X-Repo-Commit", commit)
	ff, ok := files[file]
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
		return
	}
	if ff.lfs {
		w.Header().Set("X-Linked-Etag", f.quoteETag(ff.etag()))
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(ff.data)))
		if n, ok := f.lie[file]; ok {
			w.Header().Set("X-Linked-Size", strconv.FormatInt(n, 10))
		}
		w.Header().Set("ETag", `W/"56-redirect-body"`)
		redirect(w, http.StatusFound, "http://"+fakeCDNHost+"/repos/"+ff.etag()+"?sig=1")
		return
	}
	w.Header().Set("ETag", f.quoteETag(ff.etag()))
	f.serveRange(w, r, file, ff)
}

// quoteETag writes an ETag header value: strong "<etag>", or weak W/"<etag>" when asked.
func (f *fakeHub) quoteETag(etag string) string {
	if f.weakETag {
		return `W/"` + etag + `"`
	}
	return `"` + etag + `"`
}

// serveDiscussions answers GET /api/models/{repo}/discussions?type=&status=&author=&p= with
// pages of two, in the JSON layout hf_api.py get_repo_discussions reads. Called with f.mu held.
func (f *fakeHub) serveDiscussions(w http.ResponseWriter, r *http.Request, rp *fakeRepo) {
	q := r.URL.Query()
	type author struct {
		Name string `json:"name"`
	}
	type discussion struct {
		Num           int    `json:"num"`
		Title         string `json:"title"`
		Status        string `json:"status"`
		IsPullRequest bool   `json:"isPullRequest"`
		Author        author `json:"author"`
	}
	var all []discussion
	for _, d := range rp.discussions {
		if q.Get("type") == "pull_request" && !d.pr || q.Get("status") != "" && q.Get("status") != d.status ||
			q.Get("author") != "" && q.Get("author") != d.author {
			continue
		}
		all = append(all, discussion{Num: d.num, Title: d.title, Status: d.status, IsPullRequest: d.pr, Author: author{d.author}})
	}
	const perPage = 2
	page, _ := strconv.Atoi(q.Get("p"))
	start := min(page*perPage, len(all))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"discussions": all[start:min(start+perPage, len(all))], "count": len(all), "start": start})
}

func (f *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	f.record("cdn", r)
	if sha, ok := strings.CutPrefix(r.URL.Path, "/repos/"); ok {
		redirect(w, http.StatusFound, "../blob/"+sha+"?"+r.URL.RawQuery) // a relative redirect
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

// serveRange answers HEAD and GET for one file with Range support, cutting the connection,
// altering the bytes or announcing another size when the test asked for it. Called with f.mu
// held.
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
	w.Header().Set("Accept-Ranges", "bytes")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)-start))
	if n, ok := f.lie[name]; ok && r.Method == http.MethodHead {
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	}
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
