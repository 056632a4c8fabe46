// Package actcache is lesionui's activation cache: the recording a study makes of its contrast
// sentences (engine.Recording, the one expensive pass over the model when a study opens) kept on
// disk, so that a second study of the same model on the same contrast set opens without that pass.
//
// An entry is keyed by everything the recording depends on (Key): the weight files' identity
// (resolved path, size, modification time and a hash of their first and last MiB), the contents
// of config.json and of the tokenizer's files, the contrast set's two words and sentences, the
// recorded point (before or after the activation function), the entry format and the lesionui
// build. An entry is validated before it is used (format, version, key, sizes, a SHA-256 of the
// whole file, finite values): one that is corrupt, truncated or of another shape is ignored and
// rewritten, never trusted. Entries are written atomically (internal/files), the total size is
// bounded (the least recently used entries go first) and the folder can be deleted at any time.
package actcache

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"lesionui/engine"
	"lesionui/engine/encoder"
	"lesionui/internal/files"
	"lesionui/sentences"
)

// EnvVar is the environment variable that sizes the cache: a size such as 500MB, 2GB or 1.5GiB
// (a plain number is bytes; kB, MB, GB, TB are powers of 1000, KiB, MiB, GiB, TiB of 1024), or
// "off" (or 0) for no cache. Unset or empty means DefaultLimit.
const EnvVar = "LESIONUI_ACTIVATION_CACHE"

// DefaultLimit is the cache's default total size: 2 GB, about 45 recordings of bert-large on the
// notebook's 108 sentences (42 MB each).
const DefaultLimit int64 = 2_000_000_000

// Cache is a folder of recordings of at most Limit bytes in all.
type Cache struct {
	Dir   string
	Limit int64
}

// FromEnv returns the cache lesionui uses: the folder lesionui/activations in the user's cache
// folder (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux), sized by EnvVar. It returns nil
// when EnvVar turns the cache off or there is no user cache folder (neither variable nor a home),
// and an error naming EnvVar for a value it cannot read.
func FromEnv() (*Cache, error) {
	limit := DefaultLimit
	if v := strings.TrimSpace(os.Getenv(EnvVar)); v != "" {
		n, err := ParseSize(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvVar, v, err)
		}
		if n == 0 {
			return nil, nil
		}
		limit = n
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return nil, nil // nowhere to keep it: the studies run without it
	}
	return &Cache{Dir: filepath.Join(base, "lesionui", "activations"), Limit: limit}, nil
}

// ParseSize reads a size: a non-negative number with an optional unit (B, kB, MB, GB, TB in
// powers of 1000, KiB, MiB, GiB, TiB in powers of 1024, any case), or "off" for 0.
func ParseSize(s string) (int64, error) {
	if strings.EqualFold(s, "off") {
		return 0, nil
	}
	units := []struct {
		suffix string
		scale  float64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"b", 1}}
	num, scale := strings.ToLower(strings.TrimSpace(s)), 1.0
	for _, u := range units {
		if v, ok := strings.CutSuffix(num, u.suffix); ok {
			num, scale = strings.TrimSpace(v), u.scale
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) || v*scale > math.MaxInt64/2 {
		return 0, fmt.Errorf("not a size (want e.g. 500MB, 2GB, 1.5GiB, or off)")
	}
	return int64(v * scale), nil
}

// Key names one recording: the SHA-256 of everything it depends on.
type Key [sha256.Size]byte

// String is the key in hex, the entry's file name.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Format versions. formatVersion changes whenever the file layout or what a recording holds does.
const (
	magic         = "LUIACTS\x00"
	formatVersion = 1
	fileSuffix    = ".acts"
	// fingerprintBytes is how much of the start and of the end of each weight file the key hashes.
	fingerprintBytes = 1 << 20
	// maxTokenizerFile bounds the tokenizer and config files read for the key (tokenizer.json's
	// limit in engine/encoder/tokenize).
	maxTokenizerFile = 64 << 20
)

