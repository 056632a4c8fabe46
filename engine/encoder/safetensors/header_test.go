package safetensors

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseHeaderValid(t *testing.T) {
	h := `{"__metadata__": {"format": "pt"},
	  "b": {"dtype": "F16", "shape": [3], "data_offsets": [24, 30]},
	  "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24], "extra": true},
	  "empty": {"dtype": "I64", "shape": [0, 5], "data_offsets": [24, 24]},
	  "scalar": {"dtype": "U8", "shape": [], "data_offsets": [30, 31]}}    `
	tensors, meta, err := ParseHeader([]byte(h), 31)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]TensorInfo{
		"a":      {Name: "a", DType: F32, Shape: []int{2, 3}, Begin: 0, End: 24},
		"b":      {Name: "b", DType: F16, Shape: []int{3}, Begin: 24, End: 30},
		"empty":  {Name: "empty", DType: I64, Shape: []int{0, 5}, Begin: 24, End: 24},
		"scalar": {Name: "scalar", DType: U8, Shape: []int{}, Begin: 30, End: 31},
	}
	if !reflect.DeepEqual(tensors, want) {
		t.Errorf("tensors = %+v\nwant %+v", tensors, want)
	}
	if !reflect.DeepEqual(meta, map[string]string{"format": "pt"}) {
		t.Errorf("metadata = %v", meta)
	}
	if n := want["scalar"].NumElements(); n != 1 {
		t.Errorf("scalar NumElements = %d", n)
	}

	tensors, meta, err = ParseHeader([]byte(`{}`), 0)
	if err != nil || len(tensors) != 0 || meta != nil {
		t.Errorf("empty header: %v %v %v", tensors, meta, err)
	}
}

