// Package hub resolves a --model argument to a local model directory the way HuggingFace users
// expect: an existing directory is used as is, anything else is a Hub id ("bert-large-uncased",
// "google-bert/bert-base-uncased", "org/name@revision") looked up in, and downloaded into, the
// HuggingFace cache that Python's huggingface_hub uses, so that models cached by either are
// found by both.
//
// The cache layout is huggingface_hub's: <cache>/models--org--name/ holds blobs/<etag> (file
// contents named by their ETag, the sha256 for LFS files), snapshots/<commit>/<file> (relative
// symlinks into blobs), refs/<revision> (the commit a branch or tag pointed at when last seen)
// and .no_exist/<commit>/<file> (empty files recording files known to be absent).
//
// Only the files lesionui reads are fetched: config.json first (checked by
// Options.CheckConfig before anything else is asked for), then the tokenizer (tokenizer.json,
// vocab.txt, tokenizer_config.json, special_tokens_map.json) and the safetensors weights
// (model.safetensors, or model.safetensors.index.json and its shards). The HTTP side follows
// huggingface_hub's file_download.py and utils/_http.py; the environment, its constants.py
// and utils/_auth.py (see OptionsFromEnv).
//
// Authorization: the token is sent to the Hub endpoint's host only. Like huggingface_hub, a
// download redirected to another host (the LFS CDN, whose URLs are pre-signed) goes without it.
package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
)

// Version goes into the User-Agent ("lesionui/<Version>"); the CLI sets it to its build version.
var Version = "dev"

// DefaultEndpoint is the Hub used when HF_ENDPOINT is not set.
const DefaultEndpoint = "https://huggingface.co"

// Options configure Resolve and Download. The zero value works: empty fields take the
// defaults that OptionsFromEnv would give with an empty environment.
type Options struct {
	Endpoint string // $HF_ENDPOINT, default https://huggingface.co
	// Token is sent to the Hub's host as "Authorization: Bearer"; TokenSource says where it came
	// from ("the HF_TOKEN environment variable", "the token file /root/.cache/huggingface/token")
	// for the messages about it; TokenFile is where `hf auth login` stores it.
	Token, TokenSource, TokenFile string
	// NoImplicitToken records HF_HUB_DISABLE_IMPLICIT_TOKEN: no token was looked up.
	NoImplicitToken bool
	CacheDir        string // see OptionsFromEnv for the variables and their precedence
	Offline         bool   // $HF_HUB_OFFLINE, else $TRANSFORMERS_OFFLINE, set to 1/ON/YES/TRUE
	// CheckConfig, when set, vets the downloaded config.json (its path in the cache) before
	// anything else is fetched: a model lesionui cannot run is refused before its weights are
	// downloaded. The hub does not know the engine; the CLI passes the engine's check.
	CheckConfig func(path string) error
	Progress    func(Progress) // may be nil; called from the downloading goroutine
	Client      *http.Client   // nil: a client with connection and header timeouts; its CheckRedirect is not used

	tokenErr error // the token file could not be read: the first request to the Hub fails with it
}

// withDefaults fills the empty fields of opt.
func (opt Options) withDefaults() Options {
	if opt.Endpoint == "" {
		opt.Endpoint = DefaultEndpoint
	}
	opt.Endpoint = strings.TrimRight(opt.Endpoint, "/")
	if opt.Token != "" && opt.TokenSource == "" {
		opt.TokenSource = "Options.Token"
	}
	if opt.CacheDir == "" {
		opt.CacheDir = optionsFromEnv(func(string) (string, bool) { return "", false }).CacheDir
	}
	if opt.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 30 * time.Second
		opt.Client = &http.Client{Transport: tr}
	}
	return opt
}

// ModelID names a model repository on the Hub at a revision (branch, tag or commit hash).
type ModelID struct {
	Repo, Revision string
}

// String gives the id as ParseModelID reads it: "org/name", with "@revision" unless it is main.
func (id ModelID) String() string {
	if id.Revision == "" || id.Revision == "main" {
		return id.Repo
	}
	return id.Repo + "@" + id.Revision
}

