// Package safetensors reads HuggingFace safetensors checkpoints without
// copying their weights into the Go heap, and writes small F32/F16/BF16 ones.
//
// A .safetensors file is an 8-byte little-endian header length N, N bytes of
// UTF-8 JSON describing each tensor (dtype, shape, and its byte range relative
// to the end of the header), then the raw little-endian tensor data. Open
// memory-maps a file read-only and validates its header completely before any
// tensor is handed out; OpenDir does the same for a model directory holding
// either model.safetensors or a sharded model.safetensors.index.json.
//
// Every problem with the input is reported as an *Error naming the file and,
// where there is one, the tensor. Nothing in this package panics on bad input.
//
// F32 tensors are returned as views into the read-only mapping: they must not
// be written to (the write faults), and they become invalid once the File or
// Checkpoint is closed. A file truncated by another process while it is mapped
// makes reads of the lost pages fault; that cannot be detected in advance.
package safetensors

import (
	"errors"
	"fmt"
	"strings"
)

// DType is a safetensors element type, spelled as in the header ("F32", "BF16", ...).
type DType string

// The dtypes of the safetensors format. Headers naming any other dtype are rejected; only
// F32, F16 and BF16 tensors can be read as float32.
const (
	F64        DType = "F64"
	F32        DType = "F32"
	F16        DType = "F16"
	BF16       DType = "BF16"
	C64        DType = "C64"
	I64        DType = "I64"
	I32        DType = "I32"
	I16        DType = "I16"
	I8         DType = "I8"
	U64        DType = "U64"
	U32        DType = "U32"
	U16        DType = "U16"
	U8         DType = "U8"
	BOOL       DType = "BOOL"
	F8E4M3     DType = "F8_E4M3"
	F8E5M2     DType = "F8_E5M2"
	F8E8M0     DType = "F8_E8M0"
	F8E4M3FNUZ DType = "F8_E4M3FNUZ"
	F8E5M2FNUZ DType = "F8_E5M2FNUZ"
	F6E2M3     DType = "F6_E2M3"
	F6E3M2     DType = "F6_E3M2"
	F4         DType = "F4"
)

// Bits returns the number of bits one element of d takes (4 and 6 for the
// microscaling types), or 0 if d is not a known dtype.
func (d DType) Bits() int {
	switch d {
	case F64, I64, U64, C64:
		return 64
	case F32, I32, U32:
		return 32
	case F16, BF16, I16, U16:
		return 16
	case I8, U8, BOOL, F8E4M3, F8E5M2, F8E8M0, F8E4M3FNUZ, F8E5M2FNUZ:
		return 8
	case F6E2M3, F6E3M2:
		return 6
	case F4:
		return 4
	}
	return 0
}

// TensorInfo describes one tensor of a checkpoint.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	// Begin and End are the tensor's byte range, relative to the start of the
	// data section (the first byte after the header).
	Begin, End int64
	// File is the path of the .safetensors file holding the tensor; empty for
	// the result of ParseHeader.
	File string
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// ErrNoSafetensors is wrapped by the error OpenDir returns for a directory
// without model.safetensors or model.safetensors.index.json.
var ErrNoSafetensors = errors.New("no safetensors weights")

// ErrNoTensor is wrapped by the errors returned for a tensor name the
// checkpoint does not contain.
var ErrNoTensor = errors.New("no such tensor")

// Error is the error type of this package: what went wrong (Msg), in which
// file and, where it applies, for which tensor.
type Error struct {
	File   string // path of the file at fault; empty for ParseHeader
	Tensor string // tensor name, or empty
	Msg    string
	Err    error // underlying error, if any (see Unwrap)
}

// Error formats e as `file: tensor "name": msg`, leaving out empty parts.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Tensor != "" {
		fmt.Fprintf(&b, "tensor %q: ", e.Tensor)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, so errors.Is works with fs.ErrNotExist,
// ErrNoSafetensors and ErrNoTensor.
func (e *Error) Unwrap() error { return e.Err }

// withFile returns err with its File set to path if err is an *Error without one.
func withFile(err error, path string) error {
	var e *Error
	if errors.As(err, &e) && e.File == "" {
		c := *e
		c.File = path
		return &c
	}
	return err
}
