package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"unsafe"

	"golang.org/x/sys/unix"

	"lesionui/internal/files"
)

// maxHeaderLen bounds the JSON header as the reference implementation does
// (MAX_HEADER_SIZE), so a corrupt length cannot make Open parse a gigabyte of
// "header".
const maxHeaderLen = 100_000_000

// File is one memory-mapped .safetensors file. Its methods may be called
// concurrently, except Close, after which every slice it returned is invalid.
type File struct {
	path     string
	mapping  []byte // the whole file, mapped read-only; nil once closed
	data     []byte // the data section of mapping
	tensors  map[string]TensorInfo
	metadata map[string]string
}

// Open memory-maps the safetensors file at path and validates its header.
func Open(path string) (*File, error) {
	fail := func(err error, format string, args ...any) (*File, error) {
		return nil, &Error{File: path, Msg: fmt.Sprintf(format, args...), Err: err}
	}
	f, st, err := files.OpenRegular(path) // a FIFO or device is refused, never waited on
	if nr := (*files.NotRegularError)(nil); errors.As(err, &nr) {
		return fail(err, "it is %s, not a regular file", nr.Kind)
	}
	if err != nil {
		return fail(err, "cannot open: %v", unwrapPath(err))
	}
	defer f.Close() // the mapping outlives the descriptor
	var head [files.LFSPointerMax]byte
	n, _ := f.ReadAt(head[:], 0)
	if err := files.CheckLFSPointer(path, head[:n]); err != nil {
		return nil, err
	}
	size := st.Size()
	if size < 8 {
		return fail(nil, "file is %d bytes, too short for the 8-byte header length", size)
	}
	if size > math.MaxInt {
		return fail(nil, "file is %d bytes, too large to map", size)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return fail(err, "cannot mmap %d bytes: %v", size, err)
	}
	sf, err := newFile(path, m)
	if err != nil {
		_ = unix.Munmap(m)
		return nil, err
	}
	return sf, nil
}

// newFile validates the header of the mapped file m and wraps it.
func newFile(path string, m []byte) (*File, error) {
	n := binary.LittleEndian.Uint64(m[:8])
	if n > maxHeaderLen {
		return nil, &Error{File: path, Msg: fmt.Sprintf("header length %d exceeds the limit of %d bytes", n, maxHeaderLen)}
	}
	if n > uint64(len(m)-8) {
		return nil, &Error{File: path, Msg: fmt.Sprintf("header length %d runs past the end of the file (%d bytes)", n, len(m))}
	}
	data := m[8+n:]
	tensors, metadata, err := ParseHeader(m[8:8+n], int64(len(data)))
	if err != nil {
		return nil, withFile(err, path)
	}
	for name, t := range tensors {
		t.File = path
		tensors[name] = t
	}
	return &File{path: path, mapping: m, data: data, tensors: tensors, metadata: metadata}, nil
}

// unwrapPath strips the *fs.PathError wrapper, whose path the *Error repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Names returns the file's tensor names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.tensors))
	for name := range f.tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Info returns the description of the named tensor.
func (f *File) Info(name string) (TensorInfo, bool) {
	t, ok := f.tensors[name]
	return t, ok
}

// Metadata returns the header's "__metadata__" strings (nil if it had none).
func (f *File) Metadata() map[string]string { return f.metadata }

// Bytes returns the named tensor's raw little-endian bytes: a view into the
// read-only mapping, valid until Close.
func (f *File) Bytes(name string) ([]byte, TensorInfo, error) {
	t, ok := f.tensors[name]
	if !ok {
		return nil, TensorInfo{}, &Error{File: f.path, Tensor: name, Msg: "no such tensor", Err: ErrNoTensor}
	}
	if f.mapping == nil {
		return nil, t, &Error{File: f.path, Tensor: name, Msg: "file is closed"}
	}
	return f.data[t.Begin:t.End:t.End], t, nil
}

// Float32 returns the named tensor's values as float32. F32 data is returned
// as a read-only view into the mapping when it is 4-byte aligned (and the
// machine is little-endian), and copied otherwise; F16 and BF16 data is
// converted into a new slice. Other dtypes are an error.
func (f *File) Float32(name string) ([]float32, error) {
	raw, t, err := f.Bytes(name)
	if err != nil {
		return nil, err
	}
	n := t.NumElements()
	out := func() []float32 { return make([]float32, n) }
	switch t.DType {
	case F32:
		if n > 0 && littleEndian && uintptr(unsafe.Pointer(&raw[0]))%4 == 0 {
			return unsafe.Slice((*float32)(unsafe.Pointer(&raw[0])), n), nil
		}
		v := out()
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return v, nil
	case F16, BF16:
		conv := Float16ToFloat32
		if t.DType == BF16 {
			conv = BFloat16ToFloat32
		}
		v := out()
		for i := range v {
			v[i] = conv(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		return v, nil
	}
	return nil, &Error{File: f.path, Tensor: name,
		Msg: fmt.Sprintf("dtype %s cannot be read as float32 (supported: F32, F16, BF16)", t.DType)}
}

// Close unmaps the file. Slices returned by Bytes and Float32 must not be
// used afterwards. Closing twice is a no-op.
func (f *File) Close() error {
	if f.mapping == nil {
		return nil
	}
	m := f.mapping
	f.mapping, f.data = nil, nil
	if err := unix.Munmap(m); err != nil {
		return &Error{File: f.path, Msg: fmt.Sprintf("cannot unmap: %v", err), Err: err}
	}
	return nil
}

// littleEndian reports whether the machine stores integers little-endian, so
// that the file's F32 bytes can be used as []float32 in place.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