var (
	repoPart   = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// ParseModelID reads "name", "org/name" or either followed by "@revision" (default "main"),
// with huggingface_hub's rules for repository names.
func ParseModelID(s string) (ModelID, error) {
	repo, rev, hasRev := strings.Cut(s, "@")
	if !hasRev {
		rev = "main"
	}
	bad := func(why string) (ModelID, error) {
		return ModelID{}, fmt.Errorf("hub: %q is not a model id (%s); want name, org/name or org/name@revision, or an existing local directory", s, why)
	}
	switch {
	case repo == "":
		return bad("empty name")
	case len(repo) > 96:
		return bad("longer than 96 characters")
	case strings.Count(repo, "/") > 1:
		return bad("more than one '/'")
	case strings.Contains(repo, "--") || strings.Contains(repo, ".."):
		return bad("'--' and '..' are not allowed")
	case rev == "":
		return bad("empty revision after '@'")
	case strings.Contains(rev, "..") || strings.HasPrefix(rev, "/") || strings.HasSuffix(rev, "/") ||
		strings.ContainsAny(rev, "\\ \t\r\n"):
		return bad("bad revision")
	}
	for _, p := range strings.Split(repo, "/") {
		switch {
		case !repoPart.MatchString(p):
			return bad("names use letters, digits, '-', '_' and '.'")
		case strings.Trim(p, "-.") != p:
			return bad("names cannot start or end with '-' or '.'")
		}
	}
	return ModelID{Repo: repo, Revision: rev}, nil
}

// Resolve returns a directory with config.json, tokenizer files and safetensors weights for arg:
// an existing local directory is returned as is; otherwise arg is a Hub id resolved through the
// cache, downloading missing files unless offline. A cached snapshot that already has every file
// (or records it as absent) is returned without contacting the Hub; use Download to check the
// Hub for a newer commit of a branch.
func Resolve(ctx context.Context, arg string, opt Options) (string, error) {
	if st, err := os.Stat(arg); err == nil {
		if !st.IsDir() {
			return "", fmt.Errorf("hub: model %s is a file; want a model directory or a Hub model id", arg)
		}
		return arg, nil
	}
	id, err := ParseModelID(arg)
	if err != nil {
		if strings.ContainsAny(arg, `/\~`) {
			return "", fmt.Errorf("hub: model directory %s does not exist (and it is not a Hub model id)", arg)
		}
		return "", err
	}
	opt = opt.withDefaults()
	c := newRepoCache(opt.CacheDir, id.Repo)
	if dir, _, ok := c.snapshotFor(id.Revision, true); ok {
		return dir, nil
	}
	return download(ctx, id, opt, c)
}

// Download makes sure the cache holds id's files at the revision's current commit, fetching
// what is missing, and returns the snapshot directory. A branch or tag is looked up on the Hub
// (one HEAD request when everything is cached); a commit hash whose snapshot is complete needs
// no request. When the Hub cannot be reached (or refuses with 401/403/5xx), a cached snapshot
// of the revision is used if it has the needed files.
func Download(ctx context.Context, id ModelID, opt Options) (string, error) {
	if id.Revision == "" {
		id.Revision = "main"
	}
	if _, err := ParseModelID(id.Repo + "@" + id.Revision); err != nil {
		return "", err
	}
	opt = opt.withDefaults()
	c := newRepoCache(opt.CacheDir, id.Repo)
	if commitHash.MatchString(id.Revision) {
		if dir, _, ok := c.snapshotFor(id.Revision, true); ok {
			return dir, nil
		}
	}
	return download(ctx, id, opt, c)
}

// download fetches id into c, falling back to the cache when offline or when the Hub fails.
func download(ctx context.Context, id ModelID, opt Options, c *repoCache) (string, error) {
	cached, why, ok := c.snapshotFor(id.Revision, false)
	if opt.Offline {
		if ok {
			return cached, nil
		}
		return "", &Error{Model: id.String(), Err: ErrOffline,
			Hint: fmt.Sprintf("offline mode (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE) is on and there is no usable cached copy: %s; set HF_HUB_OFFLINE=0 (it overrides TRANSFORMERS_OFFLINE) to download it, or pass --model DIR with a local model directory", why)}
	}
	d := &downloader{id: id, opt: opt, cache: c}
	dir, err := d.run(ctx)
	if err == nil || ctx.Err() != nil {
		return dir, err
	}
	if fallbackable(err) {
		if ok {
			return cached, nil
		}
		var e *Error
		if errors.As(err, &e) && errors.Is(err, ErrNetwork) {
			e.Hint = fmt.Sprintf("no network? lesionui looked for a cached copy but %s; pass --model DIR to use a local model directory", why)
		}
	}
	return "", err
}
