// Package kernels holds atelier's numeric loops: conversions between float
// formats, the block formats of GGML's quantized types (quantize,
// dequantize, dot products against quantized activations) and the float32
// primitives a transformer needs (dot, RMS norm, softmax, SiLU).
//
// Every function here is a plain-Go reference that reproduces the
// arithmetic of ggml's CPU backend (llama.cpp) step by step: the same
// integer sums per block, the same float32 roundings in the same order,
// float64 where ggml accumulates in ggml_float. Faster versions (assembly
// behind build tags) must agree with these, and are fuzzed against them.
//
// Quantized data is raw little-endian bytes in GGML's block layout, as it
// lies in a GGUF file. Nothing here allocates.
package kernels

import "math"

// F16ToF32 converts an IEEE 754 binary16 value, given by its bits, to
// float32. The conversion is exact. It places the half's exponent and
// mantissa at the bottom of a float32's and multiplies by 2¹¹² (exact, and
// it normalizes subnormals); infinities and NaNs get the all-ones exponent.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	rest := uint32(h&0x7fff) << 13
	if h&0x7c00 == 0x7c00 { // infinity or NaN (payload kept)
		return math.Float32frombits(sign | 0x7f800000 | rest)
	}
	f := math.Float32frombits(rest) * 0x1p112
	return math.Float32frombits(sign | math.Float32bits(f))
}

// F32ToF16 converts f to IEEE 754 binary16 bits, rounding to nearest with
// ties to even, as F16C's VCVTPS2PH and ggml's software conversion do.
// Values too large become infinity; NaN becomes the quiet NaN 0x7e00 with
// f's sign, as in ggml_compute_fp32_to_fp16.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal half (or zero): count units of 2⁻²⁴.
		shift := uint32(126 - exp)
		if shift >= 25 {
			return sign // below half of the smallest subnormal
		}
		m := mant | 0x800000
		q := m >> shift
		r := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if r > half || (r == half && q&1 == 1) {
			q++
		}
		return sign | uint16(q)
	}
	h := uint32(e)<<10 | mant>>13
	r := mant & 0x1fff
	if r > 0x1000 || (r == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, up to infinity: correct
	}
	return sign | uint16(h)
}

// BF16ToF32 converts bfloat16 bits to float32 (exact).
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 converts f to bfloat16 bits as ggml_compute_fp32_to_bf16 does:
// round to nearest, ties to even; subnormals kept; NaN made quiet.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 64
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// le16 and le32 read little-endian values; the compiler turns them into
// single loads.
func le16(b []byte, i int) uint16 { return uint16(b[i]) | uint16(b[i+1])<<8 }

func put16(b []byte, i int, v uint16) {
	b[i] = byte(v)
	b[i+1] = byte(v >> 8)
}

func f16at(b []byte, i int) float32 { return F16ToF32(le16(b, i)) }

func f32at(b []byte, i int) float32 {
	_ = b[i+3]
	return math.Float32frombits(uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24)
}

func putf32(b []byte, i int, f float32) {
	v := math.Float32bits(f)
	_ = b[i+3]
	b[i] = byte(v)
	b[i+1] = byte(v >> 8)
	b[i+2] = byte(v >> 16)
	b[i+3] = byte(v >> 24)
}
