package gguf

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// maxNesting bounds how deeply arrays of arrays may nest.
const maxNesting = 16

// Minimum encoded sizes, used to check a count against the bytes left
// before allocating anything for it.
const (
	minKVBytes     = 8 + 4 + 1     // empty key, type, one-byte value
	minTensorBytes = 8 + 4 + 4 + 8 // empty name, no dims, type, offset
	minArrayBytes  = 4 + 8         // element type, count
	minStringBytes = 8             // length
)

// formatError is a malformed-input error; it matches ErrFormat and,
// optionally, a more specific sentinel.
type formatError struct {
	msg  string
	kind error
}

func (e *formatError) Error() string { return e.msg }

func (e *formatError) Unwrap() []error {
	if e.kind != nil {
		return []error{ErrFormat, e.kind}
	}
	return []error{ErrFormat}
}

// decoder reads the header of a GGUF file, keeping track of what it is
// reading (ctx) so that errors can say so.
type decoder struct {
	data  []byte
	off   int
	name  string
	state *fileState // shared with the File and its lazy string arrays
	ctx   string     // "key", "tensor" or "" for the header
	subj  string     // the key or tensor name
}

func (d *decoder) errorf(kind error, format string, args ...any) error {
	msg := "gguf: " + d.name + ": "
	if d.ctx != "" {
		msg += d.ctx + " " + strconv.Quote(d.subj) + ": "
	}
	return &formatError{msg: msg + fmt.Sprintf(format, args...), kind: kind}
}

func (d *decoder) left() int { return len(d.data) - d.off }

func (d *decoder) truncated(what string) error {
	return d.errorf(nil, "truncated: %s at offset %d runs past the end of the file (%d bytes)", what, d.off, len(d.data))
}

func (d *decoder) u32(what string) (uint32, error) {
	if d.left() < 4 {
		return 0, d.truncated(what)
	}
	v := binary.LittleEndian.Uint32(d.data[d.off:])
	d.off += 4
	return v, nil
}

func (d *decoder) u64(what string) (uint64, error) {
	if d.left() < 8 {
		return 0, d.truncated(what)
	}
	v := binary.LittleEndian.Uint64(d.data[d.off:])
	d.off += 8
	return v, nil
}

func (d *decoder) str(what string) (string, error) {
	n, err := d.u64(what + " length")
	if err != nil {
		return "", err
	}
	if n > uint64(d.left()) {
		d.off -= 8
		return "", d.errorf(nil, "truncated: %s of %d bytes at offset %d runs past the end of the file (%d bytes)", what, n, d.off, len(d.data))
	}
	s := string(d.data[d.off : d.off+int(n)])
	d.off += int(n)
	return s, nil
}

// Parse parses a GGUF file held in data; name is used in error messages and
// as File.Path. Tensor data is not copied: the File refers to data, which
// must not be modified while the File is in use.
func Parse(data []byte, name string) (*File, error) {
	d := &decoder{data: data, name: name, state: new(fileState)}
	if len(data) < 4 {
		return nil, d.errorf(nil, "not a GGUF file: only %d bytes", len(data))
	}
	switch string(data[:4]) {
	case "GGUF":
	case "FUGG":
		return nil, d.errorf(nil, "byte-swapped (big-endian) GGUF file; only little-endian files are supported")
	default:
		return nil, d.errorf(nil, "not a GGUF file (bad magic %q)", data[:4])
	}
	d.off = 4
	version, err := d.u32("version")
	if err != nil {
		return nil, err
	}
	switch {
	case version == 2 || version == 3:
	case version&0xffff == 0 && version != 0:
		return nil, d.errorf(nil, "byte-swapped (big-endian) GGUF file; only little-endian files are supported")
	case version == 1:
		return nil, d.errorf(ErrVersion, "GGUF version 1 is obsolete and not supported (only 2 and 3)")
	default:
		return nil, d.errorf(ErrVersion, "unsupported GGUF version %d (only 2 and 3)", version)
	}
	nTensors, err := d.u64("tensor count")
	if err != nil {
		return nil, err
	}
	nKV, err := d.u64("metadata count")
	if err != nil {
		return nil, err
	}
	// The counts are untrusted: check that the rest of the file could hold
	// that many entries before allocating for them.
	if nKV > uint64(d.left()/minKVBytes) {
		return nil, d.errorf(nil, "metadata count %d is more than the file could hold", nKV)
	}
	if nTensors > uint64(d.left()/minTensorBytes) {
		return nil, d.errorf(nil, "tensor count %d is more than the file could hold", nTensors)
	}
	f := &File{
		state:   d.state,
		Path:    name,
		Version: version,
		KV:      make([]KV, 0, nKV),
		keys:    make(map[string]int, nKV),
		data:    data,
	}
	if err := d.readKVs(f, int(nKV)); err != nil {
		return nil, err
	}
	if err := d.readAlignment(f); err != nil {
		return nil, err
	}
	if err := d.readTensors(f, int(nTensors)); err != nil {
		return nil, err
	}
	return f, nil
}

