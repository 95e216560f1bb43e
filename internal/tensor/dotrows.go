package tensor

import "github.com/atelier-dev/atelier/internal/kernels"

// DotRows sets out[r] = Dot(t, n, w[r*stride:r*stride+rowBytes], x) for
// every r of out: one activation row x (of type DotType(t)) against
// len(out) weight rows of n elements spaced stride bytes apart. For the
// common types a kernel computes several rows per pass over x: the F32 and
// F16 kernels give Dot's results bit for bit; the Q8_0, Q4_0, Q5_0, Q4_K
// and Q6_K kernels compute each block's integer sum exactly but add the
// blocks' float terms in llama.cpp's order rather than Dot's, so they agree
// with it to float rounding (within 1e-5 of the terms' magnitudes). It
// panics on sizes that do not fit.
func DotRows(t Type, n int, out []float32, w []byte, stride int, x []byte) {
	rb := rowBytes(t, n)
	checkRow("DotRows", DotType(t), n, len(x))
	switch t {
	case Q8_0:
		kernels.DotRowsQ8_0(out, w, stride, x, n/kernels.QK8_0)
		return
	case Q4_0:
		kernels.DotRowsQ4_0(out, w, stride, x, n/kernels.QK4_0)
		return
	case Q5_0:
		kernels.DotRowsQ5_0(out, w, stride, x, n/kernels.QK5_0)
		return
	case Q4_K:
		kernels.DotRowsQ4K(out, w, stride, x, n/kernels.QK_K)
		return
	case Q6_K:
		kernels.DotRowsQ6K(out, w, stride, x, n/kernels.QK_K)
		return
	case F16:
		kernels.DotRowsF16(out, w, stride, x, n)
		return
	}
	for r := range out {
		out[r] = Dot(t, n, w[r*stride:r*stride+rb], x)
	}
}

// DotTile computes a block of a matrix product: for token i < tokens and
// row r < rows, out[i*outStride+r] = Dot(t, n, row r of w, token i of x),
// the weight rows stride bytes apart and the activation rows (of type
// DotType(t)) xStride bytes apart, with DotRows's arithmetic; the common
// types run kernels that keep the weights in the cache while the tokens
// pass; scratch (may be nil) is memory they may use, one per goroutine. F32
// and F16 weights against two or more tokens are the
// exception: they are summed as llama.cpp's tinyBLAS sums a batch
// (kernels.DotF32F32Batch, kernels.DotF16F16Batch) when n is a multiple of
// 8. It panics on sizes that do not fit.
func DotTile(t Type, n int, out []float32, outStride int, w []byte, stride, rows int, x []byte, xStride, tokens int, scratch *kernels.TileScratch) {
	rowBytes(t, n)
	tile := kernels.Tile{Out: out, OutStride: outStride, W: w, Stride: stride, Rows: rows, X: x, XStride: xStride, Tokens: tokens, Scratch: scratch}
	switch t {
	case Q8_0:
		kernels.DotTileQ8_0(&tile, n/kernels.QK8_0)
	case Q4_0:
		kernels.DotTileQ4_0(&tile, n/kernels.QK4_0)
	case Q5_0:
		kernels.DotTileQ5_0(&tile, n/kernels.QK5_0)
	case Q4_K:
		kernels.DotTileQ4K(&tile, n/kernels.QK_K)
	case Q6_K:
		kernels.DotTileQ6K(&tile, n/kernels.QK_K)
	case F16:
		if tokens > 1 && n%8 == 0 {
			// Likewise for F16 weights (the activations rounded to F16).
			for i := range tokens {
				kernels.DotRowsF16Batch(out[i*outStride:i*outStride+rows], w[:(rows-1)*stride+2*n], stride, x[i*xStride:i*xStride+2*n], n)
			}
			return
		}
		xb := rowBytes(F16, n)
		for i := range tokens {
			kernels.DotRowsF16(out[i*outStride:i*outStride+rows], w[:(rows-1)*stride+xb], stride, x[i*xStride:i*xStride+xb], n)
		}
	case F32:
		if tokens > 1 && n%8 == 0 {
			// llama.cpp multiplies a batch of F32 activations with its
			// tinyBLAS kernel, whose float order differs from one token's.
			for i := range tokens {
				for r := range rows {
					out[i*outStride+r] = kernels.DotF32F32Batch(w[r*stride:r*stride+4*n], x[i*xStride:i*xStride+4*n], n)
				}
			}
			return
		}
		fallthrough
	default:
		xb := rowBytes(DotType(t), n)
		for i := range tokens {
			DotRows(t, n, out[i*outStride:i*outStride+rows], w[:(rows-1)*stride+rowBytes(t, n)], stride, x[i*xStride:i*xStride+xb])
		}
	}
}
