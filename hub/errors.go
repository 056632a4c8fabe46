package hub

import (
	"errors"
	"fmt"
)

// Kinds of failure, for errors.Is on the errors Resolve and Download return.
var (
	ErrNetwork       = errors.New("cannot reach the Hub")
	ErrOffline       = errors.New("offline and not in the cache")
	ErrUnauthorized  = errors.New("access denied")
	ErrNotFound      = errors.New("not found")
	ErrNoSafetensors = errors.New("no safetensors weights")
	ErrCorrupt       = errors.New("corrupt download")
	ErrDiskFull      = errors.New("disk full")
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

// Unwrap classifies the status.
func (e *httpStatusError) Unwrap() error {
	switch {
	case e.Code == "GatedRepo" || e.Status == 401 || e.Status == 403:
		return ErrUnauthorized
	case e.Status == 404:
		return ErrNotFound
	}
	return nil
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

// explain wraps err from fetching file of the model in an *Error with a hint.
func (d *downloader) explain(file string, err error) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	e := &Error{Model: d.id.String(), File: file, Err: err}
	var he *httpStatusError
	if errors.As(err, &he) {
		repoURL := d.opt.Endpoint + "/" + d.id.Repo
		switch {
		case he.Code == "GatedRepo":
			e.Hint = fmt.Sprintf("the model is gated: accept its conditions at %s, then set HF_TOKEN to a token of that account", repoURL)
		case he.Code == "RepoNotFound" || he.Status == 401:
			if d.opt.Token == "" {
				e.Hint = fmt.Sprintf("no repository %s at %s, or it is private or gated: check the name, or set HF_TOKEN to a token with access (https://huggingface.co/settings/tokens)", d.id.Repo, d.opt.Endpoint)
			} else {
				e.Hint = fmt.Sprintf("no repository %s at %s, or the token in HF_TOKEN has no access to it (or is invalid)", d.id.Repo, d.opt.Endpoint)
			}
		case he.Status == 403:
			e.Hint = fmt.Sprintf("access refused: the model may be gated or private; see %s and set HF_TOKEN", repoURL)
		case he.Code == "RevisionNotFound":
			e.Hint = fmt.Sprintf("the repository has no revision %q", d.id.Revision)
		case he.Status == 404:
			e.Hint = fmt.Sprintf("the repository %s has no file %s at revision %s", d.id.Repo, file, d.id.Revision)
		case he.Status == 429:
			e.Hint = "rate limited by the Hub: wait a little, or set HF_TOKEN"
		case he.Status >= 500:
			e.Hint = "the Hub has a problem; try again later"
		}
	}
	return e
}
