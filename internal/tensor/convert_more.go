package tensor

import "github.com/atelier-dev/atelier/internal/kernels"

// The 32-element quantized types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_1) and the
// K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K).

func canDequantize(t Type) bool {
	switch t {
	case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K:
		return true
	}
	return false
}

func canQuantize(t Type) bool { return canDequantize(t) }

func dequantizeMore(t Type, dst []float32, src []byte) {
	switch t {
	case Q4_0:
		kernels.DequantizeQ4_0(dst, src)
	case Q4_1:
		kernels.DequantizeQ4_1(dst, src)
	case Q5_0:
		kernels.DequantizeQ5_0(dst, src)
	case Q5_1:
		kernels.DequantizeQ5_1(dst, src)
	case Q8_1:
		kernels.DequantizeQ8_1(dst, src)
	case Q2_K:
		kernels.DequantizeQ2K(dst, src)
	case Q3_K:
		kernels.DequantizeQ3K(dst, src)
	case Q4_K:
		kernels.DequantizeQ4K(dst, src)
	case Q5_K:
		kernels.DequantizeQ5K(dst, src)
	case Q6_K:
		kernels.DequantizeQ6K(dst, src)
	case Q8_K:
		kernels.DequantizeQ8K(dst, src)
	default:
		panic("tensor: dequantize " + t.String() + ": not wired")
	}
}

func quantizeMore(t Type, dst []byte, src []float32) {
	switch t {
	case Q4_0:
		kernels.QuantizeQ4_0(dst, src)
	case Q4_1:
		kernels.QuantizeQ4_1(dst, src)
	case Q5_0:
		kernels.QuantizeQ5_0(dst, src)
	case Q5_1:
		kernels.QuantizeQ5_1(dst, src)
	case Q8_1:
		kernels.QuantizeActQ8_1(dst, src)
	case Q2_K:
		kernels.QuantizeQ2K(dst, src)
	case Q3_K:
		kernels.QuantizeQ3K(dst, src)
	case Q4_K:
		kernels.QuantizeQ4K(dst, src)
	case Q5_K:
		kernels.QuantizeQ5K(dst, src)
	case Q6_K:
		kernels.QuantizeQ6K(dst, src)
	case Q8_K:
		kernels.QuantizeQ8K(dst, src)
	default:
		panic("tensor: quantize " + t.String() + ": not wired")
	}
}

func dotMore(t Type, n int, w, x []byte) float32 {
	switch t {
	case Q4_0:
		return kernels.DotQ4_0Q8_0(w, x, n/kernels.QK4_0)
	case Q4_1:
		return kernels.DotQ4_1Q8_1(w, x, n/kernels.QK4_1)
	case Q5_0:
		return kernels.DotQ5_0Q8_0(w, x, n/kernels.QK5_0)
	case Q5_1:
		return kernels.DotQ5_1Q8_1(w, x, n/kernels.QK5_1)
	case Q2_K:
		return kernels.DotQ2KQ8K(w, x, n/kernels.QK_K)
	case Q3_K:
		return kernels.DotQ3KQ8K(w, x, n/kernels.QK_K)
	case Q4_K:
		return kernels.DotQ4KQ8K(w, x, n/kernels.QK_K)
	case Q5_K:
		return kernels.DotQ5KQ8K(w, x, n/kernels.QK_K)
	case Q6_K:
		return kernels.DotQ6KQ8K(w, x, n/kernels.QK_K)
	}
	panic("tensor: no dot product for type " + t.String())
}