func (d *decoder) readKVs(f *File, n int) error {
	for i := range n {
		d.ctx, d.subj = "", ""
		key, err := d.str(fmt.Sprintf("key of metadata entry %d", i))
		if err != nil {
			return err
		}
		d.ctx, d.subj = "key", key
		if _, dup := f.keys[key]; dup {
			return d.errorf(nil, "duplicate key")
		}
		t, err := d.u32("value type")
		if err != nil {
			return err
		}
		v, err := d.value(ValueType(t), 0)
		if err != nil {
			return err
		}
		f.keys[key] = len(f.KV)
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	d.ctx, d.subj = "", ""
	return nil
}

func (d *decoder) readAlignment(f *File) error {
	f.Alignment = DefaultAlignment
	v, ok := f.Lookup(KeyAlignment)
	if !ok {
		return nil
	}
	d.ctx, d.subj = "key", KeyAlignment
	defer func() { d.ctx, d.subj = "", "" }()
	a, ok := v.Uint()
	if !ok {
		return d.errorf(nil, "alignment must be a non-negative integer, not %s %v", v.Type(), v)
	}
	if a == 0 || a&(a-1) != 0 || a > 1<<30 {
		return d.errorf(nil, "alignment %d is not a power of two between 1 and 2^30", a)
	}
	f.Alignment = int64(a)
	return nil
}

// value reads a value of type t.
func (d *decoder) value(t ValueType, depth int) (Value, error) {
	v := Value{typ: t, valid: true}
	if sz := t.size(); sz > 0 {
		if d.left() < sz {
			return Value{}, d.truncated(t.String() + " value")
		}
		b := d.data[d.off:]
		switch t {
		case TypeUint8, TypeBool:
			v.bits = uint64(b[0])
		case TypeInt8:
			v.bits = uint64(int64(int8(b[0])))
		case TypeUint16:
			v.bits = uint64(binary.LittleEndian.Uint16(b))
		case TypeInt16:
			v.bits = uint64(int64(int16(binary.LittleEndian.Uint16(b))))
		case TypeUint32:
			v.bits = uint64(binary.LittleEndian.Uint32(b))
		case TypeInt32:
			v.bits = uint64(int64(int32(binary.LittleEndian.Uint32(b))))
		case TypeUint64, TypeInt64:
			v.bits = binary.LittleEndian.Uint64(b)
		case TypeFloat32:
			v.bits = math.Float64bits(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
		case TypeFloat64:
			v.bits = binary.LittleEndian.Uint64(b)
		}
		if t == TypeBool && v.bits > 1 {
			v.bits = 1
		}
		d.off += sz
		return v, nil
	}
	switch t {
	case TypeString:
		s, err := d.str("string")
		if err != nil {
			return Value{}, err
		}
		v.str = s
		return v, nil
	case TypeArray:
		if depth >= maxNesting {
			return Value{}, d.errorf(nil, "arrays nested more than %d deep", maxNesting)
		}
		et, err := d.u32("array element type")
		if err != nil {
			return Value{}, err
		}
		n, err := d.u64("array length")
		if err != nil {
			return Value{}, err
		}
		v.elem = ValueType(et)
		v.arr, err = d.array(v.elem, n, depth+1)
		if err != nil {
			return Value{}, err
		}
		return v, nil
	}
	return Value{}, d.errorf(nil, "unknown value type %d", uint32(t))
}

// array reads n elements of type t and returns them as a typed slice.
func (d *decoder) array(t ValueType, n uint64, depth int) (any, error) {
	minSize := t.size()
	switch t {
	case TypeString:
		minSize = minStringBytes
	case TypeArray:
		minSize = minArrayBytes
	}
	if minSize == 0 {
		return nil, d.errorf(nil, "array of unknown value type %d", uint32(t))
	}
	if n > uint64(d.left()/minSize) {
		return nil, d.errorf(nil, "truncated: array of %d %s values at offset %d cannot fit in the %d bytes left", n, t, d.off, d.left())
	}
	count := int(n)
	switch t {
	case TypeString:
		a, err := d.strings(count)
		if err != nil || count >= lazyStrings {
			return a, err
		}
		return a.decode(), nil
	case TypeArray:
		out := make([]Value, count)
		for i := range out {
			v, err := d.value(TypeArray, depth)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	b := d.data[d.off : d.off+count*minSize]
	d.off += count * minSize
	switch t {
	case TypeUint8:
		return slices.Clone(b), nil
	case TypeInt8:
		return decodeFixed(b, 1, func(b []byte) int8 { return int8(b[0]) }), nil
	case TypeBool:
		return decodeFixed(b, 1, func(b []byte) bool { return b[0] != 0 }), nil
	case TypeUint16:
		return decodeFixed(b, 2, binary.LittleEndian.Uint16), nil
	case TypeInt16:
		return decodeFixed(b, 2, func(b []byte) int16 { return int16(binary.LittleEndian.Uint16(b)) }), nil
	case TypeUint32:
		return decodeFixed(b, 4, binary.LittleEndian.Uint32), nil
	case TypeInt32:
		return decodeFixed(b, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) }), nil
	case TypeFloat32:
		return decodeFixed(b, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }), nil
	case TypeUint64:
		return decodeFixed(b, 8, binary.LittleEndian.Uint64), nil
	case TypeInt64:
		return decodeFixed(b, 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) }), nil
	default: // TypeFloat64
		return decodeFixed(b, 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }), nil
	}
}

