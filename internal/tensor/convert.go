package tensor

import (
	"errors"
	"fmt"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// ErrUnsupported is returned (wrapped) for a type atelier cannot convert.
var ErrUnsupported = errors.New("unsupported tensor type")

// CanCompute reports whether rows of t can be dequantized, quantized and
// multiplied (Dequantize, Quantize, Dot).
func CanCompute(t Type) bool {
	switch t {
	case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K:
		return true
	}
	return false
}

// DotType returns the type that activations are converted to for dot
// products with weights of type t, as ggml's CPU backend does
// (vec_dot_type): the float types pair with themselves, Q8_0, Q4_0 and
// Q5_0 with Q8_0, Q4_1 and Q5_1 with Q8_1, the K-quants with Q8_K. It
// panics when CanCompute(t) is false.
func DotType(t Type) Type {
	switch t {
	case F32, F16, BF16, Q8_0:
		return t
	case Q4_0, Q5_0:
		return Q8_0
	case Q4_1, Q5_1:
		return Q8_1
	case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K:
		return Q8_K
	}
	panic(fmt.Sprintf("tensor: no dot product for type %v", t))
}

// rowBytes returns the bytes of n elements of t, panicking when n is not a
// whole number of blocks.
func rowBytes(t Type, n int) int {
	rb, ok := t.RowBytes(int64(n))
	if !ok {
		panic(fmt.Sprintf("tensor: %d elements are not whole %v blocks of %d", n, t, t.BlockSize()))
	}
	return int(rb)
}

func checkRow(op string, t Type, n, nbytes int) {
	if want := rowBytes(t, n); nbytes != want {
		panic(fmt.Sprintf("tensor: %s: %d elements of %v take %d bytes, got %d", op, n, t, want, nbytes))
	}
}

// Dequantize decodes len(dst) elements of type t from src into dst. src
// must hold exactly those elements (it panics otherwise: a programmer
// error). It returns an error wrapping ErrUnsupported for a type it cannot
// decode. It does not allocate.
func Dequantize(t Type, dst []float32, src []byte) error {
	if !t.Known() || !canDequantize(t) {
		return fmt.Errorf("tensor: dequantize %v: %w", t, ErrUnsupported)
	}
	checkRow("Dequantize", t, len(dst), len(src))
	switch t {
	case F32:
		kernels.DequantizeF32(dst, src)
	case F16:
		kernels.DequantizeF16(dst, src)
	case BF16:
		kernels.DequantizeBF16(dst, src)
	case Q8_0:
		kernels.DequantizeQ8_0(dst, src)
	default:
		dequantizeMore(t, dst, src)
	}
	return nil
}

// Quantize encodes src into dst in type t as llama.cpp does: with ggml's
// reference quantizers (quantize_row_*_ref, those that write model files),
// so the bytes match llama.cpp's for the same input; for the activation-only
// types Q8_1 and Q8_K, with the CPU backend's quantize_row_q8_1 (x86 AVX2
// form) and quantize_row_q8_K. dst must be exactly the row's bytes (it
// panics otherwise). It returns an error wrapping ErrUnsupported for a type
// it cannot encode. It does not allocate.
func Quantize(t Type, dst []byte, src []float32) error {
	if !t.Known() || !canQuantize(t) {
		return fmt.Errorf("tensor: quantize %v: %w", t, ErrUnsupported)
	}
	checkRow("Quantize", t, len(src), len(dst))
	switch t {
	case F32:
		kernels.QuantizeF32(dst, src)
	case F16:
		kernels.QuantizeF16(dst, src)
	case BF16:
		kernels.QuantizeBF16(dst, src)
	case Q8_0:
		kernels.QuantizeQ8_0(dst, src)
	default:
		quantizeMore(t, dst, src)
	}
	return nil
}

// QuantizeActivations encodes activations src into dst in type t (normally
// DotType of a weight type) exactly as ggml's CPU backend does on x86-64
// before a matrix multiplication: for Q8_0 and Q8_1 that is the AVX2
// quantizer (scale 127/amax, rounding half to even), which differs in rare
// roundings from the reference quantizer of model files; for the other
// types it is Quantize. Use it for activations, and Quantize for weights.
func QuantizeActivations(t Type, dst []byte, src []float32) error {
	if t == Q8_0 {
		checkRow("QuantizeActivations", t, len(src), len(dst))
		kernels.QuantizeActQ8_0(dst, src)
		return nil
	}
	return Quantize(t, dst, src)
}

// Dot returns the dot product of n elements: w of type t and x of type
// DotType(t), with the arithmetic of ggml's ggml_vec_dot_<t>_<DotType(t)>
// (scalar form: integer sums per block, scaled and accumulated as ggml
// does). w and x must hold exactly n elements and t must satisfy
// CanCompute; it panics otherwise. It does not allocate.
func Dot(t Type, n int, w, x []byte) float32 {
	dt := DotType(t)
	checkRow("Dot", t, n, len(w))
	checkRow("Dot", dt, n, len(x))
	switch t {
	case F32:
		return kernels.DotF32F32(w, x, n)
	case F16:
		return kernels.DotF16F16(w, x, n)
	case BF16:
		return kernels.DotBF16BF16(w, x, n)
	case Q8_0:
		return kernels.DotQ8_0Q8_0(w, x, n/kernels.QK8_0)
	}
	return dotMore(t, n, w, x)
}
