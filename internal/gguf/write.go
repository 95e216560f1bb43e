package gguf

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// Builder assembles a GGUF file: metadata in the order it was first set and
// tensors in the order they were added. The same Builder always writes the
// same bytes.
type Builder struct {
	version uint32
	kv      []KV
	keys    map[string]int
	tensors []builderTensor
	names   map[string]bool
}

type builderTensor struct {
	info TensorInfo
	data []byte
}

// NewBuilder returns an empty Builder that writes GGUF version 3.
func NewBuilder() *Builder {
	return &Builder{version: 3, keys: map[string]int{}, names: map[string]bool{}}
}

// SetVersion sets the GGUF version to write, 2 or 3 (the two differ only in
// what readers may assume; the layout is the same). It panics on any other.
func (b *Builder) SetVersion(v uint32) {
	if v != 2 && v != 3 {
		panic(fmt.Sprintf("gguf: SetVersion(%d): only versions 2 and 3 can be written", v))
	}
	b.version = v
}

// Set sets the metadata key to v, which is a uint8, int8, uint16, int16,
// uint32, int32, uint64, int64, float32, float64, bool or string, a slice of
// one of those, a Value (such as one read from a File), or a []Value of
// arrays (an array of arrays). Setting a key again replaces its value and
// keeps its position. Set panics on any other type (Go's int included: the
// width must be explicit, since readers such as llama.cpp check it).
func (b *Builder) Set(key string, v any) {
	val, err := MakeValue(v)
	if err != nil {
		panic(fmt.Sprintf("gguf: Set(%q): %v", key, err))
	}
	if i, ok := b.keys[key]; ok {
		b.kv[i].Value = val
		return
	}
	b.keys[key] = len(b.kv)
	b.kv = append(b.kv, KV{Key: key, Value: val})
}

// MakeValue converts a Go value to a Value; see Builder.Set for the types
// it accepts.
func MakeValue(v any) (Value, error) {
	switch x := v.(type) {
	case Value:
		if !x.valid {
			return Value{}, errors.New("invalid Value")
		}
		return x, nil
	case uint8:
		return scalar(TypeUint8, uint64(x)), nil
	case int8:
		return scalar(TypeInt8, uint64(int64(x))), nil
	case uint16:
		return scalar(TypeUint16, uint64(x)), nil
	case int16:
		return scalar(TypeInt16, uint64(int64(x))), nil
	case uint32:
		return scalar(TypeUint32, uint64(x)), nil
	case int32:
		return scalar(TypeInt32, uint64(int64(x))), nil
	case uint64:
		return scalar(TypeUint64, x), nil
	case int64:
		return scalar(TypeInt64, uint64(x)), nil
	case float32:
		return scalar(TypeFloat32, math.Float64bits(float64(x))), nil
	case float64:
		return scalar(TypeFloat64, math.Float64bits(x)), nil
	case bool:
		if x {
			return scalar(TypeBool, 1), nil
		}
		return scalar(TypeBool, 0), nil
	case string:
		return Value{typ: TypeString, valid: true, str: x}, nil
	case []uint8:
		return array(TypeUint8, x), nil
	case []int8:
		return array(TypeInt8, x), nil
	case []uint16:
		return array(TypeUint16, x), nil
	case []int16:
		return array(TypeInt16, x), nil
	case []uint32:
		return array(TypeUint32, x), nil
	case []int32:
		return array(TypeInt32, x), nil
	case []uint64:
		return array(TypeUint64, x), nil
	case []int64:
		return array(TypeInt64, x), nil
	case []float32:
		return array(TypeFloat32, x), nil
	case []float64:
		return array(TypeFloat64, x), nil
	case []bool:
		return array(TypeBool, x), nil
	case []string:
		return array(TypeString, x), nil
	case []Value:
		for i, e := range x {
			if !e.valid || e.typ != TypeArray {
				return Value{}, fmt.Errorf("element %d of a []Value is not an array (arrays of arrays only)", i)
			}
		}
		return array(TypeArray, x), nil
	}
	return Value{}, fmt.Errorf("unsupported value type %T", v)
}

func scalar(t ValueType, bits uint64) Value {
	return Value{typ: t, valid: true, bits: bits}
}

// array makes an array Value of a copy of s, so that later changes to the
// caller's slice do not change the metadata.
func array[T any](elem ValueType, s []T) Value {
	return Value{typ: TypeArray, elem: elem, valid: true, arr: append(make([]T, 0, len(s)), s...)}
}

// AddTensor adds a tensor with the given GGML dimensions (Dims[0] is the row
// length) and data, which must be exactly the tensor's size. The data is not
// copied: it must not change until the Builder is written.
func (b *Builder) AddTensor(name string, typ tensor.Type, dims []int64, data []byte) error {
	if name == "" {
		return errors.New("gguf: AddTensor: empty tensor name")
	}
	if len(name) > MaxNameBytes {
		return fmt.Errorf("gguf: AddTensor %q: name longer than %d bytes", name, MaxNameBytes)
	}
	if b.names[name] {
		return fmt.Errorf("gguf: AddTensor %q: duplicate tensor name", name)
	}
	if !typ.Known() {
		return fmt.Errorf("gguf: AddTensor %q: %w %d", name, ErrUnknownType, uint32(typ))
	}
	if len(dims) == 0 || len(dims) > MaxDims {
		return fmt.Errorf("gguf: AddTensor %q: %d dimensions (want 1 to %d)", name, len(dims), MaxDims)
	}
	elems := int64(1)
	for _, d := range dims {
		if d < 0 || (d != 0 && elems > math.MaxInt64/d) {
			return fmt.Errorf("gguf: AddTensor %q: bad dimensions %v", name, dims)
		}
		elems *= d
	}
	size, err := dataSize(typ, dims)
	if err != nil {
		return fmt.Errorf("gguf: AddTensor %q: %w", name, err)
	}
	if int64(len(data)) != size {
		return fmt.Errorf("gguf: AddTensor %q: %d bytes of data for %s %v, want %d", name, len(data), typ, dims, size)
	}
	b.names[name] = true
	b.tensors = append(b.tensors, builderTensor{
		info: TensorInfo{Name: name, Dims: append([]int64(nil), dims...), Type: typ, Size: size},
		data: data,
	})
	return nil
}

