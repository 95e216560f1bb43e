package gguf

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// allValues has a value of every type, scalar and array, with edge cases.
var allValues = []struct {
	key string
	val any
}{
	{"t.uint8", uint8(200)},
	{"t.int8", int8(-100)},
	{"t.uint16", uint16(60000)},
	{"t.int16", int16(-30000)},
	{"t.uint32", uint32(4000000000)},
	{"t.int32", int32(-2000000000)},
	{"t.uint64", uint64(math.MaxUint64)},
	{"t.int64", int64(math.MinInt64)},
	{"t.float32", float32(1e-5)},
	{"t.float64", math.Pi},
	{"t.true", true},
	{"t.false", false},
	{"t.string", "héllo\x00wörld"},
	{"t.empty", ""},
	{"a.uint8", []uint8{0, 1, 255}},
	{"a.int8", []int8{-128, 0, 127}},
	{"a.uint16", []uint16{0, 65535}},
	{"a.int16", []int16{-32768, 32767}},
	{"a.uint32", []uint32{0, math.MaxUint32}},
	{"a.int32", []int32{math.MinInt32, -1, math.MaxInt32}},
	{"a.uint64", []uint64{0, math.MaxUint64}},
	{"a.int64", []int64{math.MinInt64, math.MaxInt64}},
	{"a.float32", []float32{-1.5, float32(math.Inf(1)), 3.25}},
	{"a.float64", []float64{math.SmallestNonzeroFloat64, math.Copysign(0, -1), 1e300}},
	{"a.bool", []bool{true, false, true}},
	{"a.string", []string{"", "a", "<0x0A>", "▁the", "\xff\xfe"}},
	{"a.empty", []string{}},
	{"general.alignment", uint32(64)},
}

// buildAll makes a Builder with every value type, nested arrays and a few
// tensors of several types.
func buildAll(t testing.TB) (*Builder, map[string][]byte) {
	b := NewBuilder()
	b.Set("general.architecture", "llama")
	for _, kv := range allValues {
		b.Set(kv.key, kv.val)
	}
	inner1, _ := MakeValue([]int32{1, 2, 3})
	inner2, _ := MakeValue([]string{"x", "y"})
	inner3, _ := MakeValue([]uint8{})
	deep, _ := MakeValue([]Value{inner1})
	b.Set("a.nested", []Value{inner1, inner2, inner3, deep})
	rng := rand.New(rand.NewPCG(1, 2))
	data := map[string][]byte{}
	for _, tc := range []struct {
		name string
		typ  tensor.Type
		dims []int64
	}{
		{"token_embd.weight", tensor.F32, []int64{8, 3}},
		{"blk.0.attn_q.weight", tensor.F16, []int64{5, 7}}, // odd size: padding
		{"blk.0.ffn_up.weight", tensor.Q8_0, []int64{64, 2}},
		{"blk.0.ffn_down.weight", tensor.Q4_K, []int64{256, 3}},
		{"blk.0.attn_k.weight", tensor.Q5_0, []int64{32, 1, 2, 2}},
		{"blk.0.attn_v.weight", tensor.Q6_K, []int64{512}},
		{"blk.0.bf16", tensor.BF16, []int64{3}},
		{"empty", tensor.F32, []int64{0, 4}},
	} {
		sz, _ := tc.typ.RowBytes(tc.dims[0])
		for _, d := range tc.dims[1:] {
			sz *= d
		}
		buf := make([]byte, sz)
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		if err := b.AddTensor(tc.name, tc.typ, tc.dims, buf); err != nil {
			t.Fatal(err)
		}
		data[tc.name] = buf
	}
	return b, data
}

func TestRoundTrip(t *testing.T) {
	b, data := buildAll(t)
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d", n, buf.Len())
	}
	var again bytes.Buffer
	b.WriteTo(&again)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two writes of the same Builder differ")
	}
	path := filepath.Join(t.TempDir(), "all.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(onDisk, buf.Bytes()) {
		t.Fatalf("WriteFile wrote different bytes than WriteTo (%v)", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("WriteFile left %d files behind", len(entries))
	}
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			f, err := o.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			checkAll(t, f, b, data)
		})
	}
}

func checkAll(t *testing.T, f *File, b *Builder, data map[string][]byte) {
	t.Helper()
	if f.Version != 3 || f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Errorf("version %d, alignment %d, data offset %d", f.Version, f.Alignment, f.DataOffset)
	}
	if len(f.KV) != len(b.kv) {
		t.Fatalf("%d keys, want %d", len(f.KV), len(b.kv))
	}
	for i, kv := range f.KV {
		want := b.kv[i]
		if kv.Key != want.Key || kv.Value.Type() != want.Value.Type() || kv.Value.ElemType() != want.Value.ElemType() {
			t.Errorf("key %d: %s %v[%v], want %s %v[%v]", i, kv.Key, kv.Value.Type(), kv.Value.ElemType(),
				want.Key, want.Value.Type(), want.Value.ElemType())
			continue
		}
		if !reflect.DeepEqual(kv.Value.Any(), want.Value.Any()) {
			t.Errorf("%s = %v, want %v", kv.Key, kv.Value, want.Value)
		}
	}
	if f.Architecture() != "llama" {
		t.Errorf("architecture %q", f.Architecture())
	}
	if len(f.Tensors) != len(b.tensors) {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), len(b.tensors))
	}
	for i := range f.Tensors {
		got, want := &f.Tensors[i], &b.tensors[i].info
		if !reflect.DeepEqual(got, want) {
			t.Errorf("tensor %d: %+v, want %+v", i, got, want)
		}
		if got.Offset%f.Alignment != 0 {
			t.Errorf("%s: offset %d not aligned", got.Name, got.Offset)
		}
		if !bytes.Equal(f.TensorData(got), data[got.Name]) {
			t.Errorf("%s: data differs", got.Name)
		}
		if ti, ok := f.Tensor(got.Name); !ok || ti != got {
			t.Errorf("Tensor(%q) = %v, %v", got.Name, ti, ok)
		}
	}
	if _, ok := f.Tensor("missing"); ok {
		t.Error("found a missing tensor")
	}
	nested, _ := f.Lookup("a.nested")
	elems, ok := nested.Array()
	if !ok || len(elems) != 4 {
		t.Fatalf("a.nested: %v", nested)
	}
	if s, _ := elems[1].Strings(); !reflect.DeepEqual(s, []string{"x", "y"}) {
		t.Errorf("a.nested[1] = %v", elems[1])
	}
	if in, _ := elems[3].Array(); len(in) != 1 || in[0].Len() != 3 {
		t.Errorf("a.nested[3] = %v", elems[3])
	}
}

