// Package gguf reads and writes GGUF files, the container format of GGML
// models: a little-endian header of typed key/value metadata and tensor
// descriptions, followed by the aligned tensor data.
//
// Open memory-maps the file, so tensor data is never copied into the Go
// heap; metadata (keys, strings, arrays) is decoded into ordinary Go values.
// Every malformed input is reported as an error that names the file and
// what is wrong and matches ErrFormat; the parser never panics and never
// allocates more than the input could describe.
//
// Only versions 2 and 3 of the format are supported (version 1 used 32-bit
// counts and is long obsolete), and only little-endian files.
package gguf

import (
	"errors"
	"fmt"
	"os"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// Sentinel errors. Errors matching ErrVersion or ErrUnknownType also match
// ErrFormat, so that a caller asking "can this file be read?" needs one test.
var (
	// ErrFormat is matched by every error about malformed or unreadable
	// GGUF input.
	ErrFormat = errors.New("gguf: malformed file")
	// ErrVersion is matched when the file's GGUF version is not 2 or 3.
	ErrVersion = errors.New("gguf: unsupported version")
	// ErrUnknownType is matched when a tensor has a GGML type whose storage
	// layout is unknown.
	ErrUnknownType = errors.New("gguf: unknown tensor type")
)

// DefaultAlignment is the alignment of tensor data when the file does not
// set general.alignment.
const DefaultAlignment = 32

// KeyAlignment is the metadata key that sets the alignment of tensor data.
const KeyAlignment = "general.alignment"

// MaxDims is the largest number of dimensions a tensor may have.
const MaxDims = 4

// MaxNameBytes is the longest tensor name the writer accepts (GGML keeps
// names in 64-byte buffers, NUL included).
const MaxNameBytes = 63

// File is a parsed GGUF file. Its metadata is ordinary Go memory; its tensor
// data, returned by TensorData, is a view of the mapped (or read) file and
// stays valid until Close. The exported fields are for reading: Lookup and
// Tensor index them, so they must not be reordered or changed. A mapped file
// must not be truncated by another program while in use.
type File struct {
	Path       string       // the path or name given to Open or Parse
	Version    uint32       // 2 or 3
	KV         []KV         // metadata in file order
	Tensors    []TensorInfo // in file order
	Alignment  int64        // general.alignment, or DefaultAlignment
	DataOffset int64        // start of the tensor data section in the file

	data    []byte
	keys    map[string]int // key -> index in KV
	names   map[string]int // tensor name -> index in Tensors
	release func() error   // unmaps the file, if mapped
	state   *fileState
	mutable bool         // data is the File's own memory, not yet sealed
	lent    bool         // MutableTensorData handed out some tensor's bytes
	seal    func() error // makes data read-only (OpenResident's copy)
}

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// TensorInfo describes one tensor of a file.
type TensorInfo struct {
	Name   string
	Dims   []int64     // GGML order: Dims[0] = row length (contiguous), Dims[1] = rows, ...
	Type   tensor.Type // element type
	Offset int64       // of the data, relative to File.DataOffset
	Size   int64       // of the data, in bytes
}

// Elements returns the number of elements of the tensor (the product of its
// dimensions; 1 for a tensor without dimensions).
func (t *TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Open reads the GGUF file at path, memory-mapping it where the platform
// allows and reading it into memory otherwise. Tensor data is not copied.
// Call Close when done with the file and every slice TensorData returned.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	if fi.Mode().IsRegular() && fi.Size() > 0 && int64(int(fi.Size())) == fi.Size() {
		if data, release, err := mapFile(fh, int(fi.Size())); err == nil {
			f, err := Parse(data, path)
			if err != nil {
				release()
				return nil, err
			}
			f.release = release
			return f, nil
		}
	}
	return OpenReadAll(path)
}

// OpenReadAll reads the whole GGUF file at path into memory and parses it.
func OpenReadAll(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	f, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	f.mutable = true
	return f, nil
}

