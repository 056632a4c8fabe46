package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"lesionui/internal/files"
)

// The HuggingFace environment, read as huggingface_hub reads it (src/huggingface_hub/constants.py
// and utils/_auth.py), with the legacy cache variables of transformers 4.x
// (src/transformers/utils/hub.py). One deliberate difference: a variable set to the empty string
// counts as unset, where Python's os.getenv would use "" as a path (HF_HOME= would put the cache
// in ./hub).

// maxTokenFile bounds the token file read: a token is a few dozen bytes.
const maxTokenFile = 64 << 10

// OptionsFromEnv reads the HuggingFace environment variables the way huggingface_hub does:
//
//	HF_ENDPOINT                      the Hub, default https://huggingface.co
//	HF_TOKEN, HUGGING_FACE_HUB_TOKEN the token, else the file HF_TOKEN_PATH, else $HF_HOME/token
//	HF_HUB_DISABLE_IMPLICIT_TOKEN    truthy: no token is sent
//	HF_HOME                          default $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
//	HF_HUB_CACHE                     the cache, else HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub;
//	                                 transformers' TRANSFORMERS_CACHE, PYTORCH_TRANSFORMERS_CACHE
//	                                 and PYTORCH_PRETRAINED_BERT_CACHE come first when set
//	HF_HUB_OFFLINE                   truthy: no network; when unset, TRANSFORMERS_OFFLINE decides
//
// Paths get ~ and $VARS expanded as Python's os.path.expanduser(os.path.expandvars(...)) does.
// A token file that exists but cannot be read (a directory, a FIFO, no permission), which
// huggingface_hub fails on, fails the first request to the Hub, not a run on a local directory.
func OptionsFromEnv() Options {
	return optionsFromEnv(os.LookupEnv)
}

// env looks variables up; an empty value counts as unset.
type env func(string) (string, bool)

// get gives the variable's value, "" when unset or empty.
func (e env) get(name string) string {
	v, _ := e(name)
	return v
}

// or is os.getenv(name, def), except that an empty value counts as unset.
func (e env) or(name, def string) string {
	if v := e.get(name); v != "" {
		return v
	}
	return def
}

func optionsFromEnv(lookup func(string) (string, bool)) Options {
	e := env(lookup)
	expand := func(p string) string { return e.expandVars(e.expandUser(p)) }
	// constants.py: default_home, HF_HOME, HF_HUB_CACHE (with its legacy default
	// HUGGINGFACE_HUB_CACHE) and HF_TOKEN_PATH, each expandvars(expanduser(...)).
	defaultHome := filepath.Join(e.expandUser("~"), ".cache")
	hfHome := expand(e.or("HF_HOME", filepath.Join(e.or("XDG_CACHE_HOME", defaultHome), "huggingface")))
	hubCache := expand(e.or("HF_HUB_CACHE", e.or("HUGGINGFACE_HUB_CACHE", filepath.Join(hfHome, "hub"))))
	tokenPath := expand(e.or("HF_TOKEN_PATH", filepath.Join(hfHome, "token")))

	opt := Options{
		// constants.py: ENDPOINT = os.getenv("HF_ENDPOINT", _HF_DEFAULT_ENDPOINT).rstrip("/").
		Endpoint: strings.TrimRight(e.or("HF_ENDPOINT", DefaultEndpoint), "/"),
		// transformers 4.x, utils/hub.py: TRANSFORMERS_CACHE, else PYTORCH_TRANSFORMERS_CACHE, else
		// PYTORCH_PRETRAINED_BERT_CACHE, else huggingface_hub's HF_HUB_CACHE; the legacy
		// variables are used as given, without expansion, as transformers passes them on.
		CacheDir: e.or("TRANSFORMERS_CACHE", e.or("PYTORCH_TRANSFORMERS_CACHE", e.or("PYTORCH_PRETRAINED_BERT_CACHE", hubCache))),
		// constants.py: HF_HUB_OFFLINE = _is_true(os.environ.get("HF_HUB_OFFLINE") or
		// os.environ.get("TRANSFORMERS_OFFLINE")): TRANSFORMERS_OFFLINE counts only when
		// HF_HUB_OFFLINE is unset, so HF_HUB_OFFLINE=0 stays online whatever it says.
		Offline: isTrue(e.or("HF_HUB_OFFLINE", e.get("TRANSFORMERS_OFFLINE"))),
		// constants.py: HF_HUB_DISABLE_IMPLICIT_TOKEN; utils/_headers.py get_token_to_send
		// then sends no token at all, and does not even look one up.
		NoImplicitToken: isTrue(e.get("HF_HUB_DISABLE_IMPLICIT_TOKEN")),
		TokenFile:       tokenPath,
	}
	if opt.NoImplicitToken {
		return opt
	}
	// utils/_auth.py get_token: _get_token_from_environment (HF_TOKEN, else the legacy
	// HUGGING_FACE_HUB_TOKEN: `os.environ.get("HF_TOKEN") or os.environ.get(...)`, then
	// _clean_token), else _get_token_from_file (HF_TOKEN_PATH; a missing file is no token).
	// A HF_TOKEN of only blanks is chosen by the `or` and cleaned to nothing, so the token
	// file is used, not HUGGING_FACE_HUB_TOKEN.
	name := "HF_TOKEN"
	if e.get(name) == "" {
		name = "HUGGING_FACE_HUB_TOKEN"
	}
	if tok := cleanToken(e.get(name)); tok != "" {
		opt.Token, opt.TokenSource = tok, "the "+name+" environment variable"
		return opt
	}
	b, err := files.ReadRegular(tokenPath, maxTokenFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		opt.tokenErr = fmt.Errorf("reading the token file (HF_TOKEN_PATH, else $HF_HOME/token): %w", err)
	default:
		if tok := cleanToken(string(b)); tok != "" {
			opt.Token, opt.TokenSource = tok, "the token file "+tokenPath
		}
	}
	return opt
}

