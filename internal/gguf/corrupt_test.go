package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// raw writes GGUF bytes by hand, to make files no Builder would.
type raw struct{ bytes.Buffer }

func header(version uint32, nTensors, nKV uint64) *raw {
	r := &raw{}
	r.WriteString("GGUF")
	return r.u32(version).u64(nTensors).u64(nKV)
}

func (r *raw) u8(v byte) *raw {
	r.WriteByte(v)
	return r
}

func (r *raw) u32(v uint32) *raw {
	r.Write(binary.LittleEndian.AppendUint32(nil, v))
	return r
}

func (r *raw) u64(v uint64) *raw {
	r.Write(binary.LittleEndian.AppendUint64(nil, v))
	return r
}

func (r *raw) str(s string) *raw {
	r.u64(uint64(len(s)))
	r.WriteString(s)
	return r
}

func (r *raw) kvU32(key string, v uint32) *raw {
	return r.str(key).u32(uint32(TypeUint32)).u32(v)
}

func (r *raw) tensor(name string, typ tensor.Type, offset uint64, dims ...uint64) *raw {
	r.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		r.u64(d)
	}
	return r.u32(uint32(typ)).u64(offset)
}

// data pads to 32 bytes and appends n zero bytes of tensor data.
func (r *raw) data(n int) *raw {
	r.Write(make([]byte, (32-r.Len()%32)%32+n))
	return r
}

// nested writes depth arrays of arrays around an empty uint8 array.
func (r *raw) nested(depth int) *raw {
	for range depth {
		r.u32(uint32(TypeArray)).u64(1)
	}
	return r.u32(uint32(TypeUint8)).u64(0)
}

func TestCorrupt(t *testing.T) {
	be := []byte("GGUF\x00\x00\x00\x03")
	for _, c := range []struct {
		name string
		data []byte
		want string // in the message
		kind error  // besides ErrFormat
	}{
		{"empty", nil, "not a GGUF file: only 0 bytes", nil},
		{"bad magic", []byte("GGML\x03\x00\x00\x00"), `bad magic "GGML"`, nil},
		{"text", []byte("<!DOCTYPE html>"), "bad magic", nil},
		{"big-endian magic", []byte("FUGG\x00\x00\x00\x03"), "big-endian", nil},
		{"big-endian version", be, "big-endian", nil},
		{"version 1", header(1, 0, 0).Bytes(), "version 1 is obsolete", ErrVersion},
		{"version 4", header(4, 0, 0).Bytes(), "unsupported GGUF version 4", ErrVersion},
		{"version 0", header(0, 0, 0).Bytes(), "unsupported GGUF version 0", ErrVersion},
		{"short version", []byte("GGUF\x03"), "truncated: version", nil},
		{"short counts", header(3, 0, 0).Bytes()[:20], "truncated: metadata count", nil},
		{"kv count", header(3, 0, 1<<62).Bytes(), "metadata count 4611686018427387904 is more than the file could hold", nil},
		{"tensor count", header(3, math.MaxUint64, 0).Bytes(), "tensor count 18446744073709551615 is more than", nil},
		{"key length", header(3, 0, 1).u64(1 << 40).u64(0).Bytes(), "truncated: key of metadata entry 0 of 1099511627776 bytes", nil},
		{"unknown value type", header(3, 0, 1).str("k").u32(13).u64(0).Bytes(), `key "k": unknown value type 13`, nil},
		{"short value", header(3, 0, 1).str("k").u32(uint32(TypeUint64)).u32(0).Bytes(), `key "k": truncated: uint64 value`, nil},
		{"array count", header(3, 0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeUint32)).u64(1 << 61).Bytes(),
			`key "k": truncated: array of 2305843009213693952 uint32 values`, nil},
		{"string array count", header(3, 0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeString)).u64(1 << 40).u64(0).Bytes(),
			"truncated: array of 1099511627776 string values", nil},
		{"string in array", header(3, 0, 1).str("tokenizer.ggml.tokens").u32(uint32(TypeArray)).u32(uint32(TypeString)).u64(2).str("a").u64(99).Bytes(),
			`key "tokenizer.ggml.tokens": truncated: string 1 of 2 (99 bytes`, nil},
		{"array of unknown type", header(3, 0, 1).str("k").u32(uint32(TypeArray)).u32(42).u64(0).Bytes(), "array of unknown value type 42", nil},
		{"too deep", header(3, 0, 1).str("k").u32(uint32(TypeArray)).nested(maxNesting).Bytes(), "nested more than 16 deep", nil},
		{"duplicate key", header(3, 0, 2).kvU32("a", 1).kvU32("a", 2).Bytes(), `key "a": duplicate key`, nil},
		{"alignment 48", header(3, 0, 1).kvU32(KeyAlignment, 48).Bytes(), `key "general.alignment": alignment 48 is not a power of two`, nil},
		{"alignment 0", header(3, 0, 1).kvU32(KeyAlignment, 0).Bytes(), "alignment 0 is not", nil},
		{"alignment string", header(3, 0, 1).str(KeyAlignment).u32(uint32(TypeString)).str("32").Bytes(), "alignment must be a non-negative integer", nil},
		{"tensor name", header(3, 1, 0).u64(1000).data(24).Bytes(), "truncated: name of tensor 0", nil},
		{"five dims", header(3, 1, 0).tensor("t", tensor.F32, 0, 1, 1, 1, 1, 1).Bytes(), `tensor "t": 5 dimensions (at most 4)`, nil},
		{"dims overflow", header(3, 1, 0).tensor("t", tensor.F32, 0, 1<<32, 1<<32).Bytes(), `tensor "t": dimensions [4294967296 4294967296] overflow`, nil},
		{"dim too large", header(3, 1, 0).tensor("t", tensor.F32, 0, 1<<63).Bytes(), "dimension 0 is 9223372036854775808, which overflows", nil},
		{"size overflow", header(3, 1, 0).tensor("t", tensor.F64, 0, 1<<31, 1<<31).Bytes(), "data size of F64 [2147483648 2147483648] overflows", nil},
		{"row size overflow", header(3, 1, 0).tensor("t", tensor.F32, 0, 1<<62).Bytes(), "data size of F32 [4611686018427387904] overflows", nil},
		{"unknown tensor type", header(3, 1, 0).tensor("t", tensor.Type(99), 0, 4).Bytes(), `tensor "t": unknown tensor type 99`, ErrUnknownType},
		{"block size", header(3, 1, 0).tensor("t", tensor.Q4_K, 0, 128, 2).data(144).Bytes(), `tensor "t": row length 128 is not a multiple of the Q4_K block size 256`, nil},
		{"offset beyond end", header(3, 1, 0).tensor("blk.3.attn_q.weight", tensor.F32, 1<<20, 4).data(16).Bytes(),
			`tensor "blk.3.attn_q.weight": offset beyond end of file`, nil},
		{"offset overflows", header(3, 1, 0).tensor("t", tensor.F32, math.MaxUint64-31, 4).data(16).Bytes(), "offset beyond end of file", nil},
		{"data past end", header(3, 1, 0).tensor("t", tensor.F32, 0, 8).data(16).Bytes(), `tensor "t": data (32 bytes at offset`, nil},
		{"no data section", header(3, 1, 0).tensor("t", tensor.F32, 0, 8).Bytes(), "offset beyond end of file", nil},
		{"misaligned", header(3, 1, 0).tensor("t", tensor.F32, 4, 4).data(64).Bytes(), `tensor "t": offset 4 is not a multiple of the alignment 32`, nil},
		{"overlap", header(3, 2, 0).tensor("a", tensor.F32, 0, 16).tensor("b", tensor.F32, 32, 8).data(64).Bytes(), `tensor "b": data overlaps tensor "a"`, nil},
		{"same offset", header(3, 2, 0).tensor("a", tensor.F32, 0, 8).tensor("b", tensor.F32, 0, 8).data(64).Bytes(), "overlaps", nil},
		{"duplicate tensor", header(3, 2, 0).tensor("a", tensor.F32, 0, 8).tensor("a", tensor.F32, 32, 8).data(64).Bytes(), `tensor "a": duplicate tensor name`, nil},
		{"short tensor info", header(3, 1, 0).str("t").u32(2).u64(4).u32(0).Bytes(), `tensor "t": truncated: dimension`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(c.data, "model.gguf")
			if err == nil {
				t.Fatalf("parsed: %+v", f)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "gguf: model.gguf: ") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want it to contain %q", msg, c.want)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q does not match ErrFormat", msg)
			}
			if c.kind != nil && !errors.Is(err, c.kind) {
				t.Errorf("error %q does not match %v", msg, c.kind)
			}
			for _, other := range []error{ErrVersion, ErrUnknownType} {
				if other != c.kind && errors.Is(err, other) {
					t.Errorf("error %q matches %v", msg, other)
				}
			}
		})
	}
}

