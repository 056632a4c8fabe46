package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"lesionui/internal/files"
)

// maxAttempts bounds the tries of one file's GET when the connection breaks mid-body; each
// retry resumes with a Range request.
const maxAttempts = 5

// retryDelay is the pause before retry n (n*retryDelay); tests shorten it.
var retryDelay = 500 * time.Millisecond

// stallTimeout ends a GET that receives nothing for this long, like huggingface_hub's
// HF_HUB_DOWNLOAD_TIMEOUT read timeout; the next try resumes it. Tests shorten it.
var stallTimeout = 30 * time.Second

// errStalled is the cause of a GET ended by the stall watchdog.
var errStalled = errors.New("download stalled")

// downloader fetches one model's files into the cache.
type downloader struct {
	id     ModelID
	opt    Options
	cache  *repoCache
	commit string
}

// run finds the revision's commit, works out which files the model needs, fetches those the
// cache lacks and returns the snapshot directory.
func (d *downloader) run(ctx context.Context) (string, error) {
	plan, err := d.plan(ctx)
	if err != nil {
		return "", err
	}
	var todo []fileMeta
	for _, m := range plan {
		if m.ETag != "" { // fetched by HEAD, not yet in the snapshot
			todo = append(todo, m)
		}
	}
	for i, m := range todo {
		if err := d.fetch(ctx, m, i+1, len(todo)); err != nil {
			return "", d.explain(m.File, err)
		}
	}
	return d.cache.snapshot(d.commit), nil
}

