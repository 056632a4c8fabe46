package hub

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"lesionui/internal/files"
)

// The files lesionui takes from a model repository.
const (
	configFile    = "config.json"
	tokenizerFile = "tokenizer.json"
	vocabFile     = "vocab.txt"
	vocabJSONFile = "vocab.json" // byte-level BPE (RoBERTa) without a tokenizer.json, with mergesFile
	mergesFile    = "merges.txt"
	weightsFile   = "model.safetensors"
	indexFile     = "model.safetensors.index.json"
)

// The optional files, fetched when the repository has them.
const (
	tokenizerConfigFile = "tokenizer_config.json"
	specialTokensFile   = "special_tokens_map.json"
)

// optionalFiles are fetched when the repository has them.
var optionalFiles = []string{tokenizerConfigFile, specialTokensFile}

// smallFileLimit caps the size of the files lesionui reads whole, far above what real ones
// need (bert-large-uncased: config.json 571 B, vocab.txt 232 kB, tokenizer.json 466 kB;
// XLM-R's tokenizer.json 17 MB), so that a mistaken or hostile "config.json" of a gigabyte is
// refused by its announced size and never read into memory. The weights have no cap: they
// are memory-mapped, and checked against the size and sha256 the Hub announces.
var smallFileLimit = map[string]int64{
	configFile:          8 << 20,
	tokenizerConfigFile: 16 << 20,
	specialTokensFile:   8 << 20,
	vocabFile:           16 << 20,
	vocabJSONFile:       16 << 20,
	mergesFile:          16 << 20,
	tokenizerFile:       64 << 20,
	indexFile:           16 << 20,
}

// repoCache is one repository's folder in the HuggingFace cache.
type repoCache struct {
	root  string // <cache>/models--org--name
	locks string // <cache>/.locks/models--org--name
}

func newRepoCache(cacheDir, repo string) *repoCache {
	name := "models--" + strings.ReplaceAll(repo, "/", "--")
	return &repoCache{root: filepath.Join(cacheDir, name), locks: filepath.Join(cacheDir, ".locks", name)}
}

func (c *repoCache) blob(etag string) string { return filepath.Join(c.root, "blobs", etag) }
func (c *repoCache) snapshot(commit string) string {
	return filepath.Join(c.root, "snapshots", commit)
}
func (c *repoCache) pointer(commit, file string) string {
	return filepath.Join(c.snapshot(commit), filepath.FromSlash(file))
}
func (c *repoCache) noExist(commit, file string) string {
	return filepath.Join(c.root, ".no_exist", commit, filepath.FromSlash(file))
}
func (c *repoCache) ref(revision string) string {
	return filepath.Join(c.root, "refs", filepath.FromSlash(revision))
}

// commitFor gives the commit a revision stands for in the cache: itself for a commit hash,
// else the content of refs/<revision>.
func (c *repoCache) commitFor(revision string) (string, bool) {
	if commitHash.MatchString(revision) {
		return revision, true
	}
	b, err := files.ReadRegular(c.ref(revision), 1<<10)
	if err != nil {
		return "", false
	}
	commit := strings.TrimSpace(string(b))
	return commit, commitHash.MatchString(commit)
}

// writeRef records that revision points at commit, as huggingface_hub does (no newline).
func (c *repoCache) writeRef(revision, commit string) error {
	if revision == commit {
		return nil
	}
	if old, ok := c.commitFor(revision); ok && old == commit {
		return nil
	}
	ref := c.ref(revision)
	if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
		return err
	}
	return files.Write(ref, func(w io.Writer) error { _, err := io.WriteString(w, commit); return err })
}

// has reports whether the snapshot of commit has file (a symlink whose blob exists).
func (c *repoCache) has(commit, file string) bool {
	st, err := os.Stat(c.pointer(commit, file))
	return err == nil && st.Mode().IsRegular()
}

// absent reports whether file is recorded as missing from the repository at commit.
func (c *repoCache) absent(commit, file string) bool {
	_, err := os.Stat(c.noExist(commit, file))
	return err == nil
}

