//go:build !purego

package kernels

// dotF16Rows4 computes four rows of halves at stride bytes against the
// halves x, n a multiple of 8:
//
//	for r := range 4 {
//		out[r] = DotF16F16(w[r*stride:], x, n)
//	}
//
//go:noescape
func dotF16Rows4(w *byte, stride int, x *byte, n int, out *float32)

// f16AXPY updates n halves of acc (n a multiple of 8):
//
//	for j := range n {
//		acc[j] = F32ToF16(fmaf(F16ToF32(v[j]), s, F16ToF32(acc[j])))
//	}
//
//go:noescape
func f16AXPY(acc *uint16, v *uint16, s float32, n int)

// f16Scale scales n halves of acc (n a multiple of 8):
//
//	for j := range n {
//		acc[j] = F32ToF16(F16ToF32(acc[j]) * s)
//	}
//
//go:noescape
func f16Scale(acc *uint16, s float32, n int)

func dotRowsF16(out []float32, w []byte, stride int, x []byte, n int) {
	r := 0
	if hasAVX2 && n > 0 && n%8 == 0 {
		for ; r+4 <= len(out); r += 4 {
			dotF16Rows4(&w[r*stride], stride, &x[0], n, &out[r])
		}
	}
	for ; r < len(out); r++ {
		out[r] = DotF16F16(w[r*stride:], x, n)
	}
}

func accumulateF16(acc, v []uint16, s float32) {
	n := len(acc) &^ 7
	if hasAVX2 && n > 0 {
		f16AXPY(&acc[0], &v[0], s, n)
	} else {
		n = 0
	}
	accumulateF16Ref(acc[n:], v[n:], s)
}

func scaleF16(acc []uint16, s float32) {
	n := len(acc) &^ 7
	if hasAVX2 && n > 0 {
		f16Scale(&acc[0], s, n)
	} else {
		n = 0
	}
	scaleF16Ref(acc[n:], s)
}
