package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// metadataKey is the header entry holding free-form string metadata.
const metadataKey = "__metadata__"

// rawEntry is one tensor entry of a header as JSON spells it. Pointers tell a
// missing field from a zero one.
type rawEntry struct {
	DType       *string            `json:"dtype"`
	Shape       *[]json.RawMessage `json:"shape"`
	DataOffsets *[]json.RawMessage `json:"data_offsets"`
}

// ParseHeader parses and validates the JSON header of a safetensors file
// whose data section (everything after the header) is dataLen bytes long.
//
// It returns the tensors by name and the "__metadata__" strings (nil if
// absent). As in the safetensors project's own reader, a header is accepted
// only if it is one JSON object of valid UTF-8 (whitespace around it
// allowed), with no duplicate keys, whose every entry has a known dtype, a
// shape of non-negative integers and data_offsets [begin, end] with
// 0 <= begin <= end, end-begin equal to the shape's element count times the
// dtype size (a whole number of bytes), and whose tensors, taken in offset
// order, cover the data section exactly: each starts where the one before
// ends, the first at 0 and the last ending at dataLen. No byte of the data
// section belongs to no tensor (no gaps, no trailing bytes: a file cannot
// carry a second payload) or to two. Fields of an entry other than these
// three are ignored. Errors are *Error values with File empty.
func ParseHeader(header []byte, dataLen int64) (map[string]TensorInfo, map[string]string, error) {
	if dataLen < 0 {
		return nil, nil, &Error{Msg: fmt.Sprintf("negative data section length %d", dataLen)}
	}
	if !utf8.Valid(header) {
		return nil, nil, &Error{Msg: "header is not valid UTF-8"}
	}
	tensors := map[string]TensorInfo{}
	var metadata map[string]string
	err := decodeObject(header, "header", func(key string, raw json.RawMessage) error {
		if key == metadataKey {
			m, err := parseMetadata(raw)
			metadata = m
			return err
		}
		info, err := parseEntry(key, raw, dataLen)
		tensors[key] = info
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if err := checkLayout(tensors, dataLen); err != nil {
		return nil, nil, err
	}
	return tensors, metadata, nil
}

// decodeObject decodes data, which must hold exactly one JSON object (plus
// whitespace), calling fn for each member in order. what names the object in
// errors. A key appearing twice is an error rather than silently overriding
// the first value, so a header cannot describe a tensor in two ways.
func decodeObject(data []byte, what string, fn func(key string, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) error {
		return &Error{Msg: fmt.Sprintf("%s is not valid JSON: %v", what, err), Err: err}
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &Error{Msg: fmt.Sprintf("%s is not a JSON object", what)}
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, ok := tok.(string)
		if !ok { // unreachable with encoding/json, which only yields string keys
			return &Error{Msg: fmt.Sprintf("%s has a non-string key", what)}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err)
		}
		if seen[key] {
			return &Error{Msg: fmt.Sprintf("%s has the key %q more than once", what, key)}
		}
		seen[key] = true
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Msg: fmt.Sprintf("%s has data after its JSON object", what)}
	}
	return nil
}

// parseMetadata decodes the "__metadata__" object, whose values must be strings.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	m := map[string]string{}
	err := decodeObject(raw, metadataKey, func(key string, v json.RawMessage) error {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return &Error{Msg: fmt.Sprintf("%s value for %q is %s, not a string", metadataKey, key, jsonKind(v))}
		}
		m[key] = s
		return nil
	})
	return m, err
}