func decodeFixed[T any](b []byte, size int, get func([]byte) T) []T {
	out := make([]T, len(b)/size)
	for i := range out {
		out[i] = get(b[i*size : i*size+size])
	}
	return out
}

// strings reads n strings. It makes one Go string of all of them (with
// their length prefixes) and slices the elements out of it, so that a
// vocabulary of hundreds of thousands of tokens costs two allocations.
func (d *decoder) strings(n int) (*stringArray, error) {
	start, p := d.off, d.off
	for i := range n {
		if len(d.data)-p < 8 {
			d.off = p
			return nil, d.truncated(fmt.Sprintf("length of string %d of %d", i, n))
		}
		l := binary.LittleEndian.Uint64(d.data[p:])
		if l > uint64(len(d.data)-p-8) {
			d.off = p
			return nil, d.errorf(nil, "truncated: string %d of %d (%d bytes at offset %d) runs past the end of the file (%d bytes)", i, n, l, p, len(d.data))
		}
		p += 8 + int(l)
	}
	d.off = p
	return &stringArray{raw: d.data[start:p:p], n: n, state: d.state}, nil
}

func (d *decoder) readTensors(f *File, n int) error {
	f.Tensors = make([]TensorInfo, n)
	f.names = make(map[string]int, n)
	for i := range f.Tensors {
		d.ctx, d.subj = "", ""
		name, err := d.str(fmt.Sprintf("name of tensor %d", i))
		if err != nil {
			return err
		}
		d.ctx, d.subj = "tensor", name
		if _, dup := f.names[name]; dup {
			return d.errorf(nil, "duplicate tensor name")
		}
		f.names[name] = i
		t := &f.Tensors[i]
		t.Name = name
		if err := d.tensorInfo(t); err != nil {
			return err
		}
	}
	d.ctx, d.subj = "", ""
	f.DataOffset = alignUp(int64(d.off), f.Alignment)
	return d.checkTensorData(f)
}

