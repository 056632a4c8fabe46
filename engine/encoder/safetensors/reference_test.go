package safetensors

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReferenceDeserialization mirrors, case by case, the deserialization tests of the
// safetensors project (safetensors/src/tensor.rs, mod tests, at commit 24b0b28 of
// github.com/huggingface/safetensors): the same bytes, written to a file and opened, must be
// accepted or refused as the reference does. Each case names the Rust test and the reference's
// error; Msg is what this package says instead.
func TestReferenceDeserialization(t *testing.T) {
	zeros := func(n int) string { return strings.Repeat("\x00", n) }
	// withLen prefixes a header with its 8-byte length, as the format does.
	withLen := func(header string) string {
		return string(binary.LittleEndian.AppendUint64(nil, uint64(len(header)))) + header
	}
	f32s := "\x00\x00\x00\x00\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\x40\x00\x00\xa0\x40" // 0..5 as F32
	i32Header := `{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`
	attack := `{`
	for i := range 10 {
		if i > 0 {
			attack += ","
		}
		attack += `"weight_` + string(rune('0'+i)) + `":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`
	}
	attack += `}`

	cases := []struct {
		rust  string // the reference test
		file  string // the whole file
		names []string
		msg   string // "" for accepted; else a part of the error
	}{
		{"test_empty", "\x08" + zeros(7) + "{}      ", []string{}, ""},
		{"test_empty (metadata)", "\x28" + zeros(7) + `{"__metadata__":{"framework":"pt"}}     `, []string{}, ""},
		{"test_serialization", "\x40" + zeros(7) + `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}` + f32s, []string{"attn.0"}, ""},
		{"test_serialization_fp4", "\x40" + zeros(7) + `{"attn.0":{"dtype":"F4","shape":[1,2],"data_offsets":[0,1]}}    ` + "\x00", []string{"attn.0"}, ""},
		{"test_serialization_fp4_misaligned (MisalignedSlice)", withLen(`{"attn.0":{"dtype":"F4","shape":[1,3],"data_offsets":[0,2]}}`) + "\x00\x01", nil, "not a whole number of bytes"},
		{"test_serialization_fp4_invalid (InvalidTensorView)", withLen(`{"attn.0":{"dtype":"F4","shape":[1,2],"data_offsets":[0,2]}}`) + "\x00\x01", nil, "span 2 bytes but F4 [1, 2] needs 1"},
		{"test_serialization_forced_alignement", "\x48" + zeros(7) + `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ` + f32s, []string{"attn0"}, ""},
		{"test_empty_shapes_allowed", "8" + zeros(7) + `{"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}` + zeros(4), []string{"test"}, ""},
		{"test_deserialization", "<" + zeros(7) + i32Header + zeros(16), []string{"test"}, ""},
		{"test_json_attack (InvalidOffset)", withLen(attack) + zeros(16), nil, "overlap those of tensor"},
		{"test_metadata_incomplete_buffer (MetadataIncompleteBuffer: polyglot)", "<" + zeros(7) + i32Header + zeros(16) + "extra_bogus_data_for_polyglot_file", nil,
			"the data section has 34 bytes after the last tensor"},
		{"test_metadata_incomplete_buffer (MetadataIncompleteBuffer: short)", "<" + zeros(7) + i32Header + zeros(14), nil, "run past the end of the data section (14 bytes)"},
		{"test_header_too_large (HeaderTooLarge)", "<\x00\x00\x00\x00\xff\xff\xff" + i32Header + zeros(16), nil, "exceeds the limit of 100000000 bytes"},
		{"test_header_too_small (HeaderTooSmall)", "", nil, "too short for the 8-byte header length"},
		{"test_invalid_header_length (InvalidHeaderLength)", "<" + zeros(7), nil, "header length 60 runs past the end of the file (8 bytes)"},
		{"test_invalid_header_non_utf8 (InvalidHeader)", "\x01" + zeros(7) + "\xff", nil, "not valid UTF-8"},
		{"test_invalid_header_not_json (InvalidHeaderDeserialization)", "\x01" + zeros(7) + "{", nil, "not valid JSON"},
		{"test_whitespace_padded_header", "\x06" + zeros(7) + "{}\x0d\x20\x09\x0a", []string{}, ""},
		{"test_whitespace_leading_padded_header", "\x06" + zeros(7) + "\x09\x0a{}\x0d\x20", []string{}, ""},
		{"test_zero_sized_tensor", "<" + zeros(7) + `{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}`, []string{"test"}, ""},
		{"test_invalid_info (TensorInvalidInfo)", "<" + zeros(7) + `{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}}`, nil, "span 4 bytes but I32 [2, 2] needs 16"},
		{"test_validation_overflow (ValidationOverflow: shape)", "O" + zeros(7) + `{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}` + zeros(16), nil,
			"not an integer that fits in 64 bits"},
		{"test_validation_overflow (ValidationOverflow: bytes)", "N" + zeros(7) + `{"test":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}}` + zeros(16), nil,
			"more elements than can be addressed"},
		// HashMetadata's "__metadata__" is a map of strings: anything else fails to deserialize.
		{"__metadata__ with a number (InvalidHeaderDeserialization)", withLen(`{"__metadata__":{"total_size":5}}`), nil, `value for "total_size" is a number, not a string`},
		{"__metadata__ with an object (InvalidHeaderDeserialization)", withLen(`{"__metadata__":{"a":{"b":"c"}}}`), nil, `value for "a" is an object, not a string`},
		{"__metadata__ not an object (InvalidHeaderDeserialization)", withLen(`{"__metadata__":["pt"]}`), nil, "__metadata__ is not a JSON object"},
		// Metadata::validate: tensors sorted by offsets must start at 0 and follow each other.
		{"validate: gap (InvalidOffset)", withLen(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}`) + zeros(6), nil,
			"leave a gap"},
		{"validate: not from 0 (InvalidOffset)", withLen(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`) + zeros(4), nil, "must start at 0"},
		{"validate: out of order in the header", withLen(`{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`) + zeros(4), []string{"a", "b"}, ""},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.rust, func(t *testing.T) {
			path := filepath.Join(dir, "case"+string(rune('a'+i))+".safetensors")
			if err := os.WriteFile(path, []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if c.msg != "" {
				if err == nil {
					f.Close()
					t.Fatalf("accepted; the reference refuses it")
				}
				if !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("error %q, want it to name the file and say %q", err, c.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused (%v); the reference accepts it", err)
			}
			defer f.Close()
			if names := f.Names(); !slices.Equal(names, c.names) {
				t.Errorf("tensors %v, want %v", names, c.names)
			}
		})
	}
}

func TestGitLFSPointer(t *testing.T) {
	// What `git clone` leaves without git-lfs: bert-large-uncased's model.safetensors pointer.
	path := filepath.Join(t.TempDir(), SingleFileName)
	pointer := "version https://git-lfs.github.com/spec/v1\n" +
		"oid sha256:b4ac1d6a6c0dbb2d4a31e8c4fbab2a0d8e7ee3a4bb26c4f6b1a3d0c2f8e9a7b6\n" +
		"size 1340616616\n"
	if err := os.WriteFile(path, []byte(pointer), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if err == nil {
		t.Fatal("a Git LFS pointer was opened as weights")
	}
	for _, want := range []string{path + ": ", "Git LFS pointer", "git lfs pull", "1340616616 bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "header length") {
		t.Errorf("error %q still reads the pointer's text as a header length", err)
	}
}