// tokenizerFiles are the files of a model folder besides the weights that the recording depends
// on: the architecture and everything the tokenizers read.
var tokenizerFiles = []string{"config.json", "tokenizer.json", "vocab.txt", "vocab.json", "merges.txt",
	"tokenizer_config.json", "special_tokens_map.json"}

// KeyOf is the key of the recording a study of m on set with opt makes. It reads the model
// folder's config and tokenizer files whole and the first and last MiB of each weight file.
func KeyOf(m *encoder.Model, set *sentences.ContrastSet, opt engine.Options) (Key, error) {
	h := sha256.New()
	field := func(name string, v string) { fmt.Fprintf(h, "%s %d %s\n", name, len(v), v) }
	field("format", strconv.Itoa(formatVersion))
	field("build", buildID())
	field("post-gelu", strconv.FormatBool(opt.PostGELU))
	for _, g := range []sentences.Group{set.A, set.B} {
		field("word", g.Word)
		for _, s := range g.Sentences {
			field("sentence", s.Text)
		}
	}
	entries, err := os.ReadDir(m.Dir)
	if err != nil {
		return Key{}, fmt.Errorf("activation cache: %w", err)
	}
	for _, e := range entries { // sorted by name
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".safetensors") || strings.HasSuffix(name, ".safetensors.index.json"):
			if err := fingerprint(h, filepath.Join(m.Dir, name)); err != nil {
				return Key{}, err
			}
		case slices.Contains(tokenizerFiles, name):
			b, err := files.ReadRegular(filepath.Join(m.Dir, name), maxTokenizerFile)
			if err != nil {
				return Key{}, fmt.Errorf("activation cache: %w", err)
			}
			field(name, string(b))
		}
	}
	var k Key
	h.Sum(k[:0])
	return k, nil
}

// fingerprint writes a weight file's identity into h: its resolved path (in a HuggingFace cache, a
// blob named by its hash), size, modification time and its first and last fingerprintBytes.
func fingerprint(h hash.Hash, path string) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("activation cache: %w", err)
	}
	f, fi, err := files.OpenRegular(real)
	if err != nil {
		return fmt.Errorf("activation cache: %w", err)
	}
	defer f.Close()
	fmt.Fprintf(h, "weights %s %d %d\n", real, fi.Size(), fi.ModTime().UnixNano())
	head := min(fi.Size(), fingerprintBytes)
	if _, err := io.CopyN(h, f, head); err != nil {
		return fmt.Errorf("activation cache: reading %s: %w", real, err)
	}
	if tail := min(fi.Size()-head, fingerprintBytes); tail > 0 {
		if _, err := f.Seek(-tail, io.SeekEnd); err != nil {
			return fmt.Errorf("activation cache: reading %s: %w", real, err)
		}
		if _, err := io.CopyN(h, f, tail); err != nil {
			return fmt.Errorf("activation cache: reading %s: %w", real, err)
		}
	}
	return nil
}

// buildID names the lesionui build (module version and VCS revision, when the binary records them),
// so that a build whose forward pass differs never reads another's recordings.
func buildID() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	id := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			id += " " + s.Value
		}
	}
	return id
}

// Shape is the size of a recording: layers, sentences (both groups) and units per layer.
type Shape struct{ Layers, Sentences, Units int }

// shapeOf is the shape of the recording of a study of m on set.
func shapeOf(m *encoder.Model, set *sentences.ContrastSet) Shape {
	return Shape{Layers: m.Config.NumHiddenLayers, Sentences: len(set.A.Sentences) + len(set.B.Sentences), Units: m.Config.IntermediateSize}
}

// header is the fixed start of an entry.
type header struct {
	Magic                    [8]byte
	Version                  uint32
	Key                      Key
	Layers, Sentences, Units uint32
}

const headerSize = 8 + 4 + sha256.Size + 3*4

// size is the length of an entry of shape s.
func (s Shape) size() int64 {
	return headerSize + int64(s.Layers)*int64(s.Sentences+3)*int64(s.Units)*4 + sha256.Size
}

// InvalidError is an entry that exists but cannot be used; Load's caller stores a new one.
type InvalidError struct {
	Path   string
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("activation cache entry %s: %s", e.Path, e.Reason)
}