// tensorInfo reads the dimensions, type and offset of t and computes its size.
func (d *decoder) tensorInfo(t *TensorInfo) error {
	nd, err := d.u32("dimension count")
	if err != nil {
		return err
	}
	if nd > MaxDims {
		return d.errorf(nil, "%d dimensions (at most %d)", nd, MaxDims)
	}
	t.Dims = make([]int64, nd)
	elems := int64(1)
	for j := range t.Dims {
		dim, err := d.u64("dimension")
		if err != nil {
			return err
		}
		if dim > math.MaxInt64 {
			return d.errorf(nil, "dimension %d is %d, which overflows", j, dim)
		}
		t.Dims[j] = int64(dim)
		if dim != 0 && elems > math.MaxInt64/int64(dim) {
			return d.errorf(nil, "dimensions %v overflow the element count", t.Dims[:j+1])
		}
		elems *= int64(dim)
	}
	typ, err := d.u32("type")
	if err != nil {
		return err
	}
	t.Type = tensor.Type(typ)
	if !t.Type.Known() {
		return d.errorf(ErrUnknownType, "unknown tensor type %d", typ)
	}
	off, err := d.u64("offset")
	if err != nil {
		return err
	}
	if off > math.MaxInt64 {
		return d.errorf(nil, "offset beyond end of file")
	}
	t.Offset = int64(off)
	size, err := dataSize(t.Type, t.Dims)
	if err != nil {
		return d.errorf(nil, "%v", err)
	}
	t.Size = size
	return nil
}

// dataSize returns the size in bytes of a tensor of the given type and
// dimensions, whose element count is known not to overflow.
func dataSize(typ tensor.Type, dims []int64) (int64, error) {
	row, rows := int64(1), int64(1)
	if len(dims) > 0 {
		row = dims[0]
		for _, d := range dims[1:] {
			rows *= d
		}
		if row == 0 {
			return 0, nil
		}
	}
	rowBytes, ok := typ.RowBytes(row)
	if !ok {
		return 0, fmt.Errorf("row length %d is not a multiple of the %s block size %d", row, typ, typ.BlockSize())
	}
	if row/int64(typ.BlockSize()) > math.MaxInt64/int64(typ.BlockBytes()) {
		return 0, fmt.Errorf("data size of %s %v overflows", typ, dims)
	}
	if rows != 0 && rowBytes > math.MaxInt64/rows {
		return 0, fmt.Errorf("data size of %s %v overflows", typ, dims)
	}
	return rowBytes * rows, nil
}

// checkTensorData checks that every tensor's data is aligned, inside the
// file, and does not overlap another's.
func (d *decoder) checkTensorData(f *File) error {
	avail := int64(len(d.data)) - f.DataOffset // negative if the data section starts past the end
	for i := range f.Tensors {
		t := &f.Tensors[i]
		d.ctx, d.subj = "tensor", t.Name
		if t.Offset%f.Alignment != 0 {
			return d.errorf(nil, "offset %d is not a multiple of the alignment %d", t.Offset, f.Alignment)
		}
		if t.Offset > avail {
			return d.errorf(nil, "offset beyond end of file")
		}
		if t.Size > avail-t.Offset {
			return d.errorf(nil, "data (%d bytes at offset %d) runs past the end of the file", t.Size, f.DataOffset+t.Offset)
		}
	}
	d.ctx, d.subj = "", ""
	order := make([]*TensorInfo, len(f.Tensors))
	for i := range f.Tensors {
		order[i] = &f.Tensors[i]
	}
	slices.SortFunc(order, func(a, b *TensorInfo) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(a.Size, b.Size))
	})
	for i := 1; i < len(order); i++ {
		a, b := order[i-1], order[i]
		if a.Offset+a.Size > b.Offset {
			d.ctx, d.subj = "tensor", b.Name
			return d.errorf(nil, "data overlaps tensor %q", a.Name)
		}
	}
	return nil
}

func alignUp(n, a int64) int64 {
	return (n + a - 1) / a * a
}
