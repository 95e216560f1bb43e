package gguf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueType is the type of a metadata value, numbered as in the format.
type ValueType uint32

// The metadata value types.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{
	TypeUint8: "uint8", TypeInt8: "int8", TypeUint16: "uint16", TypeInt16: "int16",
	TypeUint32: "uint32", TypeInt32: "int32", TypeFloat32: "float32", TypeBool: "bool",
	TypeString: "string", TypeArray: "array", TypeUint64: "uint64", TypeInt64: "int64",
	TypeFloat64: "float64",
}

// String returns the type's name, such as "uint32".
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return "type(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// Valid reports whether t is one of the format's value types.
func (t ValueType) Valid() bool { return t <= TypeFloat64 }

// size returns the encoded size of a fixed-size type, or 0 for strings,
// arrays and invalid types.
func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

func (t ValueType) isInteger() bool {
	switch t {
	case TypeUint8, TypeInt8, TypeUint16, TypeInt16, TypeUint32, TypeInt32, TypeUint64, TypeInt64:
		return true
	}
	return false
}

func (t ValueType) isSigned() bool {
	return t == TypeInt8 || t == TypeInt16 || t == TypeInt32 || t == TypeInt64
}

// Value is one metadata value: a scalar, a string or an array (whose
// elements may themselves be arrays). The zero Value is invalid: every
// accessor reports false for it.
type Value struct {
	typ   ValueType
	elem  ValueType // element type of an array
	valid bool
	bits  uint64 // integers (signed ones sign-extended), float64 bits, bool 0/1
	str   string
	arr   any // []uint8 ... []float64, []bool, []string or *stringArray, or []Value for arrays of arrays
}

// Type returns the value's type; it is meaningless for the zero Value.
func (v Value) Type() ValueType { return v.typ }

// ElemType returns the element type of an array.
func (v Value) ElemType() ValueType { return v.elem }

// IsValid reports whether v holds a value (the zero Value does not).
func (v Value) IsValid() bool { return v.valid }

// Len returns the number of elements of an array, and 0 for other values.
func (v Value) Len() int {
	switch a := v.arr.(type) {
	case []uint8:
		return len(a)
	case []int8:
		return len(a)
	case []uint16:
		return len(a)
	case []int16:
		return len(a)
	case []uint32:
		return len(a)
	case []int32:
		return len(a)
	case []uint64:
		return len(a)
	case []int64:
		return len(a)
	case []float32:
		return len(a)
	case []float64:
		return len(a)
	case []bool:
		return len(a)
	case []string:
		return len(a)
	case *stringArray:
		return a.n
	case []Value:
		return len(a)
	}
	return 0
}

// Uint returns an integer value of any width if it is not negative.
func (v Value) Uint() (uint64, bool) {
	if !v.valid || !v.typ.isInteger() || (v.typ.isSigned() && int64(v.bits) < 0) {
		return 0, false
	}
	return v.bits, true
}

// Int returns an integer value of any width if it fits in an int64.
func (v Value) Int() (int64, bool) {
	if !v.valid || !v.typ.isInteger() || (v.typ == TypeUint64 && v.bits > math.MaxInt64) {
		return 0, false
	}
	return int64(v.bits), true
}

// Float returns a float value of either width, or an integer as a float.
func (v Value) Float() (float64, bool) {
	if !v.valid {
		return 0, false
	}
	switch {
	case v.typ == TypeFloat32 || v.typ == TypeFloat64:
		return math.Float64frombits(v.bits), true
	case v.typ == TypeUint64:
		return float64(v.bits), true
	case v.typ.isInteger():
		return float64(int64(v.bits)), true
	}
	return 0, false
}

// Bool returns a bool value.
func (v Value) Bool() (bool, bool) {
	if !v.valid || v.typ != TypeBool {
		return false, false
	}
	return v.bits != 0, true
}

// Str returns a string value.
func (v Value) Str() (string, bool) {
	if !v.valid || v.typ != TypeString {
		return "", false
	}
	return v.str, true
}

// Strings returns an array of strings. The slice may be shared and must
// not be modified. A string array read from a file is decoded anew on each
// call (the file keeps only its bytes), and only while the file is open.
func (v Value) Strings() ([]string, bool) {
	switch a := v.arr.(type) {
	case []string:
		return a, true
	case *stringArray:
		return a.decode(), true
	}
	return nil, false
}

// Bools returns an array of bools. The slice is shared and must not be
// modified.
func (v Value) Bools() ([]bool, bool) {
	a, ok := v.arr.([]bool)
	return a, ok
}

// Array returns the elements of an array as Values.
func (v Value) Array() ([]Value, bool) {
	if !v.valid || v.typ != TypeArray {
		return nil, false
	}
	if a, ok := v.arr.([]Value); ok {
		return a, true
	}
	if a, ok := v.arr.(*stringArray); ok {
		v.arr = a.decode()
	}
	n := v.Len()
	out := make([]Value, n)
	for i := range out {
		out[i] = v.index(i)
	}
	return out, true
}

