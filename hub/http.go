package hub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// headTimeout bounds a metadata request, like huggingface_hub's HF_HUB_ETAG_TIMEOUT.
const headTimeout = 10 * time.Second

// maxRedirects bounds the redirects followed by one request.
const maxRedirects = 10

// fileMeta is what a HEAD on resolve/<revision>/<file> tells.
type fileMeta struct {
	File     string
	Commit   string // X-Repo-Commit
	ETag     string // X-Linked-Etag, else ETag, normalized
	Size     int64  // X-Linked-Size, else Content-Length (not that of a redirect)
	Location string // where to GET it: the redirect target (CDN) or the resolve URL
}

// lfs reports whether the ETag is a sha256 of the content, which LFS files have.
func (m fileMeta) lfs() bool {
	if len(m.ETag) != 64 {
		return false
	}
	return strings.Trim(m.ETag, "0123456789abcdef") == ""
}

// resolveURL is {endpoint}/{repo}/resolve/{revision}/{file}, escaped as file_download.py
// hf_hub_url does: quote(revision, safe="") (refs/pr/1 is refs%2Fpr%2F1), quote(filename).
func (d *downloader) resolveURL(revision, file string) string {
	return d.opt.Endpoint + "/" + d.id.Repo + "/resolve/" + quote(revision, "") + "/" + quote(file, "/")
}

// quote is Python's urllib.parse.quote: every byte of s but ASCII letters, digits, "_.-~" and
// those in safe is written %XX.
func quote(s, safe string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~"+safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// newRequest builds a request with lesionui's User-Agent, and the token when u is on the Hub's
// host: never on another host a redirect leads to (the CDN, whose URLs are signed), as
// file_download.py _get_metadata_or_catch_error drops it when the host differs. Go's
// http.Client, left to follow redirects, would forward it to a subdomain of the Hub's host
// (cdn-lfs.huggingface.co, cas-bridge.xethub.hf.co under HF_ENDPOINT=https://hf.co); lesionui
// follows redirects itself.
func (d *downloader) newRequest(ctx context.Context, method, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "lesionui/"+Version)
	req.Header.Set("Accept-Encoding", "identity")
	if hub, err := url.Parse(d.opt.Endpoint); err == nil && hub.Host == req.URL.Host {
		if d.opt.tokenErr != nil {
			return nil, d.opt.tokenErr
		}
		if d.opt.Token != "" {
			req.Header.Set("Authorization", "Bearer "+d.opt.Token)
		}
	}
	return req, nil
}

// do sends one request without following redirects. Transport failures become ErrNetwork.
func (d *downloader) do(req *http.Request) (*http.Response, error) {
	c := *d.opt.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil && ctxErr != context.DeadlineExceeded {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("%w %s: %v", ErrNetwork, req.URL.Host, err)
	}
	return resp, nil
}

// head reads a file's metadata like file_download.py get_hf_file_metadata: relative redirects
// (a renamed repository) are followed (utils/_http.py _httpx_follow_relative_redirects), an
// absolute one (the CDN) is where the GET will go. The ETag is X-Linked-Etag, else ETag; the
// size is X-Linked-Size, else the Content-Length of an answer that is not a redirect (that of
// a redirect is its own little body's); commit, ETag and size are required, as there.
// A 404 is returned as *httpStatusError, with the commit (when the Hub gave one) in meta.
func (d *downloader) head(ctx context.Context, revision, file string) (fileMeta, error) {
	ctx, cancel := context.WithTimeout(ctx, headTimeout)
	defer cancel()
	u := d.resolveURL(revision, file)
	meta := fileMeta{File: file, Size: -1}
	for range maxRedirects {
		req, err := d.newRequest(ctx, http.MethodHead, u)
		if err != nil {
			return meta, err
		}
		resp, err := d.do(req)
		if err != nil {
			return meta, err
		}
		resp.Body.Close()
		h := resp.Header
		if c := h.Get("X-Repo-Commit"); c != "" {
			meta.Commit = c
		}
		if resp.StatusCode >= 400 {
			return meta, statusError(resp)
		}
		size := h.Get("X-Linked-Size")
		meta.Location = u
		if loc := h.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
			l, err := url.Parse(loc)
			if err != nil {
				return meta, fmt.Errorf("bad redirect %q from %s: %w", loc, u, err)
			}
			target := resp.Request.URL.ResolveReference(l)
			if l.Scheme == "" && l.Host == "" {
				u = target.String() // relative: the repository moved
				continue
			}
			meta.Location = target.String()
		} else if size == "" {
			size = h.Get("Content-Length")
		}
		meta.ETag = normalizeETag(firstOf(h.Get("X-Linked-Etag"), h.Get("ETag")))
		if n, err := strconv.ParseInt(size, 10, 64); err == nil && n >= 0 {
			meta.Size = n
		}
		var missing []string
		for _, m := range []struct {
			header string
			ok     bool
		}{{"X-Repo-Commit", meta.Commit != ""}, {"ETag", meta.ETag != ""}, {"X-Linked-Size or Content-Length", meta.Size >= 0}} {
			if !m.ok {
				missing = append(missing, m.header)
			}
		}
		if len(missing) > 0 {
			return meta, fmt.Errorf("%s answered without %s: is %s a HuggingFace Hub (HF_ENDPOINT)?", u, strings.Join(missing, ", "), d.opt.Endpoint)
		}
		return meta, nil
	}
	return meta, fmt.Errorf("more than %d redirects from %s", maxRedirects, d.resolveURL(revision, file))
}

// get sends a GET to u following redirects (relative or absolute), with headers added by set.
// The token goes only to the Hub's host.
func (d *downloader) get(ctx context.Context, u string, set func(http.Header)) (*http.Response, error) {
	for range maxRedirects {
		req, err := d.newRequest(ctx, http.MethodGet, u)
		if err != nil {
			return nil, err
		}
		set(req.Header)
		resp, err := d.do(req)
		if err != nil {
			return nil, err
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" {
			if resp.StatusCode >= 400 && resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
				resp.Body.Close()
				return nil, statusError(resp)
			}
			return resp, nil
		}
		resp.Body.Close()
		target, err := resp.Request.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("bad redirect %q from %s: %w", loc, u, err)
		}
		u = target.String()
	}
	return nil, fmt.Errorf("more than %d redirects from %s", maxRedirects, u)
}

func statusError(resp *http.Response) error {
	return &httpStatusError{
		Status:  resp.StatusCode,
		Code:    resp.Header.Get("X-Error-Code"),
		Message: resp.Header.Get("X-Error-Message"),
		URL:     resp.Request.URL.String(),
	}
}

// normalizeETag is file_download.py _normalize_etag, etag.lstrip("W/").strip('"'): the weak
// marker and the quotes go (lstrip takes any leading 'W' and '/', and so does this).
func normalizeETag(s string) string {
	return strings.Trim(strings.TrimLeft(strings.TrimSpace(s), "W/"), `"`)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