func TestParseHeaderInvalid(t *testing.T) {
	const ok = `"dtype": "F32", "shape": [2], "data_offsets": [0, 8]`
	cases := []struct {
		name, header, want string
		tensor             string
	}{
		{"not JSON", `{"a": `, "header is not valid JSON", ""},
		{"garbage", `hello`, "header is not valid JSON", ""},
		{"array", `[1, 2]`, "header is not a JSON object", ""},
		{"string", `"x"`, "header is not a JSON object", ""},
		{"empty", ``, "header is not valid JSON", ""},
		{"trailing data", `{} {}`, "header has data after its JSON object", ""},
		{"invalid UTF-8", "{\"\xff\": 1}", "not valid UTF-8", ""},
		{"entry not object", `{"a": [1]}`, "entry is an array, not an object", "a"},
		{"entry null", `{"a": null}`, "entry is null, not an object", "a"},
		{"entry string", `{"a": "F32"}`, "entry is a string, not an object", "a"},
		{"entry bool", `{"a": true}`, "entry is a boolean, not an object", "a"},
		{"entry number", `{"a": 12}`, "entry is a number, not an object", "a"},
		{"missing dtype", `{"a": {"shape": [2], "data_offsets": [0, 8]}}`, `entry has no "dtype"`, "a"},
		{"missing shape", `{"a": {"dtype": "F32", "data_offsets": [0, 8]}}`, `entry has no "shape"`, "a"},
		{"missing offsets", `{"a": {"dtype": "F32", "shape": [2]}}`, `entry has no "data_offsets"`, "a"},
		{"dtype number", `{"a": {"dtype": 3, "shape": [2], "data_offsets": [0, 8]}}`, `field "dtype" has the wrong JSON type`, "a"},
		{"shape string", `{"a": {"dtype": "F32", "shape": "2", "data_offsets": [0, 8]}}`, `field "shape" has the wrong JSON type`, "a"},
		{"shape quoted dim", `{"a": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 8]}}`, `shape[0] = "2" is not an integer`, "a"},
		{"shape fraction", `{"a": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 10]}}`, `shape[0] = 2.5 is not an integer`, "a"},
		{"offsets object", `{"a": {"dtype": "F32", "shape": [2], "data_offsets": {}}}`, `field "data_offsets" has the wrong JSON type`, "a"},
		{"offsets count", `{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}`, "data_offsets has 1 values", "a"},
		{"offset negative", `{"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}`, "data_offsets[0] = -8 is not a non-negative", "a"},
		{"offset huge", `{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 99999999999999999999]}}`, "data_offsets[1] = 99999999999999999999", "a"},
		{"unknown dtype", `{"a": {"dtype": "F128", "shape": [2], "data_offsets": [0, 8]}}`, `unknown dtype "F128"`, "a"},
		{"lowercase dtype", `{"a": {"dtype": "f32", "shape": [2], "data_offsets": [0, 8]}}`, `unknown dtype "f32"`, "a"},
		{"negative dim", `{"a": {"dtype": "F32", "shape": [-2, -4], "data_offsets": [0, 32]}}`, "shape[0] = -2 is negative", "a"},
		{"dim overflow", `{"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}}`, "more elements than can be addressed", "a"},
		{"dim product wraps to 0", `{"a": {"dtype": "U8", "shape": [4294967296, 4294967296, 0], "data_offsets": [0, 0]}}`, "more elements than can be addressed", "a"},
		{"begin after end", `{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}`, "data_offsets [8, 0] begin after they end", "a"},
		{"past end", `{"a": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}`, "data_offsets [8, 24] run past the end of the data section (16 bytes)", "a"},
		{"size mismatch", `{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}`, "data_offsets [0, 8] span 8 bytes but F32 [3] needs 12", "a"},
		{"overlap", `{"a": {` + ok + `}, "b": {"dtype": "F16", "shape": [2], "data_offsets": [6, 10]}}`, `overlap those of tensor "a" [0, 8]`, "b"},
		{"same range", `{"a": {` + ok + `}, "b": {` + ok + `}}`, `overlap those of tensor "a" [0, 8]`, "b"},
		{"contained", `{"a": {"dtype": "U8", "shape": [16], "data_offsets": [0, 16]}, "b": {"dtype": "U8", "shape": [1], "data_offsets": [15, 16]}}`, `overlap those of tensor "a"`, "b"},
		{"gap", `{"a": {` + ok + `}, "b": {"dtype": "U8", "shape": [6], "data_offsets": [10, 16]}}`, `leave a gap after tensor "a" [0, 8]: bytes 8 to 10 belong to no tensor`, "b"},
		{"late start", `{"a": {"dtype": "U8", "shape": [8], "data_offsets": [8, 16]}}`, "the first tensor must start at 0; the first 8 bytes", "a"},
		{"trailing bytes", `{"a": {` + ok + `}}`, "the data section has 8 bytes after the last tensor (which ends at 8 of 16)", ""},
		{"no tensors, data", `{}`, "the data section has 16 bytes after the last tensor", ""},
		{"empty tensor inside another", `{"a": {"dtype": "U8", "shape": [16], "data_offsets": [0, 16]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}}`, `overlap those of tensor "a" [0, 16]`, "e"},
		{"F4 misaligned", `{"a": {"dtype": "F4", "shape": [1, 3], "data_offsets": [0, 2]}}`, "F4 [1, 3] is 12 bits, not a whole number of bytes", "a"},
		{"duplicate tensor", `{"a": {` + ok + `}, "a": {` + ok + `}}`, `header has the key "a" more than once`, ""},
		{"duplicate metadata", `{"__metadata__": {}, "__metadata__": {}}`, `header has the key "__metadata__" more than once`, ""},
		{"duplicate metadata key", `{"__metadata__": {"x": "1", "x": "2"}}`, `__metadata__ has the key "x" more than once`, ""},
		{"metadata not object", `{"__metadata__": "pt"}`, "__metadata__ is not a JSON object", ""},
		{"metadata value number", `{"__metadata__": {"total": 5}}`, `__metadata__ value for "total" is a number, not a string`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tensors, _, err := ParseHeader([]byte(c.header), 16)
			if err == nil {
				t.Fatalf("accepted: %+v", tensors)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if !strings.Contains(e.Msg, c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if e.Tensor != c.tensor || e.File != "" {
				t.Errorf("error names tensor %q file %q, want tensor %q", e.Tensor, e.File, c.tensor)
			}
		})
	}
	if _, _, err := ParseHeader([]byte(`{}`), -1); err == nil {
		t.Error("negative data length accepted")
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "/m/model.safetensors", Tensor: "w", Msg: "bad"}
	if got := e.Error(); got != `/m/model.safetensors: tensor "w": bad` {
		t.Errorf("got %q", got)
	}
	e = &Error{Msg: "bad"}
	if got := e.Error(); got != "bad" {
		t.Errorf("got %q", got)
	}
}