// alignment returns the alignment the file will use.
func (b *Builder) alignment() (int64, error) {
	i, ok := b.keys[KeyAlignment]
	if !ok {
		return DefaultAlignment, nil
	}
	a, ok := b.kv[i].Value.Uint()
	if !ok || a == 0 || a&(a-1) != 0 || a > 1<<30 {
		return 0, fmt.Errorf("gguf: %s is %v: want a power of two up to 2^30", KeyAlignment, b.kv[i].Value)
	}
	return int64(a), nil
}

// WriteTo writes the file to w and returns the number of bytes written.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	align, err := b.alignment()
	if err != nil {
		return 0, err
	}
	var h bytes.Buffer
	e := encoder{&h}
	h.WriteString("GGUF")
	e.u32(b.version)
	e.u64(uint64(len(b.tensors)))
	e.u64(uint64(len(b.kv)))
	for _, kv := range b.kv {
		e.str(kv.Key)
		e.u32(uint32(kv.Value.typ))
		e.value(kv.Value)
	}
	var off int64
	for i := range b.tensors {
		t := &b.tensors[i].info
		off = alignUp(off, align)
		t.Offset = off
		off += t.Size
		e.str(t.Name)
		e.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			e.u64(uint64(d))
		}
		e.u32(uint32(t.Type))
		e.u64(uint64(t.Offset))
	}
	if len(b.tensors) > 0 {
		h.Write(make([]byte, alignUp(int64(h.Len()), align)-int64(h.Len())))
	}
	n, err := w.Write(h.Bytes())
	total := int64(n)
	if err != nil {
		return total, fmt.Errorf("gguf: %w", err)
	}
	pad := make([]byte, align)
	for _, t := range b.tensors {
		n, err := w.Write(t.data)
		total += int64(n)
		if err != nil {
			return total, fmt.Errorf("gguf: %w", err)
		}
		n, err = w.Write(pad[:alignUp(t.info.Size, align)-t.info.Size])
		total += int64(n)
		if err != nil {
			return total, fmt.Errorf("gguf: %w", err)
		}
	}
	return total, nil
}

// WriteFile writes the file to path atomically: to a temporary file in the
// same directory, synced to disk, then renamed over path.
func (b *Builder) WriteFile(path string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if _, err := b.WriteTo(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	// Make the rename durable; not every platform can sync a directory.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// encoder appends little-endian GGUF encodings to a buffer.
type encoder struct{ b *bytes.Buffer }

func (e encoder) u32(v uint32) { e.b.Write(binary.LittleEndian.AppendUint32(nil, v)) }

func (e encoder) u64(v uint64) { e.b.Write(binary.LittleEndian.AppendUint64(nil, v)) }

func (e encoder) str(s string) {
	e.u64(uint64(len(s)))
	e.b.WriteString(s)
}

// value writes v without its type.
func (e encoder) value(v Value) {
	switch v.typ {
	case TypeUint8, TypeInt8, TypeBool:
		e.b.WriteByte(byte(v.bits))
	case TypeUint16, TypeInt16:
		e.b.Write(binary.LittleEndian.AppendUint16(nil, uint16(v.bits)))
	case TypeUint32, TypeInt32:
		e.u32(uint32(v.bits))
	case TypeFloat32:
		e.u32(math.Float32bits(float32(math.Float64frombits(v.bits))))
	case TypeUint64, TypeInt64, TypeFloat64:
		e.u64(v.bits)
	case TypeString:
		e.str(v.str)
	case TypeArray:
		e.u32(uint32(v.elem))
		e.u64(uint64(v.Len()))
		e.array(v.arr)
	}
}

func (e encoder) array(arr any) {
	buf := e.b.AvailableBuffer()
	switch a := arr.(type) {
	case []uint8:
		buf = append(buf, a...)
	case []int8:
		for _, x := range a {
			buf = append(buf, byte(x))
		}
	case []bool:
		for _, x := range a {
			if x {
				buf = append(buf, 1)
			} else {
				buf = append(buf, 0)
			}
		}
	case []uint16:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint16(buf, x)
		}
	case []int16:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint16(buf, uint16(x))
		}
	case []uint32:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint32(buf, x)
		}
	case []int32:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(x))
		}
	case []float32:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
	case []uint64:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint64(buf, x)
		}
	case []int64:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(x))
		}
	case []float64:
		for _, x := range a {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
	case []string:
		for _, s := range a {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
	case *stringArray:
		for _, s := range a.decode() {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
	case []Value:
		for _, v := range a {
			e.value(v)
		}
		return
	}
	e.b.Write(buf)
}
