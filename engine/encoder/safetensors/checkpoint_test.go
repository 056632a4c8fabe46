package safetensors

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeSharded writes a two-shard checkpoint into dir and returns its tensors.
func writeSharded(t *testing.T, dir string) []Tensor {
	t.Helper()
	tensors := []Tensor{
		{Name: "a.weight", DType: F32, Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}},
		{Name: "a.bias", DType: F16, Shape: []int{2}, Data: []float32{0.5, -1}},
		{Name: "b.weight", DType: BF16, Shape: []int{3}, Data: []float32{1, 2, 4}},
	}
	if err := WriteFile(filepath.Join(dir, "model-00001-of-00002.safetensors"), tensors[:2], nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "model-00002-of-00002.safetensors"), tensors[2:], nil); err != nil {
		t.Fatal(err)
	}
	writeIndex(t, dir, `{"metadata": {"total_size": 22, "note": "x"}, "weight_map": {
		"a.weight": "model-00001-of-00002.safetensors",
		"a.bias": "model-00001-of-00002.safetensors",
		"b.weight": "model-00002-of-00002.safetensors"}}`)
	return tensors
}

func writeIndex(t *testing.T, dir, index string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, IndexFileName), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDirSingle(t *testing.T) {
	dir := t.TempDir()
	tensors := []Tensor{{Name: "w", DType: F32, Shape: []int{2}, Data: []float32{1, 2}}}
	if err := WriteFile(filepath.Join(dir, SingleFileName), tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	// A broken index next to it is ignored: model.safetensors wins.
	writeIndex(t, dir, "{broken")
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Names(); !reflect.DeepEqual(got, []string{"w"}) {
		t.Errorf("Names = %v", got)
	}
	if c.Metadata()["format"] != "pt" || len(c.Files()) != 1 || c.Dir() != dir {
		t.Errorf("Metadata %v, %d files, dir %q", c.Metadata(), len(c.Files()), c.Dir())
	}
	v, err := c.Float32("w")
	if err != nil || !reflect.DeepEqual(v, []float32{1, 2}) {
		t.Errorf("Float32(w) = %v, %v", v, err)
	}
	info, ok := c.Info("w")
	if !ok || info.File != filepath.Join(dir, SingleFileName) {
		t.Errorf("Info(w) = %+v, %v", info, ok)
	}
	if _, ok := c.Info("x"); ok {
		t.Error("Info(x) found a tensor")
	}
	_, err = c.Float32("x")
	wantError(t, err, dir, "x", "no such tensor in the checkpoint")
	if !errors.Is(err, ErrNoTensor) {
		t.Error("error does not wrap ErrNoTensor")
	}
}

func TestOpenDirSharded(t *testing.T) {
	dir := t.TempDir()
	tensors := writeSharded(t, dir)
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Names(); !reflect.DeepEqual(got, []string{"a.bias", "a.weight", "b.weight"}) {
		t.Errorf("Names = %v", got)
	}
	if len(c.Files()) != 2 {
		t.Errorf("%d files mapped, want 2 (each shard once)", len(c.Files()))
	}
	if want := map[string]string{"total_size": "22", "note": "x"}; !reflect.DeepEqual(c.Metadata(), want) {
		t.Errorf("Metadata = %v, want %v", c.Metadata(), want)
	}
	for _, tt := range tensors {
		v, err := c.Float32(tt.Name)
		if err != nil || !reflect.DeepEqual(v, tt.Data) {
			t.Errorf("Float32(%s) = %v, %v; want %v", tt.Name, v, err, tt.Data)
		}
	}
	b, info, err := c.Bytes("b.weight")
	if err != nil || len(b) != 6 || b[1] != 0x3f || b[3] != 0x40 || b[5] != 0x40 { // BF16 1, 2, 4
		t.Errorf("Bytes(b.weight) = %x, %v", b, err)
	}
	if _, _, err := c.Bytes("zzz"); !errors.Is(err, ErrNoTensor) {
		t.Errorf("Bytes(zzz) error %v", err)
	}
	if info.File != filepath.Join(dir, "model-00002-of-00002.safetensors") || info.DType != BF16 {
		t.Errorf("Info(b.weight) = %+v", info)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Float32("a.weight"); err == nil || !strings.Contains(err.Error(), "file is closed") {
		t.Errorf("Float32 after Close: %v", err)
	}

	// Tensors missing from the weight_map are not exposed, and two spellings
	// of one shard name map it once.
	writeIndex(t, dir, `{"weight_map": {"a.weight": "./model-00001-of-00002.safetensors",
		"a.bias": "model-00001-of-00002.safetensors"}}`)
	c, err = OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Names(); !reflect.DeepEqual(got, []string{"a.bias", "a.weight"}) || len(c.Files()) != 1 || c.Metadata() != nil {
		t.Errorf("Names = %v, %d files, metadata %v", got, len(c.Files()), c.Metadata())
	}
}

func TestOpenDirBad(t *testing.T) {
	const shard1 = "model-00001-of-00002.safetensors"
	cases := []struct {
		name    string
		index   string // replaces the good index unless empty
		remove  string // file to delete
		corrupt string // file to overwrite with 3 bytes
		file    string // file the error names, relative to dir
		tensor  string
		msg     string
	}{
		{name: "shard missing", remove: "model-00002-of-00002.safetensors", file: IndexFileName, tensor: "b.weight",
			msg: "weight_map shard: " + "DIR/model-00002-of-00002.safetensors: cannot open: no such file or directory"},
		{name: "index corrupt", index: `{"weight_map": {"a.weight": `, file: IndexFileName, msg: "index is not valid JSON"},
		{name: "index not object", index: `[]`, file: IndexFileName, msg: "index is not a JSON object"},
		{name: "no weight_map", index: `{"metadata": {}}`, file: IndexFileName, msg: "index has no weight_map entries"},
		{name: "weight_map not object", index: `{"weight_map": 3}`, file: IndexFileName, msg: "weight_map is not a JSON object"},
		{name: "shard not string", index: `{"weight_map": {"a.weight": 1}}`, file: IndexFileName, tensor: "a.weight",
			msg: "weight_map value is a number, not a file name string"},
		{name: "duplicate entry", index: `{"weight_map": {"a.weight": "` + shard1 + `", "a.weight": "` + shard1 + `"}}`,
			file: IndexFileName, msg: `weight_map has the key "a.weight" more than once`},
		{name: "absent tensor", index: `{"weight_map": {"a.weight": "` + shard1 + `", "zzz": "` + shard1 + `"}}`,
			file: IndexFileName, tensor: "zzz", msg: `weight_map puts it in "` + shard1 + `", which has no such tensor`},
		{name: "escaping shard", index: `{"weight_map": {"a.weight": "../x.safetensors"}}`, file: IndexFileName, tensor: "a.weight",
			msg: `weight_map names shard "../x.safetensors", which is not inside the directory`},
		{name: "absolute shard", index: `{"weight_map": {"a.weight": "/etc/passwd"}}`, file: IndexFileName, tensor: "a.weight",
			msg: "not inside the directory"},
		{name: "corrupt shard", corrupt: shard1, file: IndexFileName, tensor: "a.bias",
			msg: "weight_map shard: DIR/" + shard1 + ": file is 3 bytes, too short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSharded(t, dir)
			if c.index != "" {
				writeIndex(t, dir, c.index)
			}
			if c.remove != "" {
				os.Remove(filepath.Join(dir, c.remove))
			}
			if c.corrupt != "" {
				os.WriteFile(filepath.Join(dir, c.corrupt), []byte("abc"), 0o644)
			}
			cp, err := OpenDir(dir)
			if err == nil {
				cp.Close()
				t.Fatal("accepted")
			}
			wantError(t, err, filepath.Join(dir, c.file), c.tensor, strings.ReplaceAll(c.msg, "DIR", dir))
		})
	}
}

func TestIndexTooLarge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, IndexFileName)
	writeIndex(t, dir, "{}")
	os.Truncate(path, maxIndexLen+1) // sparse
	_, err := OpenDir(dir)
	wantError(t, err, path, "", "index is 67108865 bytes, over the limit of 67108864")
}