func TestVersion2(t *testing.T) {
	b, data := buildAll(t)
	b.SetVersion(2)
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(buf.Bytes(), "v2.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 2 {
		t.Errorf("version %d", f.Version)
	}
	f.Version = 3
	checkAll(t, f, b, data)
}

// TestRewriteIdentical copies a file's metadata and tensors through a new
// Builder: the result must be byte-identical.
func TestRewriteIdentical(t *testing.T) {
	b, _ := buildAll(t)
	var orig bytes.Buffer
	b.WriteTo(&orig)
	f, err := Parse(orig.Bytes(), "orig.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rewrite(t, f), orig.Bytes()) {
		t.Error("rewriting a file changed its bytes")
	}
}

// rewrite copies f through a new Builder.
func rewrite(t *testing.T, f *File) []byte {
	t.Helper()
	c := NewBuilder()
	for _, kv := range f.KV {
		c.Set(kv.Key, kv.Value)
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if err := c.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(ti)); err != nil {
			t.Fatal(err)
		}
	}
	var copied bytes.Buffer
	if _, err := c.WriteTo(&copied); err != nil {
		t.Fatal(err)
	}
	return copied.Bytes()
}

func TestSetReplaces(t *testing.T) {
	b := NewBuilder()
	b.Set("a", uint32(1))
	b.Set("b", "x")
	b.Set("a", "now a string")
	var buf bytes.Buffer
	b.WriteTo(&buf)
	f, err := Parse(buf.Bytes(), "t.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.KV) != 2 || f.KV[0].Key != "a" || f.KV[1].Key != "b" {
		t.Fatalf("keys %v", f.KV)
	}
	if s, _ := f.String("a"); s != "now a string" {
		t.Errorf("a = %q", s)
	}
}

func TestSetCopiesSlices(t *testing.T) {
	b := NewBuilder()
	s := []int32{1, 2}
	b.Set("s", s)
	s[0] = 99
	var buf bytes.Buffer
	b.WriteTo(&buf)
	f, _ := Parse(buf.Bytes(), "t.gguf")
	if got, _ := f.Int32s("s"); got[0] != 1 {
		t.Errorf("Set kept the caller's slice: %v", got)
	}
}

func TestSetPanicsOnUnsupported(t *testing.T) {
	for _, v := range []any{1, []int{1}, nil, struct{}{}, []Value{{}}, Value{}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Set(%#v) did not panic", v)
				}
			}()
			NewBuilder().Set("k", v)
		}()
	}
}

func TestAddTensorErrors(t *testing.T) {
	long := string(bytes.Repeat([]byte("x"), MaxNameBytes+1))
	for _, c := range []struct {
		name string
		typ  tensor.Type
		dims []int64
		size int
	}{
		{"", tensor.F32, []int64{1}, 4},
		{long, tensor.F32, []int64{1}, 4},
		{"dup", tensor.F32, []int64{1}, 4},
		{"unknown", tensor.Type(99), []int64{1}, 4},
		{"nodims", tensor.F32, nil, 4},
		{"fivedims", tensor.F32, []int64{1, 1, 1, 1, 1}, 4},
		{"negative", tensor.F32, []int64{-1}, 4},
		{"overflow", tensor.F32, []int64{1 << 40, 1 << 40}, 4},
		{"block", tensor.Q8_0, []int64{16}, 17},
		{"short", tensor.F32, []int64{4}, 12},
	} {
		b := NewBuilder()
		if err := b.AddTensor("dup", tensor.F32, []int64{1}, make([]byte, 4)); err != nil {
			t.Fatal(err)
		}
		if err := b.AddTensor(c.name, c.typ, c.dims, make([]byte, c.size)); err == nil {
			t.Errorf("AddTensor(%q, %v, %v) succeeded", c.name, c.typ, c.dims)
		}
	}
}

func TestBadAlignmentNotWritten(t *testing.T) {
	for _, a := range []any{uint32(0), uint32(48), "32", int32(-32)} {
		b := NewBuilder()
		b.Set(KeyAlignment, a)
		if _, err := b.WriteTo(&bytes.Buffer{}); err == nil {
			t.Errorf("alignment %v: written", a)
		}
	}
}

func TestWriteFileKeepsOldOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := NewBuilder()
	b.Set(KeyAlignment, uint32(3))
	if err := b.WriteFile(path); err == nil {
		t.Fatal("bad alignment written")
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file now %q", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%d files left behind", len(entries))
	}
	b.Set(KeyAlignment, uint32(32))
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", fi.Mode())
	}
}