// index returns element i of a typed array as a Value.
func (v Value) index(i int) Value {
	e := Value{typ: v.elem, valid: true}
	switch a := v.arr.(type) {
	case []uint8:
		e.bits = uint64(a[i])
	case []int8:
		e.bits = uint64(int64(a[i]))
	case []uint16:
		e.bits = uint64(a[i])
	case []int16:
		e.bits = uint64(int64(a[i]))
	case []uint32:
		e.bits = uint64(a[i])
	case []int32:
		e.bits = uint64(int64(a[i]))
	case []uint64:
		e.bits = a[i]
	case []int64:
		e.bits = uint64(a[i])
	case []float32:
		e.bits = math.Float64bits(float64(a[i]))
	case []float64:
		e.bits = math.Float64bits(a[i])
	case []bool:
		if a[i] {
			e.bits = 1
		}
	case []string:
		e.str = a[i]
	case *stringArray:
		e.str = a.at(i)
	case []Value:
		return a[i]
	}
	return e
}

// Float32s returns an array of numbers as float32s. A float32 array is
// returned without copying and must not be modified; other numeric arrays
// are converted.
func (v Value) Float32s() ([]float32, bool) {
	switch a := v.arr.(type) {
	case []float32:
		return a, true
	case []float64:
		return floats(a), true
	case []uint8:
		return floats(a), true
	case []int8:
		return floats(a), true
	case []uint16:
		return floats(a), true
	case []int16:
		return floats(a), true
	case []uint32:
		return floats(a), true
	case []int32:
		return floats(a), true
	case []uint64:
		return floats(a), true
	case []int64:
		return floats(a), true
	}
	return nil, false
}

func floats[S integer | ~float64](s []S) []float32 {
	out := make([]float32, len(s))
	for i, x := range s {
		out[i] = float32(x)
	}
	return out
}

// Int32s returns an array of integers of any width whose values all fit in
// an int32. An int32 array is returned without copying and must not be
// modified; other integer arrays are converted.
func (v Value) Int32s() ([]int32, bool) {
	if a, ok := v.arr.([]int32); ok {
		return a, true
	}
	return convertInts[int32](v.arr, math.MinInt32, math.MaxInt32)
}

// Int64s returns an array of integers of any width whose values all fit in
// an int64. An int64 array is returned without copying and must not be
// modified; other integer arrays are converted.
func (v Value) Int64s() ([]int64, bool) {
	if a, ok := v.arr.([]int64); ok {
		return a, true
	}
	return convertInts[int64](v.arr, math.MinInt64, math.MaxInt64)
}

type integer interface {
	~uint8 | ~int8 | ~uint16 | ~int16 | ~uint32 | ~int32 | ~uint64 | ~int64
}

func convertInts[T int32 | int64](arr any, lo, hi int64) ([]T, bool) {
	switch a := arr.(type) {
	case []uint8:
		return convertSlice[T](a, lo, hi)
	case []int8:
		return convertSlice[T](a, lo, hi)
	case []uint16:
		return convertSlice[T](a, lo, hi)
	case []int16:
		return convertSlice[T](a, lo, hi)
	case []uint32:
		return convertSlice[T](a, lo, hi)
	case []int32:
		return convertSlice[T](a, lo, hi)
	case []uint64:
		return convertSlice[T](a, lo, hi)
	case []int64:
		return convertSlice[T](a, lo, hi)
	}
	return nil, false
}

func convertSlice[T int32 | int64, S integer](s []S, lo, hi int64) ([]T, bool) {
	out := make([]T, len(s))
	for i, x := range s {
		if x < 0 {
			if int64(x) < lo {
				return nil, false
			}
		} else if uint64(x) > uint64(hi) {
			return nil, false
		}
		out[i] = T(x)
	}
	return out, true
}

// Any returns the value as a Go value: uint8 ... float64, bool or string for
// scalars; a slice of those for arrays ([]Value for arrays of arrays). It
// returns nil for the zero Value.
func (v Value) Any() any {
	if !v.valid {
		return nil
	}
	switch v.typ {
	case TypeUint8:
		return uint8(v.bits)
	case TypeInt8:
		return int8(v.bits)
	case TypeUint16:
		return uint16(v.bits)
	case TypeInt16:
		return int16(v.bits)
	case TypeUint32:
		return uint32(v.bits)
	case TypeInt32:
		return int32(v.bits)
	case TypeUint64:
		return v.bits
	case TypeInt64:
		return int64(v.bits)
	case TypeFloat32:
		return float32(math.Float64frombits(v.bits))
	case TypeFloat64:
		return math.Float64frombits(v.bits)
	case TypeBool:
		return v.bits != 0
	case TypeString:
		return v.str
	case TypeArray:
		if a, ok := v.arr.(*stringArray); ok {
			return a.decode()
		}
		return v.arr
	}
	return nil
}

// String formats the value for display: strings quoted, arrays with their
// element type and length and at most a few elements.
func (v Value) String() string {
	if !v.valid {
		return "<invalid>"
	}
	switch v.typ {
	case TypeString:
		return strconv.Quote(v.str)
	case TypeArray:
		const show = 8
		n := v.Len()
		var b strings.Builder
		fmt.Fprintf(&b, "[%d]%s{", n, v.elem)
		for i := range min(n, show) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.index(i).String())
		}
		if n > show {
			b.WriteString(", ...")
		}
		b.WriteByte('}')
		return b.String()
	}
	return fmt.Sprint(v.Any())
}
