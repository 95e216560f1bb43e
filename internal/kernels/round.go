package kernels

import "math"

// nearestInt rounds f to the nearest integer, ties to even, with ggml's
// trick of adding 1.5×2²³ and reading the mantissa bits (nearest_int in
// ggml-quants.c); valid for |f| ≤ 4194303, as there.
func nearestInt(f float32) int32 {
	v := float32(f + 12582912)
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

// roundAway rounds f half away from zero, as C's roundf.
func roundAway(f float32) int32 { return int32(math.Round(float64(f))) }

// roundEven rounds f half to even, as _mm256_round_ps(v, _MM_ROUND_NEAREST).
func roundEven(f float32) int32 { return int32(math.RoundToEven(float64(f))) }

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

// clampI8 saturates v to the int8 range, as the packs instructions do.
func clampI8(v int32) int8 {
	if v > 127 {
		return 127
	}
	if v < -128 {
		return -128
	}
	return int8(v)
}
