package safetensors

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// writeRaw writes a safetensors file with the given header text and data
// section verbatim, for inputs WriteFile would refuse to produce.
func writeRaw(t *testing.T, path, header string, data []byte) {
	t.Helper()
	buf := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	buf = append(append(buf, header...), data...)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustOpen opens path and closes it when the test ends.
func mustOpen(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// wantError checks that err is an *Error for file (and tensor) whose text contains msg.
func wantError(t *testing.T, err error, file, tensor, msg string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %T %v, want *Error", err, err)
	}
	if e.File != file || e.Tensor != tensor || !strings.Contains(e.Error(), msg) {
		t.Errorf("got %q (file %q, tensor %q), want file %q, tensor %q, text containing %q",
			e.Error(), e.File, e.Tensor, file, tensor, msg)
	}
	return e
}

var special = []float32{0, float32(math.Copysign(0, -1)), 1, -2.5, 65504, 1e-8, 3.0e38,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Ldexp(1, -24)), 0.1, 1.0 / 3}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	nan := float32(math.NaN())
	vals := append(append([]float32{}, special...), nan)
	tensors := []Tensor{
		{Name: "f32", DType: F32, Shape: []int{len(vals)}, Data: vals},
		{Name: "f16", DType: F16, Shape: []int{1, len(vals)}, Data: vals},
		{Name: "bf16", DType: BF16, Shape: []int{len(vals), 1}, Data: vals},
		{Name: "scalar", DType: F32, Shape: nil, Data: []float32{7}},
		{Name: "empty", DType: F16, Shape: []int{3, 0}, Data: nil},
	}
	meta := map[string]string{"format": "pt", "note": `<"quoted">`}
	if err := WriteFile(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(raw); (8+n)%8 != 0 {
		t.Errorf("header length %d leaves the data section unaligned", n)
	}
	f := mustOpen(t, path)
	if f.Path() != path {
		t.Errorf("Path = %q", f.Path())
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{"bf16", "empty", "f16", "f32", "scalar"}) {
		t.Errorf("Names = %v", got)
	}
	if !reflect.DeepEqual(f.Metadata(), meta) {
		t.Errorf("Metadata = %v", f.Metadata())
	}
	info, _ := f.Info("f16")
	want := TensorInfo{Name: "f16", DType: F16, Shape: []int{1, len(vals)}, Begin: int64(4 * len(vals)), End: int64(6 * len(vals)), File: path}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("Info(f16) = %+v, want %+v", info, want)
	}
	for _, tt := range tensors {
		got, err := f.Float32(tt.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.Data) {
			t.Fatalf("%s: %d values, want %d", tt.Name, len(got), len(tt.Data))
		}
		for i, v := range tt.Data {
			w := v
			switch tt.DType {
			case F16:
				w = Float16ToFloat32(Float16Bits(v))
			case BF16:
				w = BFloat16ToFloat32(BFloat16Bits(v))
			}
			if math.Float32bits(got[i]) != math.Float32bits(w) && !(w != w && got[i] != got[i]) {
				t.Errorf("%s[%d] = %g, want %g", tt.Name, i, got[i], w)
			}
		}
	}
	// The on-disk bits of the F16 and BF16 tensors, against the patterns
	// numpy (astype(float16)) and torch (to(bfloat16)) give.
	hdr := 8 + binary.LittleEndian.Uint64(raw)
	f16 := raw[hdr+uint64(4*len(vals)):]
	bf16 := raw[hdr+uint64(6*len(vals)):]
	for i, want := range map[int][2]uint16{
		0: {0x0000, 0x0000}, 1: {0x8000, 0x8000}, 2: {0x3c00, 0x3f80}, 3: {0xc100, 0xc020}, 4: {0x7bff, 0x4780},
		5: {0x0000, 0x322c}, 6: {0x7c00, 0x7f62}, 7: {0x7c00, 0x7f80}, 8: {0xfc00, 0xff80}, 9: {0x0001, 0x3380},
		10: {0x2e66, 0x3dcd}, 11: {0x3555, 0x3eab},
	} {
		if got := binary.LittleEndian.Uint16(f16[2*i:]); got != want[0] {
			t.Errorf("F16 bits of %g = %#04x, want %#04x", special[i], got, want[0])
		}
		if got := binary.LittleEndian.Uint16(bf16[2*i:]); got != want[1] {
			t.Errorf("BF16 bits of %g = %#04x, want %#04x", special[i], got, want[1])
		}
	}
}

func TestFloat32ZeroCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	data := []float32{1, 2, 3, 4, 5, 6}
	if err := WriteFile(path, []Tensor{{Name: "w", DType: F32, Shape: []int{2, 3}, Data: data}}, nil); err != nil {
		t.Fatal(err)
	}
	f := mustOpen(t, path)
	got, err := f.Float32("w")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, data) {
		t.Fatalf("values %v", got)
	}
	start := uintptr(unsafe.Pointer(&f.mapping[0]))
	p := uintptr(unsafe.Pointer(&got[0]))
	if p < start || p >= start+uintptr(len(f.mapping)) {
		t.Errorf("F32 slice at %#x is not inside the mapping [%#x, %#x)", p, start, start+uintptr(len(f.mapping)))
	}
	if want := uintptr(unsafe.Pointer(&f.data[0])); p != want {
		t.Errorf("F32 slice at %#x, want the data section start %#x", p, want)
	}
}