// markAbsent records that the repository has no file at commit.
func (c *repoCache) markAbsent(commit, file string) error {
	p := c.noExist(commit, file)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

// snapshotFor finds the cached snapshot of revision and checks it has what lesionui needs.
// strict also asks that every optional file be either present or recorded as absent, so that
// the snapshot can be used without asking the Hub. why says what is missing when !ok.
func (c *repoCache) snapshotFor(revision string, strict bool) (dir, why string, ok bool) {
	commit, found := c.commitFor(revision)
	if !found {
		return "", fmt.Sprintf("%s has no refs/%s", c.root, revision), false
	}
	dir = c.snapshot(commit)
	if missing := c.missing(commit, strict); missing != "" {
		return dir, fmt.Sprintf("%s has no %s", dir, missing), false
	}
	return dir, "", true
}

// missing names a file the snapshot of commit lacks, "" when it is complete.
func (c *repoCache) missing(commit string, strict bool) string {
	known := func(f string) bool { return c.has(commit, f) || c.absent(commit, f) }
	if !c.has(commit, configFile) {
		return configFile
	}
	hasTokenizer := c.has(commit, tokenizerFile) || c.has(commit, vocabFile)
	if !hasTokenizer && !(c.has(commit, vocabJSONFile) && c.has(commit, mergesFile)) {
		return tokenizerFile + ", " + vocabFile + " or " + vocabJSONFile + " + " + mergesFile
	}
	if strict {
		asked := append([]string{tokenizerFile, vocabFile}, optionalFiles...)
		if !hasTokenizer { // vocab.json and merges.txt are asked for only then
			asked = append(asked, vocabJSONFile, mergesFile)
		}
		for _, f := range asked {
			if !known(f) {
				return f
			}
		}
	}
	if c.has(commit, weightsFile) {
		return ""
	}
	if !c.has(commit, indexFile) {
		return weightsFile
	}
	shards, err := readIndex(c.pointer(commit, indexFile))
	if err != nil {
		return "readable " + indexFile
	}
	for _, s := range shards {
		if !c.has(commit, s) {
			return s
		}
	}
	return ""
}

// readIndex lists the shard files of a model.safetensors.index.json, sorted and deduplicated.
// Names must stay inside the repository.
func readIndex(path string) ([]string, error) {
	b, err := files.ReadRegular(path, smallFileLimit[indexFile])
	if err != nil {
		return nil, err
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var shards []string
	for tensor, f := range idx.WeightMap {
		if !validRepoPath(f) {
			return nil, fmt.Errorf("%s: tensor %q is in %q, not a file of the repository", path, tensor, f)
		}
		shards = append(shards, f)
	}
	if len(shards) == 0 {
		return nil, fmt.Errorf("%s: empty weight_map", path)
	}
	slices.Sort(shards)
	return slices.Compact(shards), nil
}

// validRepoPath accepts a slash-separated relative path that stays inside the repository.
func validRepoPath(f string) bool {
	return f != "" && !strings.Contains(f, `\`) && filepath.IsLocal(filepath.FromSlash(f)) && !strings.HasPrefix(f, ".")
}

// link points the snapshot's file at the blob with a relative symlink, as huggingface_hub does.
// The link is made under a temporary name and renamed into place, so concurrent callers and
// readers never see the file missing.
func (c *repoCache) link(commit, file, etag string) error {
	ptr := c.pointer(commit, file)
	if err := os.MkdirAll(filepath.Dir(ptr), 0o755); err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(ptr), c.blob(etag))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(ptr), ".tmp-"+filepath.Base(ptr)+"-*")
	if err != nil {
		return err
	}
	tmp.Close()
	os.Remove(tmp.Name())
	if err := os.Symlink(rel, tmp.Name()); err != nil {
		// Systems without symlinks get a hard link, which also shares the blob.
		if lerr := os.Link(c.blob(etag), tmp.Name()); lerr != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), ptr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