// parseEntry decodes and validates one tensor entry (everything but overlap).
func parseEntry(name string, raw json.RawMessage, dataLen int64) (TensorInfo, error) {
	bad := func(format string, args ...any) (TensorInfo, error) {
		return TensorInfo{}, &Error{Tensor: name, Msg: fmt.Sprintf(format, args...)}
	}
	if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' {
		return bad("entry is %s, not an object", jsonKind(raw))
	}
	var e rawEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return bad("field %q has the wrong JSON type (%s)", te.Field, te.Value)
		}
		return bad("entry is not valid JSON: %v", err)
	}
	switch {
	case e.DType == nil:
		return bad(`entry has no "dtype"`)
	case e.Shape == nil:
		return bad(`entry has no "shape"`)
	case e.DataOffsets == nil:
		return bad(`entry has no "data_offsets"`)
	}
	dt := DType(*e.DType)
	if dt.Bits() == 0 {
		return bad("unknown dtype %q", *e.DType)
	}
	info := TensorInfo{Name: name, DType: dt, Shape: make([]int, len(*e.Shape))}
	// The size in bits is accumulated in int64 with an overflow check at every
	// step, so no product of dims can wrap around into a plausible size.
	bits := int64(dt.Bits())
	for i, n := range *e.Shape {
		d, err := jsonInt(n)
		if err != nil {
			return bad("shape[%d] = %s is not an integer that fits in 64 bits", i, n)
		}
		if d < 0 {
			return bad("shape[%d] = %d is negative", i, d)
		}
		if d > 0 && bits > math.MaxInt64/d {
			return bad("shape %s has more elements than can be addressed", shapeString(*e.Shape))
		}
		if int64(int(d)) != d {
			return bad("shape[%d] = %d does not fit in an int", i, d)
		}
		bits *= d
		info.Shape[i] = int(d)
	}
	if bits%8 != 0 {
		return bad("%s %s is %d bits, not a whole number of bytes (misaligned)", dt, shapeString(*e.Shape), bits)
	}
	size := bits / 8
	if len(*e.DataOffsets) != 2 {
		return bad("data_offsets has %d values, want 2 ([begin, end])", len(*e.DataOffsets))
	}
	var off [2]int64
	for i, n := range *e.DataOffsets {
		v, err := jsonInt(n)
		if err != nil || v < 0 {
			return bad("data_offsets[%d] = %s is not a non-negative 64-bit integer", i, n)
		}
		off[i] = v
	}
	info.Begin, info.End = off[0], off[1]
	switch {
	case info.Begin > info.End:
		return bad("data_offsets [%d, %d] begin after they end", info.Begin, info.End)
	case info.End-info.Begin != size:
		return bad("data_offsets [%d, %d] span %d bytes but %s %s needs %d",
			info.Begin, info.End, info.End-info.Begin, dt, shapeString(*e.Shape), size)
	case info.End > dataLen:
		return bad("data_offsets [%d, %d] run past the end of the data section (%d bytes)", info.Begin, info.End, dataLen)
	}
	return info, nil
}

// checkLayout checks that the tensors, in offset order, tile the data section
// of dataLen bytes exactly, as the safetensors reference requires: the first
// starts at 0, each starts where the previous one ends (empty tensors
// included), and the last ends at dataLen.
func checkLayout(tensors map[string]TensorInfo, dataLen int64) error {
	list := make([]TensorInfo, 0, len(tensors))
	for _, t := range tensors {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return a.Name < b.Name
	})
	var end int64
	for i, t := range list {
		switch {
		case t.Begin < end:
			prev := list[i-1]
			return &Error{Tensor: t.Name, Msg: fmt.Sprintf("data_offsets [%d, %d] overlap those of tensor %q [%d, %d]",
				t.Begin, t.End, prev.Name, prev.Begin, prev.End)}
		case t.Begin > end && i == 0:
			return &Error{Tensor: t.Name, Msg: fmt.Sprintf("data_offsets [%d, %d]: the first tensor must start at 0; the first %d bytes of the data section belong to no tensor",
				t.Begin, t.End, t.Begin)}
		case t.Begin > end:
			return &Error{Tensor: t.Name, Msg: fmt.Sprintf("data_offsets [%d, %d] leave a gap after tensor %q [%d, %d]: bytes %d to %d belong to no tensor",
				t.Begin, t.End, list[i-1].Name, list[i-1].Begin, list[i-1].End, end, t.Begin)}
		}
		end = t.End
	}
	if end != dataLen {
		return &Error{Msg: fmt.Sprintf("the data section has %d bytes after the last tensor (which ends at %d of %d); "+
			"a safetensors file holds its tensors and nothing else", dataLen-end, end, dataLen)}
	}
	return nil
}

// jsonInt parses raw as a JSON number literal holding an integer. Quoted
// numbers, fractions and exponents are rejected.
func jsonInt(raw json.RawMessage) (int64, error) {
	return strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// shapeString formats a shape as [d0, d1, ...].
func shapeString(shape []json.RawMessage) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(bytes.TrimSpace(d))
	}
	b.WriteByte(']')
	return b.String()
}