// cleanToken is utils/_auth.py _clean_token: line breaks removed, blanks trimmed.
func cleanToken(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r", "", "\n", "").Replace(s))
}

// isTrue is constants.py _is_true: value.upper() in {"1", "ON", "YES", "TRUE"}, no trimming.
func isTrue(v string) bool {
	switch strings.ToUpper(v) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// expandUser is Python's posixpath.expanduser: a leading "~" is $HOME (else the user's home
// from the password database), "~name" is that user's home; anything else, or an unknown user,
// is left as it is.
func (e env) expandUser(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	i := strings.IndexByte(p, '/')
	if i < 0 {
		i = len(p)
	}
	var home string
	if i == 1 {
		h, ok := e("HOME")
		if !ok {
			u, err := user.Current()
			if err != nil {
				return p
			}
			h = u.HomeDir
		}
		home = h
	} else {
		u, err := user.Lookup(p[1:i])
		if err != nil {
			return p
		}
		home = u.HomeDir
	}
	home = strings.TrimRight(home, "/")
	if s := home + p[i:]; s != "" {
		return s
	}
	return "/"
}

// expandVars is Python's posixpath.expandvars: $name and ${name} (name of ASCII letters, digits
// and '_') are replaced by the variable's value when it is set, even to ""; unset variables and
// a lone '$' are left as they are. Substituted text is not expanded again.
func (e env) expandVars(p string) string {
	if !strings.Contains(p, "$") {
		return p
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '$')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		b.WriteString(p[:i])
		rest := p[i+1:]
		var name string
		var n int // bytes of rest taken by the reference
		if strings.HasPrefix(rest, "{") {
			if end := strings.IndexByte(rest, '}'); end >= 0 {
				name, n = rest[1:end], end+1
			}
		} else {
			for n < len(rest) && isWordByte(rest[n]) {
				n++
			}
			name = rest[:n]
		}
		if n == 0 || (name == "" && rest[0] != '{') {
			b.WriteByte('$')
			p = rest
			continue
		}
		if v, ok := e(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(p[i : i+1+n])
		}
		p = rest[n:]
	}
}

// isWordByte matches Python's \w under re.ASCII.
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