// TestEdgeCasesAccepted lists unusual but valid files.
func TestEdgeCasesAccepted(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty v3", header(3, 0, 0).Bytes()},
		{"empty v2", header(2, 0, 0).Bytes()},
		{"nested 15 deep", header(3, 0, 1).str("k").u32(uint32(TypeArray)).nested(maxNesting - 1).Bytes()},
		{"scalar tensor", header(3, 1, 0).tensor("s", tensor.F32, 0).data(4).Bytes()},
		{"empty tensor at the end", header(3, 1, 0).tensor("e", tensor.F32, 0, 0, 5).data(0).Bytes()},
		{"zero-size tensors share an offset", header(3, 3, 0).tensor("a", tensor.F32, 0, 0).tensor("b", tensor.F32, 0, 4).tensor("c", tensor.F32, 0, 0).data(16).Bytes()},
		{"tensors out of order", header(3, 2, 0).tensor("a", tensor.F32, 32, 8).tensor("b", tensor.F32, 0, 8).data(64).Bytes()},
		{"alignment 1", header(3, 1, 1).kvU32(KeyAlignment, 1).tensor("t", tensor.F32, 0, 1).u32(0).Bytes()},
		{"bool 2", header(3, 0, 1).str("b").u32(uint32(TypeBool)).u8(2).Bytes()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(c.data, "edge.gguf"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTruncated parses every proper prefix of a valid file: each must fail
// with ErrFormat, without panicking.
func TestTruncated(t *testing.T) {
	b, _ := buildAll(t)
	b.Set(KeyAlignment, uint32(32))
	b.AddTensor("last", tensor.F32, []int64{8}, make([]byte, 32)) // no padding after it
	var buf bytes.Buffer
	b.WriteTo(&buf)
	data := buf.Bytes()
	if _, err := Parse(data, "full.gguf"); err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		_, err := Parse(data[:n], "cut.gguf")
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("prefix of %d bytes: error %v", n, err)
		}
	}
}
