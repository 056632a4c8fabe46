package hub

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Kinds of failure, for errors.Is on the errors Resolve and Download return.
var (
	ErrNetwork          = errors.New("cannot reach the Hub")
	ErrOffline          = errors.New("offline and not in the cache")
	ErrUnauthorized     = errors.New("access denied")
	ErrNotFound         = errors.New("not found")
	ErrNoSafetensors    = errors.New("no safetensors weights")
	ErrInvalidToken     = errors.New("invalid token")
	ErrUnsupportedModel = errors.New("not a model lesionui can run")
	ErrCorrupt          = errors.New("corrupt download")
	ErrDiskFull         = errors.New("disk full")
)

// Error is a failure to get a model's file, with the model, the file when one is concerned, and
// a hint on what to do.
type Error struct {
	Model string // the model id, "org/name" or "org/name@revision"
	File  string // the file in the repository, "" when none in particular
	Err   error  // the cause; wraps one of the Err* kinds where one applies
	Hint  string // what the user can do, "" when nothing useful
}

// Error gives "hub: model: file: cause", then the hint on its own line.
func (e *Error) Error() string {
	s := "hub: " + e.Model
	if e.File != "" {
		s += ": " + e.File
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += "\n" + e.Hint
	}
	return s
}

// Unwrap gives the cause.
func (e *Error) Unwrap() error { return e.Err }

// httpStatusError is a Hub answer other than success, with huggingface_hub's error headers.
type httpStatusError struct {
	Status  int
	Code    string // X-Error-Code: RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo, …
	Message string // X-Error-Message
	URL     string
}

func (e *httpStatusError) Error() string {
	s := fmt.Sprintf("HTTP %d from %s", e.Status, e.URL)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// invalidCredentials is the X-Error-Message of the Hub's 401 for a token it does not know, the
// one utils/_http.py hf_raise_for_status tells apart from a missing or private repository.
const invalidCredentials = "Invalid credentials in Authorization header"

// Unwrap classifies the status: a refused token is ErrInvalidToken and ErrUnauthorized.
func (e *httpStatusError) Unwrap() []error {
	switch {
	case e.Status == 401 && e.Message == invalidCredentials:
		return []error{ErrInvalidToken, ErrUnauthorized}
	case e.Code == "GatedRepo" || e.Status == 401 || e.Status == 403:
		return []error{ErrUnauthorized}
	case e.Status == 404:
		return []error{ErrNotFound}
	}
	return nil
}

// entryNotFound reports whether err says the repository has no such file at the revision: the
// Hub's X-Error-Code EntryNotFound (huggingface_hub's RemoteEntryNotFoundError), or a 404 that
// names no error code at all, as a plain static mirror answers.
func entryNotFound(err error) bool {
	var he *httpStatusError
	return errors.As(err, &he) && he.Status == http.StatusNotFound && (he.Code == "EntryNotFound" || he.Code == "")
}

// fallbackable reports whether a cached copy may stand in after err, as huggingface_hub lets
// it after connection errors and HTTP errors other than a missing revision or file.
func fallbackable(err error) bool {
	var he *httpStatusError
	if errors.As(err, &he) {
		return he.Status == 401 || he.Status == 403 || he.Status == 429 || he.Status >= 500
	}
	return errors.Is(err, ErrNetwork)
}

// explain wraps err from fetching file of the model in an *Error with a hint. The cases follow
// utils/_http.py hf_raise_for_status, which reads the Hub's X-Error-Code and X-Error-Message.
func (d *downloader) explain(file string, err error) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	e := &Error{Model: d.id.String(), File: file, Err: err}
	var he *httpStatusError
	if !errors.As(err, &he) {
		return e
	}
	repoURL := d.opt.Endpoint + "/" + d.id.Repo
	switch {
	case he.Code == "RevisionNotFound":
		e.Hint = fmt.Sprintf("the repository %s has no revision %q (a branch, tag, commit or refs/pr/N)", d.id.Repo, d.id.Revision)
	case he.Code == "EntryNotFound":
		e.Hint = fmt.Sprintf("the repository %s has no file %s at revision %s", d.id.Repo, file, d.id.Revision)
	case he.Code == "GatedRepo":
		e.Hint = fmt.Sprintf("the model is gated: accept its conditions at %s with your account, then %s", repoURL, d.tokenAdvice())
	case he.Message == "Access to this resource is disabled.":
		e.Hint = fmt.Sprintf("the repository %s has been disabled by its owner or the Hub", d.id.Repo)
	case he.Status == 401 && he.Message == invalidCredentials:
		e.Err = fmt.Errorf("%w: the Hub refused the token from %s (%w)", ErrInvalidToken, d.opt.TokenSource, err)
		if strings.HasPrefix(d.opt.TokenSource, "the token file ") {
			e.Hint = "the stored token is invalid or revoked: run `hf auth login --force` to store a new one, or set HF_TOKEN (tokens: https://huggingface.co/settings/tokens)"
		} else {
			e.Hint = fmt.Sprintf("HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) takes precedence over the token file %s of `hf auth login`: fix it or unset it (tokens: https://huggingface.co/settings/tokens)", d.opt.TokenFile)
		}
	case he.Code == "RepoNotFound" || he.Status == 401:
		if d.opt.Token == "" {
			e.Hint = fmt.Sprintf("no repository %s at %s, or it is private or gated and no token was sent: check the name, or %s", d.id.Repo, d.opt.Endpoint, d.tokenAdvice())
		} else {
			e.Hint = fmt.Sprintf("no repository %s at %s, or the token from %s has no access to it: check the name and the token's permissions", d.id.Repo, d.opt.Endpoint, d.opt.TokenSource)
		}
	case he.Status == 403:
		e.Hint = fmt.Sprintf("access refused (%s): make sure your token has the permissions for %s; %s", firstOf(he.Message, "403 Forbidden"), repoURL, d.tokenAdvice())
	case he.Status == 404:
		e.Hint = fmt.Sprintf("the repository %s has no file %s at revision %s", d.id.Repo, file, d.id.Revision)
	case he.Status == 429:
		e.Hint = "rate limited by the Hub: wait a little, or log in (a token raises the limit)"
	case he.Status >= 500:
		e.Hint = "the Hub has a problem; try again later"
	}
	return e
}

// tokenAdvice says how to send a token, for a refusal that a token may lift.
func (d *downloader) tokenAdvice() string {
	switch {
	case d.opt.NoImplicitToken:
		return "unset HF_HUB_DISABLE_IMPLICIT_TOKEN, which stops lesionui from sending your token (HF_TOKEN or " + d.opt.TokenFile + ")"
	case d.opt.Token == "":
		return fmt.Sprintf("log in with `hf auth login` (it stores a token in %s) or set HF_TOKEN to a token with access (https://huggingface.co/settings/tokens)", firstOf(d.opt.TokenFile, "$HF_HOME/token"))
	}
	return fmt.Sprintf("check that the token from %s belongs to an account with access", d.opt.TokenSource)
}