func TestOpenDirNoWeights(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenDir(dir)
	e := wantError(t, err, dir, "", "no model.safetensors or model.safetensors.index.json in the directory")
	if strings.Contains(e.Msg, "PyTorch") || !errors.Is(err, ErrNoSafetensors) {
		t.Errorf("unexpected error %v", err)
	}

	os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "tf_model.h5"), []byte("x"), 0o644)
	_, err = OpenDir(dir)
	wantError(t, err, dir, "", "only PyTorch/TensorFlow weights were found (pytorch_model.bin, tf_model.h5), "+
		"which must be converted to safetensors")
	if !strings.Contains(err.Error(), "save_pretrained(dir, safe_serialization=True)") {
		t.Errorf("error %q does not say how to convert", err)
	}

	_, err = OpenDir(filepath.Join(dir, "nope"))
	wantError(t, err, filepath.Join(dir, "nope"), "", "no model.safetensors")
}

func TestCheckFinite(t *testing.T) {
	dir := t.TempDir()
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tensors := []Tensor{
		{Name: "a", DType: F32, Shape: []int{3}, Data: []float32{1, 2, 3}},
		{Name: "b.f16", DType: F16, Shape: []int{2, 2}, Data: []float32{0, 1, -inf, 2}},
		{Name: "c.bf16", DType: BF16, Shape: []int{2}, Data: []float32{nan, 1}},
		{Name: "d.f32", DType: F32, Shape: []int{2}, Data: []float32{1, inf}},
	}
	if err := WriteFile(filepath.Join(dir, SingleFileName), tensors[:1], nil); err != nil {
		t.Fatal(err)
	}
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckFinite(); err != nil {
		t.Errorf("finite weights: %v", err)
	}
	c.Close()
	if err := WriteFile(filepath.Join(dir, SingleFileName), tensors, nil); err != nil {
		t.Fatal(err)
	}
	if c, err = OpenDir(dir); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.CheckFinite()
	var e *NonFiniteError
	if !errors.As(err, &e) || e.Tensor != "b.f16" || e.Index != 2 || !math.IsInf(e.Value, -1) || !reflect.DeepEqual(e.Others, []string{"c.bf16", "d.f32"}) {
		t.Fatalf("CheckFinite = %#v", err)
	}
	if want := `tensor "b.f16" [2 2] holds -Inf at element 2 (as do c.bf16, d.f32): the checkpoint's weights are broken`; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error %q, want it to end %q", err, want)
	}
	// F32 data that is not 4-byte aligned in the file (after a 2-byte F16) is read word by word.
	odd := []Tensor{{Name: "a", DType: F16, Shape: []int{1}, Data: []float32{1}}, {Name: "b", DType: F32, Shape: []int{3}, Data: []float32{1, 2, nan}}}
	if err := WriteFile(filepath.Join(dir, "odd.safetensors"), odd, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(filepath.Join(dir, "odd.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, info, _ := f.Bytes("b")
	if i, v, ok := firstNonFinite(raw, info.DType); !ok || i != 2 || !math.IsNaN(v) {
		t.Errorf("unaligned F32: %d %v %v", i, v, ok)
	}
}