// ErrMiss is Load's error when the cache holds no entry for the key.
var ErrMiss = errors.New("activation cache: no entry")

func (c *Cache) path(k Key) string { return filepath.Join(c.Dir, k.String()+fileSuffix) }

// Load reads the recording stored under k, which must have shape want. It returns ErrMiss when
// there is none and an *InvalidError when the entry is unusable (of another version, key or shape,
// truncated, corrupt or holding non-finite values). A valid entry is marked as used now.
func (c *Cache) Load(k Key, want Shape) (engine.Recording, error) {
	path := c.path(k)
	f, fi, err := files.OpenRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return engine.Recording{}, ErrMiss
	}
	bad := func(format string, args ...any) (engine.Recording, error) {
		return engine.Recording{}, &InvalidError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if err != nil {
		return bad("%v", err)
	}
	defer f.Close()
	if fi.Size() != want.size() {
		return bad("%d bytes, want %d for %d layers × %d sentences × %d units", fi.Size(), want.size(), want.Layers, want.Sentences, want.Units)
	}
	sum := sha256.New()
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(r, head); err != nil {
		return bad("reading the header: %v", err)
	}
	sum.Write(head)
	var hd header
	binary.Decode(head, binary.LittleEndian, &hd)
	switch {
	case string(hd.Magic[:]) != magic:
		return bad("not an activation cache entry")
	case hd.Version != formatVersion:
		return bad("format version %d, want %d", hd.Version, formatVersion)
	case hd.Key != k:
		return bad("holds the recording of another key")
	case hd.Layers != uint32(want.Layers) || hd.Sentences != uint32(want.Sentences) || hd.Units != uint32(want.Units):
		return bad("shape %d × %d × %d, want %d × %d × %d", hd.Layers, hd.Sentences, hd.Units, want.Layers, want.Sentences, want.Units)
	}
	rec := engine.Recording{Tested: make([][]float32, want.Layers), Means: make([][3][]float32, want.Layers)}
	buf := make([]byte, 4*want.Units)
	read := func(dst []float32) error { // one row of units
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		sum.Write(buf)
		for i := range dst {
			v := math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("unit %d is %v", i, v)
			}
			dst[i] = v
		}
		return nil
	}
	for l := range want.Layers {
		rec.Tested[l] = make([]float32, want.Sentences*want.Units)
		for i := range want.Sentences {
			if err := read(rec.Tested[l][i*want.Units : (i+1)*want.Units]); err != nil {
				return bad("layer %d sentence %d: %v", l, i, err)
			}
		}
		for i := range rec.Means[l] {
			rec.Means[l][i] = make([]float32, want.Units)
			if err := read(rec.Means[l][i]); err != nil {
				return bad("layer %d means: %v", l, err)
			}
		}
	}
	want32 := sum.Sum(nil)
	var got [sha256.Size]byte
	if _, err := io.ReadFull(r, got[:]); err != nil {
		return bad("reading the checksum: %v", err)
	}
	if string(got[:]) != string(want32) {
		return bad("checksum mismatch: the file is corrupt")
	}
	now := time.Now()
	os.Chtimes(path, now, now) // least recently used goes first; failing to mark it is harmless
	return rec, nil
}

