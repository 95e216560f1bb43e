package tensor

import "github.com/atelier-dev/atelier/internal/kernels"

// DotRows sets out[r] = Dot(t, n, w[r*stride:r*stride+rowBytes], x) for
// every r of out: one activation row x (of type DotType(t)) against
// len(out) weight rows of n elements spaced stride bytes apart. The
// results equal Dot's bit for bit; for the common types a kernel computes
// several rows per pass over x. It panics on sizes that do not fit.
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
