package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestF16RoundTripAllValues(t *testing.T) {
	for h := range 1 << 16 {
		f := F16ToF32(uint16(h))
		got := F32ToF16(f)
		if f != f { // NaN: any quiet NaN of the same sign
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 || got&0x8000 != uint16(h)&0x8000 {
				t.Fatalf("NaN %#04x -> %#04x", h, got)
			}
			continue
		}
		if got != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%#04x) = %g) = %#04x", h, f, got)
		}
	}
}

func TestF16ToF32Values(t *testing.T) {
	for _, tc := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 0x1p-24},
		{0x03ff, 1023 * 0x1p-24}, {0x0400, 0x1p-14}, {0x3555, 0.333251953125},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	} {
		if got := F16ToF32(tc.h); got != tc.want {
			t.Errorf("F16ToF32(%#04x) = %g, want %g", tc.h, got, tc.want)
		}
	}
	if got := math.Float32bits(F16ToF32(0x8000)); got != 0x80000000 {
		t.Errorf("F16ToF32(-0) bits %#x", got)
	}
}

// TestF32ToF16Nearest checks on random float32 values, of every magnitude
// the format covers, that the result is the nearest half (ties to even).
func TestF32ToF16Nearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		// exponents from 2^-26 to 2^16, so subnormals, rounding to zero and
		// overflow all occur.
		f := float32(math.Ldexp(r.Float64()+0.5, r.IntN(43)-26))
		if r.IntN(2) == 0 {
			f = -f
		}
		if r.IntN(8) == 0 { // exact ties between two halves
			h := F32ToF16(f)
			f = (F16ToF32(h) + F16ToF32(h+1)) / 2
		}
		checkNearestF16(t, f)
	}
	for _, f := range []float32{65504, 65519.99, 65520, 0x1p-25, 0x1.0001p-25, 0x1p-24, 1.5 * 0x1p-24} {
		checkNearestF16(t, f)
	}
}

func checkNearestF16(t *testing.T, f float32) {
	t.Helper()
	h := F32ToF16(f)
	got := float64(F16ToF32(h))
	if math.IsInf(got, 0) {
		if math.Abs(float64(f)) < 65520 {
			t.Fatalf("F32ToF16(%g) overflowed", f)
		}
		return
	}
	if math.Abs(float64(f)) >= 65520 {
		t.Fatalf("F32ToF16(%g) = %g, want infinity", f, got)
	}
	err := math.Abs(got - float64(f))
	for _, n := range []uint16{h - 1, h + 1} {
		if n&0x7c00 == 0x7c00 || (n^h)&0x8000 != 0 {
			continue
		}
		e := math.Abs(float64(F16ToF32(n)) - float64(f))
		if e < err || (e == err && h&1 == 1) {
			t.Fatalf("F32ToF16(%g) = %#04x (%g), but %#04x (%g) is nearer or even", f, h, got, n, F16ToF32(n))
		}
	}
}

func TestBF16(t *testing.T) {
	for _, tc := range []struct {
		f    uint32 // float32 bits
		want uint16
	}{
		{0x3f800000, 0x3f80},
		{0x3f808000, 0x3f80}, // tie, even stays
		{0x3f818000, 0x3f82}, // tie, odd rounds up
		{0x3f808001, 0x3f81},
		{0x7f7fffff, 0x7f80}, // rounds to infinity
		{0x00000001, 0x0000}, // subnormal kept (rounds to zero here)
		{0x00018000, 0x0002}, // subnormal tie to even
		{0x7fc00000, 0x7fc0},
		{0x7f800001, 0x7fc0}, // signalling NaN made quiet
		{0xff800000, 0xff80},
	} {
		if got := F32ToBF16(math.Float32frombits(tc.f)); got != tc.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", tc.f, got, tc.want)
		}
	}
	for h := range 1 << 16 {
		f := BF16ToF32(uint16(h))
		if f == f && F32ToBF16(f) != uint16(h) {
			t.Fatalf("bf16 %#04x does not round-trip", h)
		}
	}
}

func TestNearestInt(t *testing.T) {
	for _, tc := range []struct {
		f    float32
		want int32
	}{
		{0, 0}, {0.5, 0}, {1.5, 2}, {2.5, 2}, {-0.5, 0}, {-1.5, -2}, {-2.5, -2},
		{0.49999997, 0}, {3.7, 4}, {-3.7, -4}, {4194303, 4194303}, {-4194303, -4194303},
	} {
		if got := nearestInt(tc.f); got != tc.want {
			t.Errorf("nearestInt(%g) = %d, want %d", tc.f, got, tc.want)
		}
	}
}

// TestF16ToF32AllValues compares every half with an arithmetic decoding.
func TestF16ToF32AllValues(t *testing.T) {
	for h := range 1 << 16 {
		e := h >> 10 & 0x1f
		m := float64(h & 0x3ff)
		var want float64
		switch e {
		case 0:
			want = m * 0x1p-24
		case 0x1f:
			want = math.Inf(1)
			if m != 0 {
				want = math.NaN()
			}
		default:
			want = (1 + m/1024) * math.Ldexp(1, e-15)
		}
		if h&0x8000 != 0 {
			want = -want
		}
		got := F16ToF32(uint16(h))
		if math.IsNaN(want) {
			if got == got || math.Float32bits(got)&0x7fffff != uint32(h&0x3ff)<<13 {
				t.Fatalf("F16ToF32(%#04x) = %g, want NaN with its payload", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("F16ToF32(%#04x) = %g, want %g", h, got, want)
		}
	}
}
