package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
	"unsafe"

	"lesionui/internal/files"
)

// Tensor is a tensor to write: Data holds its values in row-major order and
// is converted to DType (F32, F16 or BF16) on write.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []float32
}

// headerEntry is the JSON form of one tensor in a written header.
type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// WriteFile writes tensors, in the given order, and metadata (may be nil) as
// a safetensors file at path. The header is space-padded so the data section
// starts 8-byte aligned. The file is written through files.Create: a failed
// write leaves no partial file at path.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	header, err := buildHeader(tensors, metadata)
	if err != nil {
		return withFile(err, path)
	}
	out, err := files.Create(path)
	if err == nil {
		if err = writeTo(out, header, tensors); err == nil {
			err = out.Commit()
		} else {
			out.Abort()
		}
	}
	if err != nil {
		msg := err.Error()
		if oe := (*files.OutputError)(nil); errors.As(err, &oe) {
			msg = "cannot write: " + oe.Msg // without the path the *Error names
		}
		return &Error{File: path, Msg: msg, Err: err}
	}
	return nil
}

// buildHeader validates tensors and returns the length-prefixed, padded header.
func buildHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	entries := make(map[string]any, len(tensors)+1)
	if metadata != nil {
		entries[metadataKey] = metadata
	}
	var off int64
	for _, t := range tensors {
		bad := func(format string, args ...any) ([]byte, error) {
			return nil, &Error{Tensor: t.Name, Msg: fmt.Sprintf(format, args...)}
		}
		switch {
		case t.Name == "" || t.Name == metadataKey || !utf8.ValidString(t.Name):
			return bad("invalid tensor name")
		case entries[t.Name] != nil:
			return bad("tensor name given twice")
		case t.DType != F32 && t.DType != F16 && t.DType != BF16:
			return bad("cannot write dtype %q (supported: F32, F16, BF16)", t.DType)
		}
		n := 1
		for _, d := range t.Shape {
			if d < 0 || d > 0 && n > math.MaxInt/d {
				return bad("invalid shape %v", t.Shape)
			}
			n *= d
		}
		if n != len(t.Data) {
			return bad("shape %v has %d elements but Data has %d", t.Shape, n, len(t.Data))
		}
		size := int64(n) * int64(t.DType.Bits()/8)
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar's shape is [], not null
		}
		entries[t.Name] = headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int64{off, off + size}}
		off += size
	}
	js, err := json.Marshal(entries) // keys come out sorted
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("cannot encode header: %v", err), Err: err}
	}
	n := (len(js) + 7) &^ 7
	buf := make([]byte, 8+n)
	binary.LittleEndian.PutUint64(buf, uint64(n))
	copy(buf[8:], js)
	for i := 8 + len(js); i < len(buf); i++ {
		buf[i] = ' '
	}
	return buf, nil
}

// writeTo writes the header and then every tensor's data, converted to its
// dtype. F32 data on a little-endian machine is written as it is in memory;
// everything else is encoded a chunk of values at a time.
func writeTo(f io.Writer, header []byte, tensors []Tensor) error {
	if _, err := f.Write(header); err != nil {
		return err
	}
	const chunk = 1 << 14
	buf := make([]byte, 0, 4*chunk)
	for _, t := range tensors {
		if t.DType == F32 && littleEndian && len(t.Data) > 0 {
			if _, err := f.Write(unsafe.Slice((*byte)(unsafe.Pointer(&t.Data[0])), 4*len(t.Data))); err != nil {
				return err
			}
			continue
		}
		for start := 0; start < len(t.Data); start += chunk {
			buf = encode(buf[:0], t.DType, t.Data[start:min(start+chunk, len(t.Data))])
			if _, err := f.Write(buf); err != nil {
				return err
			}
		}
	}
	return nil
}

// encode appends the little-endian dtype encoding of vals to buf.
func encode(buf []byte, dtype DType, vals []float32) []byte {
	switch dtype {
	case F32:
		for _, v := range vals {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	case F16:
		for _, v := range vals {
			buf = binary.LittleEndian.AppendUint16(buf, Float16Bits(v))
		}
	default: // BF16, the only other dtype buildHeader lets through
		for _, v := range vals {
			buf = binary.LittleEndian.AppendUint16(buf, BFloat16Bits(v))
		}
	}
	return buf
}