func TestFloat32Unaligned(t *testing.T) {
	// Pad the header so that the data section is not 4-byte aligned.
	path := filepath.Join(t.TempDir(), "m.safetensors")
	h := `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	if (8+len(h))%4 == 0 {
		h += " "
	}
	data := binary.LittleEndian.AppendUint32(nil, math.Float32bits(1.5))
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(-3))
	writeRaw(t, path, h, data)
	f := mustOpen(t, path)
	got, err := f.Float32("w")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []float32{1.5, -3}) {
		t.Errorf("values %v", got)
	}
	start := uintptr(unsafe.Pointer(&f.mapping[0]))
	if p := uintptr(unsafe.Pointer(&got[0])); p >= start && p < start+uintptr(len(f.mapping)) {
		t.Error("unaligned F32 data was not copied")
	}
}

func TestOpenBadFiles(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }

	_, err := Open(p("missing.safetensors"))
	wantError(t, err, p("missing.safetensors"), "", "cannot open: no such file or directory")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("missing file error does not wrap fs.ErrNotExist")
	}

	_, err = Open(dir)
	wantError(t, err, dir, "", "not a regular file")

	os.WriteFile(p("empty"), nil, 0o644)
	_, err = Open(p("empty"))
	wantError(t, err, p("empty"), "", "file is 0 bytes, too short")

	os.WriteFile(p("short"), []byte{1, 2, 3}, 0o644)
	_, err = Open(p("short"))
	wantError(t, err, p("short"), "", "file is 3 bytes, too short")

	long := binary.LittleEndian.AppendUint64(nil, 100)
	os.WriteFile(p("long"), append(long, "{}"...), 0o644)
	_, err = Open(p("long"))
	wantError(t, err, p("long"), "", "header length 100 runs past the end of the file (10 bytes)")

	huge := binary.LittleEndian.AppendUint64(nil, math.MaxUint64)
	os.WriteFile(p("huge"), append(huge, "{}"...), 0o644)
	_, err = Open(p("huge"))
	wantError(t, err, p("huge"), "", "header length 18446744073709551615 exceeds the limit of 100000000 bytes")

	// A sparse file, so the oversized header costs no disk.
	big := binary.LittleEndian.AppendUint64(nil, maxHeaderLen+1)
	os.WriteFile(p("big"), big, 0o644)
	os.Truncate(p("big"), 8+maxHeaderLen+1)
	_, err = Open(p("big"))
	wantError(t, err, p("big"), "", "header length 100000001 exceeds the limit of 100000000 bytes")

	writeRaw(t, p("notjson"), "not json", nil)
	_, err = Open(p("notjson"))
	wantError(t, err, p("notjson"), "", "header is not valid JSON")

	writeRaw(t, p("model.safetensors"), `{"bert.embeddings.word_embeddings.weight":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}`, make([]byte, 8))
	_, err = Open(p("model.safetensors"))
	e := wantError(t, err, p("model.safetensors"), "bert.embeddings.word_embeddings.weight", "")
	if want := p("model.safetensors") + `: tensor "bert.embeddings.word_embeddings.weight": data_offsets [0, 12] run past the end of the data section (8 bytes)`; e.Error() != want {
		t.Errorf("got  %q\nwant %q", e.Error(), want)
	}
}

func TestHeaderOnlyFile(t *testing.T) {
	// No data section at all, with zero-size tensors: mapping must not fail.
	path := filepath.Join(t.TempDir(), "m.safetensors")
	writeRaw(t, path, `{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`, nil)
	f := mustOpen(t, path)
	got, err := f.Float32("e")
	if err != nil || len(got) != 0 {
		t.Errorf("Float32(e) = %v, %v", got, err)
	}
	b, _, err := f.Bytes("e")
	if err != nil || len(b) != 0 {
		t.Errorf("Bytes(e) = %v, %v", b, err)
	}
}

func TestFloat32Errors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	writeRaw(t, path, `{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}`, make([]byte, 16))
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Float32("ids")
	wantError(t, err, path, "ids", "dtype I64 cannot be read as float32 (supported: F32, F16, BF16)")
	b, info, err := f.Bytes("ids")
	if err != nil || len(b) != 16 || info.DType != I64 {
		t.Errorf("Bytes(ids) = %d bytes, %+v, %v", len(b), info, err)
	}

	_, err = f.Float32("nope")
	wantError(t, err, path, "nope", "no such tensor")
	if !errors.Is(err, ErrNoTensor) {
		t.Error("unknown tensor error does not wrap ErrNoTensor")
	}

	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err = f.Float32("ids")
	wantError(t, err, path, "ids", "file is closed")
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	cases := []struct {
		tensors []Tensor
		tensor  string
		msg     string
	}{
		{[]Tensor{{Name: "a", DType: I64, Shape: []int{1}, Data: []float32{1}}}, "a", `cannot write dtype "I64"`},
		{[]Tensor{{Name: "a", DType: F32, Shape: []int{2}, Data: []float32{1}}}, "a", "shape [2] has 2 elements but Data has 1"},
		{[]Tensor{{Name: "a", DType: F32, Shape: []int{-1}, Data: nil}}, "a", "invalid shape [-1]"},
		{[]Tensor{{Name: "a", DType: F32, Data: []float32{1}}, {Name: "a", DType: F32, Data: []float32{1}}}, "a", "tensor name given twice"},
		{[]Tensor{{Name: "__metadata__", DType: F32, Data: []float32{1}}}, "__metadata__", "invalid tensor name"},
	}
	for _, c := range cases {
		wantError(t, WriteFile(path, c.tensors, nil), path, c.tensor, c.msg)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("failed writes left %v behind", entries)
	}
	bad := filepath.Join(dir, "no", "such", "dir.safetensors")
	wantError(t, WriteFile(bad, nil, nil), bad, "", "cannot write: the folder "+filepath.Dir(bad)+" does not exist")
}
