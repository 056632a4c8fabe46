package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"lesionui/internal/files"
)

// The file names HuggingFace uses for a model directory's weights.
const (
	SingleFileName = "model.safetensors"
	IndexFileName  = "model.safetensors.index.json"
)

// maxIndexLen bounds the index JSON read into memory.
const maxIndexLen = 64 << 20

// Checkpoint is a model directory's weights: one model.safetensors, or the
// shards listed by model.safetensors.index.json, each mapped once. Its
// methods may be called concurrently, except Close.
type Checkpoint struct {
	dir      string
	files    []*File          // every mapped file, in opening order
	owner    map[string]*File // tensor name -> file holding it
	metadata map[string]string
}

// OpenDir opens the weights of the model directory dir. model.safetensors is
// preferred; otherwise model.safetensors.index.json and its shards are opened
// and every tensor the index names is checked to exist in its shard.
func OpenDir(dir string) (*Checkpoint, error) {
	single := filepath.Join(dir, SingleFileName)
	if exists(single) {
		f, err := Open(single)
		if err != nil {
			return nil, err
		}
		owner := make(map[string]*File, len(f.tensors))
		for name := range f.tensors {
			owner[name] = f
		}
		return &Checkpoint{dir: dir, files: []*File{f}, owner: owner, metadata: f.metadata}, nil
	}
	index := filepath.Join(dir, IndexFileName)
	if exists(index) {
		return openSharded(dir, index)
	}
	return nil, noWeightsError(dir)
}

// exists reports whether path names something (a broken symlink does not).
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// noWeightsError explains that dir holds no safetensors weights, pointing at
// the conversion if it holds PyTorch or TensorFlow weights instead.
func noWeightsError(dir string) error {
	msg := fmt.Sprintf("no %s or %s in the directory", SingleFileName, IndexFileName)
	var found []string
	for _, name := range []string{"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5"} {
		if exists(filepath.Join(dir, name)) {
			found = append(found, name)
		}
	}
	if len(found) > 0 {
		msg += fmt.Sprintf("; only PyTorch/TensorFlow weights were found (%s), which must be converted to safetensors, "+
			"e.g. with the huggingface safetensors convert script or model.save_pretrained(dir, safe_serialization=True)",
			strings.Join(found, ", "))
	}
	return &Error{File: dir, Msg: msg, Err: ErrNoSafetensors}
}

// openSharded opens a checkpoint described by the index file at index.
func openSharded(dir, index string) (*Checkpoint, error) {
	weightMap, metadata, err := readIndex(index)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{dir: dir, owner: make(map[string]*File, len(weightMap)), metadata: metadata}
	shards := map[string]*File{}
	// Tensors in sorted order make the first reported problem deterministic.
	names := make([]string, 0, len(weightMap))
	for name := range weightMap {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		shard := filepath.Clean(weightMap[name]) // "./a" and "a" are one shard
		f, ok := shards[shard]
		if !ok {
			if f, err = Open(filepath.Join(dir, shard)); err != nil {
				c.Close()
				return nil, &Error{File: index, Tensor: name, Msg: "weight_map shard: " + err.Error(), Err: err}
			}
			shards[shard] = f
			c.files = append(c.files, f)
		}
		if _, ok := f.tensors[name]; !ok {
			c.Close()
			return nil, &Error{File: index, Tensor: name,
				Msg: fmt.Sprintf("weight_map puts it in %q, which has no such tensor", shard), Err: ErrNoTensor}
		}
		c.owner[name] = f
	}
	return c, nil
}

// readIndex reads and validates model.safetensors.index.json: its weight_map
// (tensor name -> shard file name, each inside the directory) and its
// metadata, whose non-string values (such as total_size) are kept as JSON text.
func readIndex(index string) (map[string]string, map[string]string, error) {
	fail := func(err error, format string, args ...any) (map[string]string, map[string]string, error) {
		return nil, nil, &Error{File: index, Msg: fmt.Sprintf(format, args...), Err: err}
	}
	data, err := files.ReadRegular(index, maxIndexLen) // a FIFO is refused, a huge file not read
	var tooLarge *files.TooLargeError
	if errors.As(err, &tooLarge) {
		return fail(err, "index is %d bytes, over the limit of %d", tooLarge.Size, maxIndexLen)
	}
	if err != nil {
		return fail(err, "cannot read: %v", unwrapPath(err))
	}
	var weightMap, metadata map[string]string
	err = decodeObject(data, "index", func(key string, raw json.RawMessage) error {
		switch key {
		case "weight_map":
			weightMap = map[string]string{}
			return decodeObject(raw, "weight_map", func(name string, v json.RawMessage) error {
				var shard string
				if err := json.Unmarshal(v, &shard); err != nil {
					return &Error{Tensor: name, Msg: fmt.Sprintf("weight_map value is %s, not a file name string", jsonKind(v))}
				}
				if !filepath.IsLocal(shard) {
					return &Error{Tensor: name, Msg: fmt.Sprintf("weight_map names shard %q, which is not inside the directory", shard)}
				}
				weightMap[name] = shard
				return nil
			})
		case "metadata":
			metadata = map[string]string{}
			return decodeObject(raw, "metadata", func(k string, v json.RawMessage) error {
				var s string
				if json.Unmarshal(v, &s) != nil {
					s = string(v)
				}
				metadata[k] = s
				return nil
			})
		}
		return nil // other keys are not ours to judge
	})
	if err != nil {
		return nil, nil, withFile(err, index)
	}
	if len(weightMap) == 0 {
		return fail(nil, "index has no weight_map entries")
	}
	return weightMap, metadata, nil
}

// Dir returns the directory the checkpoint was opened from.
func (c *Checkpoint) Dir() string { return c.dir }

// Files returns the mapped files, one per shard.
func (c *Checkpoint) Files() []*File { return c.files }

// Metadata returns the checkpoint's metadata: the header's "__metadata__" of
// a single file, or the index's "metadata" of a sharded one.
func (c *Checkpoint) Metadata() map[string]string { return c.metadata }

// Names returns the names of all tensors, sorted.
func (c *Checkpoint) Names() []string {
	names := make([]string, 0, len(c.owner))
	for name := range c.owner {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Info returns the description of the named tensor, including its file.
func (c *Checkpoint) Info(name string) (TensorInfo, bool) {
	f, ok := c.owner[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Info(name)
}

// file returns the file holding name, or an *Error wrapping ErrNoTensor.
func (c *Checkpoint) file(name string) (*File, error) {
	f, ok := c.owner[name]
	if !ok {
		return nil, &Error{File: c.dir, Tensor: name, Msg: "no such tensor in the checkpoint", Err: ErrNoTensor}
	}
	return f, nil
}

// Bytes returns the named tensor's raw bytes; see File.Bytes.
func (c *Checkpoint) Bytes(name string) ([]byte, TensorInfo, error) {
	f, err := c.file(name)
	if err != nil {
		return nil, TensorInfo{}, err
	}
	return f.Bytes(name)
}

// Float32 returns the named tensor's values as float32; see File.Float32.
// F32 results are read-only views into the mapping, valid until Close.
func (c *Checkpoint) Float32(name string) ([]float32, error) {
	f, err := c.file(name)
	if err != nil {
		return nil, err
	}
	return f.Float32(name)
}

// Close unmaps every file of the checkpoint, returning their errors joined.
func (c *Checkpoint) Close() error {
	var errs []error
	for _, f := range c.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
