package gguf

import (
	"bytes"
	"math"
	"reflect"
	"testing"
)

// TestAccessors checks that the accessors accept every integer width (and
// floats of both widths), and refuse what does not fit.
func TestAccessors(t *testing.T) {
	type want struct {
		u     uint64
		uok   bool
		i     int64
		iok   bool
		f     float64
		fok   bool
		s     string
		sok   bool
		b     bool
		bok   bool
		i32   []int32
		f32   []float32
		strs  []string
		elems int
	}
	for _, c := range []struct {
		val  any
		want want
	}{
		{uint8(7), want{u: 7, uok: true, i: 7, iok: true, f: 7, fok: true}},
		{int8(-7), want{i: -7, iok: true, f: -7, fok: true}},
		{uint16(7), want{u: 7, uok: true, i: 7, iok: true, f: 7, fok: true}},
		{int16(7), want{u: 7, uok: true, i: 7, iok: true, f: 7, fok: true}},
		{uint32(math.MaxUint32), want{u: math.MaxUint32, uok: true, i: math.MaxUint32, iok: true, f: math.MaxUint32, fok: true}},
		{int32(-1), want{i: -1, iok: true, f: -1, fok: true}},
		{uint64(math.MaxUint64), want{u: math.MaxUint64, uok: true, f: math.MaxUint64, fok: true}},
		{int64(math.MinInt64), want{i: math.MinInt64, iok: true, f: math.MinInt64, fok: true}},
		{float32(0.5), want{f: 0.5, fok: true}},
		{float64(-0.25), want{f: -0.25, fok: true}},
		{true, want{b: true, bok: true}},
		{"s", want{s: "s", sok: true}},
		{[]uint8{1, 255}, want{i32: []int32{1, 255}, f32: []float32{1, 255}, elems: 2}},
		{[]int8{-1}, want{i32: []int32{-1}, f32: []float32{-1}, elems: 1}},
		{[]uint16{65535}, want{i32: []int32{65535}, f32: []float32{65535}, elems: 1}},
		{[]int16{-2}, want{i32: []int32{-2}, f32: []float32{-2}, elems: 1}},
		{[]uint32{math.MaxInt32}, want{i32: []int32{math.MaxInt32}, f32: []float32{math.MaxInt32}, elems: 1}},
		{[]uint32{math.MaxInt32 + 1}, want{f32: []float32{math.MaxInt32 + 1}, elems: 1}},
		{[]int32{3, -3}, want{i32: []int32{3, -3}, f32: []float32{3, -3}, elems: 2}},
		{[]int64{math.MinInt32}, want{i32: []int32{math.MinInt32}, f32: []float32{math.MinInt32}, elems: 1}},
		{[]int64{math.MinInt32 - 1}, want{f32: []float32{math.MinInt32 - 1}, elems: 1}},
		{[]uint64{math.MaxUint64}, want{f32: []float32{math.MaxUint64}, elems: 1}},
		{[]float32{1.5}, want{f32: []float32{1.5}, elems: 1}},
		{[]float64{2.5}, want{f32: []float32{2.5}, elems: 1}},
		{[]bool{true}, want{elems: 1}},
		{[]string{"a", "b"}, want{strs: []string{"a", "b"}, elems: 2}},
	} {
		v, err := MakeValue(c.val)
		if err != nil {
			t.Fatal(err)
		}
		var got want
		got.u, got.uok = v.Uint()
		got.i, got.iok = v.Int()
		got.f, got.fok = v.Float()
		got.s, got.sok = v.Str()
		got.b, got.bok = v.Bool()
		got.i32, _ = v.Int32s()
		got.f32, _ = v.Float32s()
		got.strs, _ = v.Strings()
		got.elems = v.Len()
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%T %v:\n got %+v\nwant %+v", c.val, c.val, got, c.want)
		}
		if !reflect.DeepEqual(v.Any(), c.val) {
			t.Errorf("%T %v: Any() = %#v", c.val, c.val, v.Any())
		}
	}
}

func TestZeroValue(t *testing.T) {
	var v Value
	if v.IsValid() || v.Len() != 0 || v.String() != "<invalid>" || v.Any() != nil {
		t.Error("zero Value looks valid")
	}
	if _, ok := v.Uint(); ok {
		t.Error("Uint of zero Value")
	}
	if _, ok := v.Float(); ok {
		t.Error("Float of zero Value")
	}
	if _, ok := v.Array(); ok {
		t.Error("Array of zero Value")
	}
}

func TestFileAccessorsMissingKey(t *testing.T) {
	b := NewBuilder()
	b.Set("n", uint32(1))
	var buf bytes.Buffer
	b.WriteTo(&buf)
	f, err := Parse(buf.Bytes(), "t.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Uint("missing"); ok {
		t.Error("Uint of a missing key")
	}
	if _, ok := f.String("n"); ok {
		t.Error("String of a uint32")
	}
	if _, ok := f.Strings("n"); ok {
		t.Error("Strings of a uint32")
	}
	if f.Architecture() != "" {
		t.Error("Architecture of a file without one")
	}
	if err := f.Close(); err != nil {
		t.Error(err)
	}
}

func TestValueString(t *testing.T) {
	for _, c := range []struct {
		val  any
		want string
	}{
		{uint32(5), "5"},
		{"a\"b", `"a\"b"`},
		{float32(1e-5), "1e-05"},
		{[]int32{1, 2}, "[2]int32{1, 2}"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}, `[9]string{"a", "b", "c", "d", "e", "f", "g", "h", ...}`},
	} {
		v, _ := MakeValue(c.val)
		if got := v.String(); got != c.want {
			t.Errorf("String() = %s, want %s", got, c.want)
		}
	}
	if got := ValueType(99).String(); got != "type(99)" {
		t.Errorf("ValueType(99) = %s", got)
	}
}
