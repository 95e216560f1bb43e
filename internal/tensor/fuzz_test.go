package tensor

import (
	"encoding/binary"
	"math"
	"testing"
)

// The fuzz targets feed each Dot raw weight bytes (any bit pattern, only
// with the float scale fields made finite) and activations quantized from
// fuzzed floats, and compare the result with the float64 dot product of
// the decoded rows. The committed seed corpora are in testdata/fuzz.

// layout gives, per weight type, the offsets in a block of the f16 scale
// fields, of the main scale d and of the minimum (−1: none).
var layouts = map[Type]struct {
	f16       []int
	d, minOff int
}{
	Q8_0: {[]int{0}, 0, -1},
	Q4_0: {[]int{0}, 0, -1},
	Q5_0: {[]int{0}, 0, -1},
	Q4_1: {[]int{0, 2}, 0, 2},
	Q5_1: {[]int{0, 2}, 0, 2},
	Q2_K: {[]int{80, 82}, 80, 82},
	Q3_K: {[]int{108}, 108, -1},
	Q4_K: {[]int{0, 2}, 0, 2},
	Q5_K: {[]int{0, 2}, 0, 2},
	Q6_K: {[]int{208}, 208, -1},
}

// sanitize makes the float fields of raw weights finite and moderate.
func sanitize(t Type, w []byte) {
	switch t {
	case F32:
		for i := 0; i+4 <= len(w); i += 4 {
			if v := binary.LittleEndian.Uint32(w[i:]); v>>23&0xff >= 0x90 {
				binary.LittleEndian.PutUint32(w[i:], v&^(1<<30))
			}
		}
		return
	case F16:
		for i := 0; i+2 <= len(w); i += 2 {
			if v := binary.LittleEndian.Uint16(w[i:]); v&0x7c00 == 0x7c00 {
				binary.LittleEndian.PutUint16(w[i:], v&^0x4000)
			}
		}
		return
	case BF16:
		for i := 0; i+2 <= len(w); i += 2 {
			if v := binary.LittleEndian.Uint16(w[i:]); v>>7&0xff >= 0x90 {
				binary.LittleEndian.PutUint16(w[i:], v&^0x4000)
			}
		}
		return
	}
	bb := t.BlockBytes()
	for b := 0; b+bb <= len(w); b += bb {
		for _, off := range layouts[t].f16 {
			if v := binary.LittleEndian.Uint16(w[b+off:]); v&0x7c00 == 0x7c00 {
				binary.LittleEndian.PutUint16(w[b+off:], v&^0x4000)
			}
		}
	}
}

// termMagnitudes returns |scale term| + |min term| of each decoded weight,
// so that the tolerance follows the sizes of the terms ggml adds, not
// their (possibly cancelling) sum.
func termMagnitudes(t *testing.T, typ Type, w []byte, n int) []float64 {
	full := mustDequantize(t, typ, w, n)
	mag := make([]float64, n)
	lay, ok := layouts[typ]
	if !ok || lay.minOff < 0 {
		for i, v := range full {
			mag[i] = math.Abs(float64(v))
		}
		return mag
	}
	bb := typ.BlockBytes()
	zero := func(off int) []float32 {
		c := append([]byte(nil), w...)
		for b := 0; b+bb <= len(c); b += bb {
			c[b+off], c[b+off+1] = 0, 0
		}
		return mustDequantize(t, typ, c, n)
	}
	scaleOnly, minOnly := zero(lay.minOff), zero(lay.d)
	for i := range mag {
		mag[i] = math.Abs(float64(scaleOnly[i])) + math.Abs(float64(minOnly[i]))
	}
	return mag
}

func fuzzDot(f *testing.F, typ Type) {
	f.Add(uint8(0), []byte{1, 2, 3, 250, 0x3c, 0x00}, []byte{7, 200, 13, 99})
	f.Add(uint8(3), []byte{0xff, 0x7b, 0x10, 0x80, 0x55}, []byte{0x80, 0x00, 0x7f, 0xff})
	f.Fuzz(func(t *testing.T, nb uint8, wraw, xraw []byte) {
		n := (1 + int(nb%4)) * typ.BlockSize()
		if typ.BlockSize() == 1 {
			n = 1 + int(nb)
		}
		w := make([]byte, rowBytes(typ, n))
		if len(wraw) > 0 {
			for i := range w {
				w[i] = wraw[i%len(wraw)] ^ byte(i/len(wraw)*31)
			}
		}
		sanitize(typ, w)
		x := make([]float32, n)
		if len(xraw) > 1 {
			for i := range x {
				j := 2 * i % (len(xraw) - 1)
				x[i] = float32(int16(binary.LittleEndian.Uint16(xraw[j:]))+int16(i)) / 256
			}
		}
		dt := DotType(typ)
		xq := make([]byte, rowBytes(dt, n))
		if err := QuantizeActivations(dt, xq, x); err != nil {
			t.Fatal(err)
		}
		wf := mustDequantize(t, typ, w, n)
		xf := mustDequantize(t, dt, xq, n)
		mag := termMagnitudes(t, typ, w, n)
		var want, abs float64
		for i := range wf {
			want += float64(wf[i]) * float64(xf[i])
			abs += mag[i] * math.Abs(float64(xf[i]))
		}
		got := Dot(typ, n, w, xq)
		if tol := dotTolerance(typ, n, w, xq, abs); math.Abs(float64(got)-want) > tol {
			t.Errorf("n=%d: Dot = %g, decoded rows give %g (|diff| %g > %g)", n, got, want, math.Abs(float64(got)-want), tol)
		}
	})
}

func FuzzDotF32(f *testing.F)  { fuzzDot(f, F32) }
func FuzzDotF16(f *testing.F)  { fuzzDot(f, F16) }
func FuzzDotBF16(f *testing.F) { fuzzDot(f, BF16) }
func FuzzDotQ8_0(f *testing.F) { fuzzDot(f, Q8_0) }
func FuzzDotQ4_0(f *testing.F) { fuzzDot(f, Q4_0) }
func FuzzDotQ4_1(f *testing.F) { fuzzDot(f, Q4_1) }
func FuzzDotQ5_0(f *testing.F) { fuzzDot(f, Q5_0) }
func FuzzDotQ5_1(f *testing.F) { fuzzDot(f, Q5_1) }
func FuzzDotQ2_K(f *testing.F) { fuzzDot(f, Q2_K) }
func FuzzDotQ3_K(f *testing.F) { fuzzDot(f, Q3_K) }
func FuzzDotQ4_K(f *testing.F) { fuzzDot(f, Q4_K) }
func FuzzDotQ5_K(f *testing.F) { fuzzDot(f, Q5_K) }
func FuzzDotQ6_K(f *testing.F) { fuzzDot(f, Q6_K) }