// Store writes rec under k (replacing any entry there, atomically) and then removes the least
// recently used entries until the cache is within its limit. A recording larger than the limit is
// not stored.
func (c *Cache) Store(k Key, rec engine.Recording) error {
	if len(rec.Tested) == 0 || len(rec.Means) != len(rec.Tested) {
		return fmt.Errorf("activation cache: a recording of %d layers and %d of means", len(rec.Tested), len(rec.Means))
	}
	units := len(rec.Means[0][0])
	sh := Shape{Layers: len(rec.Tested), Units: units}
	if units > 0 {
		sh.Sentences = len(rec.Tested[0]) / units
	}
	if sh.size() > c.Limit {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("activation cache: %w", err)
	}
	err := files.Write(c.path(k), func(w io.Writer) error {
		sum := sha256.New()
		bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<20)
		hd := header{Version: formatVersion, Key: k, Layers: uint32(sh.Layers), Sentences: uint32(sh.Sentences), Units: uint32(sh.Units)}
		copy(hd.Magic[:], magic)
		if err := binary.Write(bw, binary.LittleEndian, &hd); err != nil {
			return err
		}
		var buf []byte
		put := func(v []float32) error {
			buf = buf[:0]
			for _, x := range v {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
			}
			_, err := bw.Write(buf)
			return err
		}
		for l, t := range rec.Tested {
			if len(t) != sh.Sentences*units {
				return fmt.Errorf("layer %d holds %d activations, want %d", l, len(t), sh.Sentences*units)
			}
			if err := put(t); err != nil {
				return err
			}
			for i, m := range rec.Means[l] {
				if len(m) != units {
					return fmt.Errorf("layer %d: %d means of kind %d, want %d", l, len(m), i, units)
				}
				if err := put(m); err != nil {
					return err
				}
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		_, err := w.Write(sum.Sum(nil))
		return err
	})
	if err != nil {
		return fmt.Errorf("activation cache: %w", err)
	}
	return c.evict(k)
}

// staleTemp is how old a temporary file of an interrupted write must be to be removed.
const staleTemp = time.Hour

// evict removes the least recently used entries (and stale temporary files) until the entries
// fit the limit, never keep.
func (c *Cache) evict(keep Key) error {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return fmt.Errorf("activation cache: %w", err)
	}
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var all []entry
	var total int64
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		path := filepath.Join(c.Dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), fileSuffix+".lesionui-"):
			if time.Since(fi.ModTime()) > staleTemp {
				os.Remove(path)
			}
		case strings.HasSuffix(e.Name(), fileSuffix):
			all = append(all, entry{path, fi.Size(), fi.ModTime()})
			total += fi.Size()
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return a.used.Compare(b.used) })
	for _, e := range all {
		if total <= c.Limit {
			break
		}
		if e.path == c.path(keep) {
			continue
		}
		if err := os.Remove(e.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= e.size
		}
	}
	return nil
}

// Outcome says how Open got its study's recording.
type Outcome struct {
	// Hit is set when the recording came from the cache.
	Hit bool
	// Problem is what went wrong with the cache without stopping the study: an entry that was
	// invalid (and was replaced), or one that could not be written. nil when all went well.
	Problem error
}

// Open builds the study of m on set with opt: from the cache's recording when it holds a valid
// one (engine.NewRecorded), else by recording it (engine.New) and storing the recording. c may be
// nil (no cache). progress (which may be nil) gets the collection's progress, at once and whole
// for a recording from the cache.
func Open(ctx context.Context, c *Cache, m *encoder.Model, set *sentences.ContrastSet, opt engine.Options, progress func(engine.Progress)) (*engine.Study, Outcome, error) {
	var out Outcome
	if c == nil {
		s, err := engine.New(ctx, m, set, opt, progress)
		return s, out, err
	}
	k, err := KeyOf(m, set, opt)
	if err != nil {
		out.Problem = err
		s, err := engine.New(ctx, m, set, opt, progress)
		return s, out, err
	}
	switch rec, err := c.Load(k, shapeOf(m, set)); {
	case err == nil:
		s, err := engine.NewRecorded(ctx, m, set, opt, rec)
		if err == nil {
			if progress != nil {
				progress(engine.Progress{Phase: engine.PhaseCollect, Done: m.Config.NumHiddenLayers, Total: m.Config.NumHiddenLayers})
			}
			out.Hit = true
			return s, out, nil
		}
		var nf *engine.NonFiniteError
		if ctx.Err() != nil || errors.As(err, &nf) && nf.Layer < 0 {
			return nil, out, err // cancelled, or the clean pass failed: a new recording would not help
		}
		out.Problem = &InvalidError{Path: c.path(k), Reason: err.Error()}
	case !errors.Is(err, ErrMiss):
		out.Problem = err
	}
	s, err := engine.New(ctx, m, set, opt, progress)
	if err != nil {
		return nil, out, err
	}
	if err := c.Store(k, s.Recording()); err != nil && out.Problem == nil {
		out.Problem = err
	}
	return s, out, nil
}
