package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// NonFiniteError is a checkpoint whose floating-point tensors hold NaN or ±Inf: a broken file,
// whose every result would be meaningless.
type NonFiniteError struct {
	File, Tensor string // the first such tensor, in name order
	Shape        []int
	Index        int      // its first non-finite element, in row-major order
	Value        float64  // NaN, +Inf or -Inf
	Others       []string // the other tensors that hold non-finite values, in name order
}

func (e *NonFiniteError) Error() string {
	msg := fmt.Sprintf("%s: tensor %q %v holds %v at element %d", e.File, e.Tensor, e.Shape, e.Value, e.Index)
	switch n := len(e.Others); {
	case n > 3:
		msg += fmt.Sprintf(" (as do %d other tensors: %s, …)", n, strings.Join(e.Others[:3], ", "))
	case n > 0:
		msg += fmt.Sprintf(" (as do %s)", strings.Join(e.Others, ", "))
	}
	return msg + ": the checkpoint's weights are broken"
}

// CheckFinite returns a *NonFiniteError if a floating-point tensor (F64, F32, F16 or BF16) of
// the checkpoint holds a NaN or ±Inf, and nil otherwise. It reads the raw bits of every such
// tensor, which for a large memory-mapped checkpoint takes a while (0.2 s for bert-large's
// 1.3 GB from the page cache, longer from disk): call it when something already looks wrong.
func (c *Checkpoint) CheckFinite() error {
	var e *NonFiniteError
	for _, name := range c.Names() {
		raw, info, err := c.Bytes(name)
		if err != nil {
			return err
		}
		i, v, ok := firstNonFinite(raw, info.DType)
		switch {
		case !ok:
		case e == nil:
			e = &NonFiniteError{File: info.File, Tensor: name, Shape: info.Shape, Index: i, Value: v}
		default:
			e.Others = append(e.Others, name)
		}
	}
	if e == nil {
		return nil
	}
	return e
}

// firstNonFinite finds the first element of raw, little-endian values of dtype d, whose
// exponent bits are all set (NaN or ±Inf), and returns its index and value. Other dtypes have
// no non-finite values this package knows of.
func firstNonFinite(raw []byte, d DType) (int, float64, bool) {
	switch d {
	case F64:
		if i, ok := firstAllSet(raw, 0x7ff0000000000000, binary.LittleEndian.Uint64); ok {
			return i, math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])), true
		}
	case F32:
		if i, ok := firstAllSet(raw, 0x7f800000, binary.LittleEndian.Uint32); ok {
			return i, float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))), true
		}
	case F16:
		if i, ok := firstAllSet(raw, 0x7c00, binary.LittleEndian.Uint16); ok {
			return i, float64(Float16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))), true
		}
	case BF16:
		if i, ok := firstAllSet(raw, 0x7f80, binary.LittleEndian.Uint16); ok {
			return i, float64(BFloat16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))), true
		}
	}
	return 0, 0, false
}

// firstAllSet returns the index of the first little-endian word of raw in which every bit of
// mask is set. Aligned data on a little-endian machine is read in place as []T (the fast path
// for memory-mapped weights); anything else word by word through decode.
func firstAllSet[T uint16 | uint32 | uint64](raw []byte, mask T, decode func([]byte) T) (int, bool) {
	size := int(unsafe.Sizeof(mask))
	n := len(raw) / size
	if n > 0 && littleEndian && uintptr(unsafe.Pointer(&raw[0]))%uintptr(size) == 0 {
		for i, w := range unsafe.Slice((*T)(unsafe.Pointer(&raw[0])), n) {
			if w&mask == mask {
				return i, true
			}
		}
		return 0, false
	}
	for i := range n {
		if decode(raw[i*size:])&mask == mask {
			return i, true
		}
	}
	return 0, false
}
