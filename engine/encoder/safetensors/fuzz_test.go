package safetensors

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
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
		`{"a": {"dtype": "U8", "shape": [30], "data_offsets": [0, 30]}, "f": {"dtype": "F4", "shape": [2, 2], "data_offsets": [30, 32]}}`,
		`{"a": {"dtype": "F6_E2M3", "shape": [3], "data_offsets": [0, 3]}}`,
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
		list := make([]TensorInfo, 0, len(tensors))
		for name, info := range tensors {
			if info.Name != name || info.DType.Bits() == 0 || info.File != "" {
				t.Fatalf("bad info for %q: %+v", name, info)
			}
			bits := int64(info.DType.Bits())
			for _, d := range info.Shape {
				if d < 0 {
					t.Fatalf("%q: negative dim in %v", name, info.Shape)
				}
				bits *= int64(d) // cannot overflow: the product is at most 8·(End-Begin)
			}
			if bits != 8*(info.End-info.Begin) || int64(info.NumElements())*int64(info.DType.Bits()) != bits {
				t.Fatalf("%q: %s %v needs %d bits, range has %d bytes", name, info.DType, info.Shape, bits, info.End-info.Begin)
			}
			list = append(list, info)
		}
		// The tensors tile the data section: no byte in no tensor or in two.
		slices.SortFunc(list, func(a, b TensorInfo) int { return cmp.Or(cmp.Compare(a.Begin, b.Begin), cmp.Compare(a.End, b.End)) })
		var end int64
		for _, info := range list {
			if info.Begin != end {
				t.Fatalf("%q [%d, %d] does not start where the previous tensor ends (%d)", info.Name, info.Begin, info.End, end)
			}
			end = info.End
		}
		if end != dataLen {
			t.Fatalf("tensors end at %d, the data section at %d", end, dataLen)
		}
	})
}