// Close releases the file's mapping, if any. Slices returned by TensorData
// must not be used afterwards. Close is safe to call more than once.
func (f *File) Close() error {
	if f.release == nil {
		return nil
	}
	f.state.closed.Store(true)
	err := f.release()
	f.release, f.data = nil, nil
	if err != nil {
		return fmt.Errorf("gguf: %s: %w", f.Path, err)
	}
	return nil
}

// Lookup returns the value of the metadata key.
func (f *File) Lookup(key string) (Value, bool) {
	i, ok := f.keys[key]
	if !ok {
		return Value{}, false
	}
	return f.KV[i].Value, true
}

// String returns the value of key if it is a string.
func (f *File) String(key string) (string, bool) {
	v, _ := f.Lookup(key)
	return v.Str()
}

// Uint returns the value of key if it is a non-negative integer of any width.
func (f *File) Uint(key string) (uint64, bool) {
	v, _ := f.Lookup(key)
	return v.Uint()
}

// Int returns the value of key if it is an integer of any width that fits
// in an int64.
func (f *File) Int(key string) (int64, bool) {
	v, _ := f.Lookup(key)
	return v.Int()
}

// Float returns the value of key if it is a float or an integer.
func (f *File) Float(key string) (float64, bool) {
	v, _ := f.Lookup(key)
	return v.Float()
}

// Bool returns the value of key if it is a bool.
func (f *File) Bool(key string) (bool, bool) {
	v, _ := f.Lookup(key)
	return v.Bool()
}

// Strings returns the value of key if it is an array of strings. The slice
// is shared with the File and must not be modified.
func (f *File) Strings(key string) ([]string, bool) {
	v, _ := f.Lookup(key)
	return v.Strings()
}

// Float32s returns the value of key if it is an array of numbers, converted
// to float32. A float32 array is returned without copying and must not be
// modified.
func (f *File) Float32s(key string) ([]float32, bool) {
	v, _ := f.Lookup(key)
	return v.Float32s()
}

// Int32s returns the value of key if it is an array of integers of any width
// whose values all fit in an int32. An int32 array is returned without
// copying and must not be modified.
func (f *File) Int32s(key string) ([]int32, bool) {
	v, _ := f.Lookup(key)
	return v.Int32s()
}

// Architecture returns general.architecture, or "" when it is absent.
func (f *File) Architecture() string {
	s, _ := f.String("general.architecture")
	return s
}

// Tensor returns the tensor with the given name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.names[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorData returns the bytes of t, which must be one of f's tensors, as a
// view of the file (no copy). The slice must not be modified, and not be
// used after Close.
func (f *File) TensorData(t *TensorInfo) []byte {
	start := f.DataOffset + t.Offset
	return f.data[start : start+t.Size : start+t.Size]
}

// MutableTensorData returns the bytes of t for rewriting in place (a
// model laying out its weights for its kernels), when they are f's own
// memory: read by OpenReadAll, or copied by OpenResident, and not yet
// sealed. ok is false for a mapped file, whose bytes are the page cache's,
// and for Parse's, which are the caller's.
func (f *File) MutableTensorData(t *TensorInfo) (data []byte, ok bool) {
	if !f.mutable {
		return nil, false
	}
	f.lent = true
	return f.TensorData(t), true
}

// Modified reports whether MutableTensorData has handed out some tensor's
// bytes: they may no longer be the file's.
func (f *File) Modified() bool { return f.lent }

// Seal ends MutableTensorData: f's data is read-only from then on, and
// where the platform allows (OpenResident's copy) writing to it faults, as
// writing to a mapped file does.
func (f *File) Seal() error {
	f.mutable = false
	seal := f.seal
	f.seal = nil
	if seal == nil {
		return nil
	}
	if err := seal(); err != nil {
		return fmt.Errorf("gguf: %s: %w", f.Path, err)
	}
	return nil
}
