package safetensors

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseHeader checks that ParseHeader never panics, fails only with
// *Error, and that every header it accepts satisfies the invariants the
// readers rely on. Plain `go test` runs the seeds only; fuzz with
//
//	go test -run '^$' -fuzz FuzzParseHeader -fuzztime 60s ./engine/encoder/safetensors/
func FuzzParseHeader(f *testing.F) {
	seeds := []string{
		`{}`,
		`{"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}   `,
		`{"a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}, "b": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [4, 8]}}`,
		`{"e": {"dtype": "I64", "shape": [0], "data_offsets": [3, 3]}, "s": {"dtype": "BOOL", "shape": [], "data_offsets": [3, 4]}}`,
		`{"a": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]}}`,
		`{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}`,
		`{"a": {"dtype": "U8", "shape": [4294967296, 4294967296], "data_offsets": [0, 1]}}`,
		`{"a": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}`,
		`{"a": {"dtype": "F32", "shape": "x", "data_offsets": [0, 4]}, "a": {}}`,
		`{"__metadata__": {"k": 1}}`,
		`[1, 2]`,
		"{\"\xff\": 0}",
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), int64(32))
	}
	f.Add([]byte(`{"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}`), int64(-1))
	f.Fuzz(func(t *testing.T, header []byte, dataLen int64) {
		tensors, _, err := ParseHeader(header, dataLen)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			return
		}
		if !json.Valid(header) {
			t.Fatalf("accepted invalid JSON %q", header)
		}
		type span struct {
			name       string
			begin, end int64
		}
		var spans []span
		for name, info := range tensors {
			if info.Name != name || info.DType.Size() == 0 || info.File != "" {
				t.Fatalf("bad info for %q: %+v", name, info)
			}
			if info.Begin < 0 || info.Begin > info.End || info.End > dataLen {
				t.Fatalf("%q: range [%d, %d] outside data of %d bytes", name, info.Begin, info.End, dataLen)
			}
			size := int64(info.DType.Size())
			for _, d := range info.Shape {
				if d < 0 {
					t.Fatalf("%q: negative dim in %v", name, info.Shape)
				}
				size *= int64(d) // cannot overflow: the product is at most End-Begin
			}
			if size != info.End-info.Begin || int64(info.NumElements())*int64(info.DType.Size()) != size {
				t.Fatalf("%q: %s %v needs %d bytes, range has %d", name, info.DType, info.Shape, size, info.End-info.Begin)
			}
			if size > 0 {
				spans = append(spans, span{name, info.Begin, info.End})
			}
		}
		for i, a := range spans {
			for _, b := range spans[i+1:] {
				if a.begin < b.end && b.begin < a.end {
					t.Fatalf("%q [%d, %d] overlaps %q [%d, %d]", a.name, a.begin, a.end, b.name, b.begin, b.end)
				}
			}
		}
	})
}