// plan lists the files to take: each with its metadata when it must be fetched, or with only
// its name when the snapshot already has it. It records absent files in .no_exist. config.json
// is fetched and checked first, so that a model lesionui cannot run costs one small download.
func (d *downloader) plan(ctx context.Context) ([]fileMeta, error) {
	if commitHash.MatchString(d.id.Revision) {
		d.commit = d.id.Revision
	}
	if err := d.fetchNow(ctx, configFile); err != nil {
		return nil, err
	}
	if err := d.cache.writeRef(d.id.Revision, d.commit); err != nil {
		return nil, d.explain("", fmt.Errorf("writing the cache: %w", err))
	}
	if err := d.checkConfig(); err != nil {
		return nil, err
	}
	plan := []fileMeta{{File: configFile}}
	take := func(file string, required bool) (bool, error) {
		m, ok, err := d.stat(ctx, file)
		if err != nil {
			return false, d.explain(file, err)
		}
		if ok {
			plan = append(plan, m)
		} else if required {
			return false, d.explain(file, fmt.Errorf("%w: the repository has no %s", ErrNotFound, file))
		}
		return ok, nil
	}
	if err := d.planTokenizer(ctx, take); err != nil {
		return nil, err
	}
	for _, f := range optionalFiles {
		if _, err := take(f, false); err != nil {
			return nil, err
		}
	}
	if ok, err := take(weightsFile, false); err != nil || ok {
		return plan, err
	}
	if _, ok, err := d.stat(ctx, indexFile); err != nil {
		return nil, d.explain(indexFile, err)
	} else if !ok {
		return nil, d.noSafetensors(ctx)
	}
	// The index is needed now to know the shards.
	if err := d.fetchNow(ctx, indexFile); err != nil {
		return nil, err
	}
	plan = append(plan, fileMeta{File: indexFile})
	shards, err := readIndex(d.cache.pointer(d.commit, indexFile))
	if err != nil {
		return nil, d.explain(indexFile, err)
	}
	for _, s := range shards {
		if _, err := take(s, true); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// sentencePieceFiles are the SentencePiece models that transformers converts into a tokenizer
// at load time; lesionui reads only the tokenizer.json such a conversion writes.
var sentencePieceFiles = []string{"spiece.model", "sentencepiece.bpe.model", "tokenizer.model"}

// planTokenizer takes the tokenizer files the engine reads: tokenizer.json and vocab.txt
// (WordPiece) when the repository has them, else vocab.json + merges.txt (byte-level BPE). A
// repository with only a SentencePiece model is refused here, before the weights, with the line
// that makes a tokenizer.json of it.
func (d *downloader) planTokenizer(ctx context.Context, take func(file string, required bool) (bool, error)) error {
	found := map[string]bool{}
	for _, f := range []string{tokenizerFile, vocabFile, vocabJSONFile, mergesFile} {
		if f == vocabJSONFile && (found[tokenizerFile] || found[vocabFile]) {
			break
		}
		ok, err := take(f, false)
		if err != nil {
			return err
		}
		found[f] = ok
	}
	if found[tokenizerFile] || found[vocabFile] || found[vocabJSONFile] && found[mergesFile] {
		return nil
	}
	for _, f := range sentencePieceFiles {
		if _, ok, err := d.stat(ctx, f); err != nil {
			return d.explain(f, err)
		} else if ok {
			return d.explain(f, fmt.Errorf("%w: the repository has %s (a SentencePiece model) but no %s; lesionui reads the tokenizer.json "+
				"that transformers makes from it: in Python, with transformers, sentencepiece and protobuf installed,\n"+
				"  from transformers import AutoTokenizer\n"+
				"  AutoTokenizer.from_pretrained(%q).save_pretrained(DIR)\n"+
				"then run lesionui --model DIR (with the weights copied there)", ErrNotFound, f, tokenizerFile, d.id.Repo))
		}
	}
	return d.explain(tokenizerFile, fmt.Errorf("%w: the repository has no tokenizer: none of %s, %s, %s + %s", ErrNotFound, tokenizerFile, vocabFile, vocabJSONFile, mergesFile))
}

// fetchNow makes sure the snapshot has file, which the repository must have, fetching it at
// once and without progress: the small files whose content decides what comes next.
func (d *downloader) fetchNow(ctx context.Context, file string) error {
	m, ok, err := d.stat(ctx, file)
	if err != nil {
		return d.explain(file, err)
	}
	if !ok {
		return d.explain(file, fmt.Errorf("%w: the repository has no %s", ErrNotFound, file))
	}
	if m.ETag == "" { // already in the snapshot
		return nil
	}
	if err := d.fetch(ctx, m, 0, 0); err != nil {
		return d.explain(file, err)
	}
	return nil
}

// checkConfig runs Options.CheckConfig on the snapshot's config.json.
func (d *downloader) checkConfig() error {
	if d.opt.CheckConfig == nil {
		return nil
	}
	path := d.cache.pointer(d.commit, configFile)
	err := d.opt.CheckConfig(path)
	if err == nil {
		return nil
	}
	what := configFile
	if t := modelType(path); t != "" {
		what = fmt.Sprintf("%s (model_type %q)", configFile, t)
	}
	return &Error{Model: d.id.String(), File: configFile, Err: fmt.Errorf("%w: %v", ErrUnsupportedModel, err),
		Hint: fmt.Sprintf("nothing else was downloaded: lesionui fetched only %s and stopped before the tokenizer and the weights", what)}
}

// modelType reads config.json's model_type, "" when it has none or cannot be read.
func modelType(path string) string {
	b, err := files.ReadRegular(path, smallFileLimit[configFile])
	if err != nil {
		return ""
	}
	var c struct {
		ModelType string `json:"model_type"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.ModelType
}

// stat tells whether the repository has file at the revision: from the cache when the snapshot
// has it or records it as absent, else from a HEAD request. It sets d.commit on the first HEAD.
func (d *downloader) stat(ctx context.Context, file string) (fileMeta, bool, error) {
	if d.commit != "" {
		if d.cache.has(d.commit, file) {
			return fileMeta{File: file}, true, nil
		}
		if d.cache.absent(d.commit, file) {
			return fileMeta{}, false, nil
		}
	}
	rev := d.commit
	if rev == "" {
		rev = d.id.Revision
	}
	m, err := d.head(ctx, rev, file)
	if d.commit == "" && commitHash.MatchString(m.Commit) {
		d.commit = m.Commit
	}
	if entryNotFound(err) && d.commit != "" {
		if err := d.cache.markAbsent(d.commit, file); err != nil {
			return m, false, fmt.Errorf("writing the cache: %w", err)
		}
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if d.commit == "" {
		return m, false, fmt.Errorf("the Hub gave no commit for revision %s", d.id.Revision)
	}
	if !validETag(m.ETag) {
		return m, false, fmt.Errorf("the Hub gave an unusable ETag %q", m.ETag)
	}
	if limit, ok := smallFileLimit[file]; ok && m.Size > limit {
		// A config or tokenizer file this large is not one: refuse it before the GET.
		return m, false, &files.TooLargeError{Path: m.Location, Size: m.Size, Limit: limit}
	}
	if m.Location == d.resolveURL(rev, file) {
		// Fetch from the commit, not the branch, which may move between HEAD and GET.
		m.Location = d.resolveURL(d.commit, file)
	}
	return m, true, nil
}

// etagName matches the ETags that can name a blob file: no separators, no leading dot.
var etagName = regexp.MustCompile(`^[A-Za-z0-9+=_-][A-Za-z0-9+=_.-]{0,199}$`)

// validETag accepts an ETag that can name a blob file.
func validETag(s string) bool { return etagName.MatchString(s) }

// noSafetensors explains a repository without safetensors weights, naming the other weight
// files it has and the Hub's safetensors conversion pull request when there is one.
func (d *downloader) noSafetensors(ctx context.Context) error {
	var others []string
	for _, f := range []string{"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5"} {
		_, ok, err := d.stat(ctx, f)
		if err != nil {
			return d.explain(f, err)
		}
		if ok {
			others = append(others, f)
		}
	}
	have := "no weights lesionui can read"
	if len(others) > 0 {
		have = "only " + strings.Join(others, " and ")
	}
	hint := "the Hub's safetensors conversion bot opens pull requests with model.safetensors: use one as the revision,\n" +
		"  lesionui --model " + d.id.Repo + "@refs/pr/N   (see " + d.opt.Endpoint + "/" + d.id.Repo + "/discussions),\n" +
		"or open one at https://huggingface.co/spaces/safetensors/convert"
	if pr, ok := d.conversionPR(ctx); ok {
		hint = fmt.Sprintf("the Hub has a safetensors conversion of it, pull request #%d (%s): run\n  lesionui --model %s@refs/pr/%d",
			pr, d.opt.Endpoint+"/"+d.id.Repo+"/discussions/"+strconv.Itoa(pr), d.id.Repo, pr)
	}
	return &Error{Model: d.id.String(), File: weightsFile,
		Err: fmt.Errorf("%w: the repository has neither %s nor %s, %s", ErrNoSafetensors, weightsFile, indexFile, have),
		Hint: hint + ";\nor convert it yourself in Python, then run lesionui with --model DIR:\n" +
			"  from transformers import AutoModelForMaskedLM, AutoTokenizer\n" +
			"  AutoModelForMaskedLM.from_pretrained(\"" + d.id.Repo + "\").save_pretrained(\"DIR\", safe_serialization=True)\n" +
			"  AutoTokenizer.from_pretrained(\"" + d.id.Repo + "\").save_pretrained(\"DIR\")"}
}

// fetch puts file m into blobs/<etag> (unless there already) and links it into the snapshot.
// index and count number the file among those this call downloads, for progress (count 0:
// no progress reports).
func (d *downloader) fetch(ctx context.Context, m fileMeta, index, count int) error {
	blob := d.cache.blob(m.ETag)
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(ctx, filepath.Join(d.cache.locks, m.ETag+".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(blob); err != nil {
		if err := d.fetchBlob(ctx, m, blob, index, count); err != nil {
			return err
		}
	}
	return d.cache.link(d.commit, m.File, m.ETag)
}

// fetchBlob downloads m to blob+".incomplete", resuming what is there, retries after broken
// connections, verifies size and sha256 (LFS) and renames the file into place.
func (d *downloader) fetchBlob(ctx context.Context, m fileMeta, blob string, index, count int) error {
	part := blob + ".incomplete"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	var h hash.Hash
	if m.lfs() {
		h = sha256.New()
	}
	p := &progress{info: Progress{File: m.File, Total: m.Size, FileIndex: index, Files: count}}
	if count > 0 {
		p.fn = d.opt.Progress
	}
	for attempt := 1; ; attempt++ {
		err = d.getInto(ctx, m, f, h, p)
		if err == nil || attempt == maxAttempts || ctx.Err() != nil || !retryable(err) {
			break
		}
		select {
		case <-time.After(time.Duration(attempt) * retryDelay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(part, blob)
}

// retryable reports whether a failed GET may be resumed: the connection broke or the server
// had a passing problem.
func retryable(err error) bool {
	var he *httpStatusError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests
	}
	return errors.Is(err, ErrNetwork) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errBrokenBody) ||
		errors.Is(err, syscall.ECONNRESET)
}

// errBrokenBody marks a response body that ended in an error.
var errBrokenBody = errors.New("connection broken during the download")

// getInto sends one GET for m, resuming after the bytes already in f, and appends the body.
// On success f holds exactly the verified content.
func (d *downloader) getInto(ctx context.Context, m fileMeta, f *os.File, h hash.Hash, p *progress) error {
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if have > m.Size {
		have = 0
	}
	if err := restart(f, h, have); err != nil {
		return err
	}
	// A watchdog ends the request when nothing arrives for stallTimeout; the retry resumes.
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(stallTimeout, func() { cancel(errStalled) })
	defer watchdog.Stop()
	stalled := func() bool { return ctx.Err() == nil && errors.Is(context.Cause(reqCtx), errStalled) }
	resp, err := d.get(reqCtx, m.Location, func(hd http.Header) {
		if have > 0 {
			hd.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		}
	})
	if err != nil {
		if stalled() {
			return fmt.Errorf("%w: no answer from %s in %v", errBrokenBody, m.Location, stallTimeout)
		}
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if start, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || start != have {
			restart(f, h, 0) // the server sent another range: start over on the next try
			return fmt.Errorf("%w: server answered range %q to bytes=%d-", errBrokenBody, resp.Header.Get("Content-Range"), have)
		}
	case http.StatusRequestedRangeNotSatisfiable:
		if have != m.Size {
			restart(f, h, 0)
			return fmt.Errorf("%w: server refused the range bytes=%d-", errBrokenBody, have)
		}
		if err := d.verify(m, f, h, have); err != nil {
			return err
		}
		p.finish(have)
		return nil
	case http.StatusOK:
		if err := restart(f, h, 0); err != nil {
			return err
		}
		have = 0
	default:
		return fmt.Errorf("unexpected HTTP %d from %s", resp.StatusCode, resp.Request.URL)
	}
	p.start(have)
	var w io.Writer = f
	if h != nil {
		w = io.MultiWriter(f, h)
	}
	// Never more than one byte past the announced size: a server that sends a gigabyte for a
	// 500-byte config.json is cut there and fails the size check.
	body := io.LimitReader(resp.Body, m.Size-have+1)
	n, err := copyBody(w, body, p, func() { watchdog.Reset(stallTimeout) })
	have += n
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			need := int64(0)
			if m.Size > have {
				need = m.Size - have
			}
			return &Error{Model: d.id.String(), File: m.File, Err: fmt.Errorf("%w: %v", ErrDiskFull, err),
				Hint: fmt.Sprintf("%d more bytes are needed in %s (the partial download is kept and resumes next time); free some space or set HF_HUB_CACHE to another disk", need, filepath.Dir(f.Name()))}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if stalled() {
			return fmt.Errorf("%w: nothing received for %v after %d bytes", errBrokenBody, stallTimeout, have)
		}
		return fmt.Errorf("%w after %d bytes: %v", errBrokenBody, have, err)
	}
	if have < m.Size {
		return fmt.Errorf("%w: the body ended after %d of %d bytes", errBrokenBody, have, m.Size)
	}
	if err := d.verify(m, f, h, have); err != nil {
		return err
	}
	p.finish(have)
	return nil
}

// restart truncates f to keep bytes, positions it there and feeds those bytes to h afresh.
func restart(f *os.File, h hash.Hash, keep int64) error {
	if st, err := f.Stat(); err != nil {
		return err
	} else if st.Size() != keep {
		if err := f.Truncate(keep); err != nil {
			return err
		}
	}
	if h != nil {
		h.Reset()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, keep)); err != nil {
			return err
		}
	}
	_, err := f.Seek(keep, io.SeekStart)
	return err
}

// verify checks the downloaded size and, for LFS files, the sha256; a mismatch deletes the
// partial file, so a bad download is never kept nor resumed.
func (d *downloader) verify(m fileMeta, f *os.File, h hash.Hash, have int64) error {
	var why string
	switch {
	case have != m.Size:
		why = fmt.Sprintf("got %d bytes, the Hub announced %d", have, m.Size)
	case h != nil && hex.EncodeToString(h.Sum(nil)) != m.ETag:
		why = fmt.Sprintf("sha256 %s, the Hub announced %s", hex.EncodeToString(h.Sum(nil)), m.ETag)
	default:
		return nil
	}
	f.Truncate(0)
	os.Remove(f.Name())
	return &Error{Model: d.id.String(), File: m.File, Err: fmt.Errorf("%w: %s", ErrCorrupt, why),
		Hint: "the partial file was deleted; run the command again to download it afresh"}
}

// contentRangeStart reads the first byte position of "bytes start-end/total".
func contentRangeStart(s string) (int64, bool) {
	s, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(s, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}

// copyBody copies r to w in chunks, reporting progress and calling alive after each read that
// brought bytes; it returns the bytes written.
func copyBody(w io.Writer, r io.Reader, p *progress, alive func()) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			if _, err := w.Write(buf[:k]); err != nil {
				return n, err
			}
			n += int64(k)
			p.advance(int64(k))
			alive()
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
