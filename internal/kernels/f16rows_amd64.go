//go:build !purego

package kernels

// dotF16Heads computes the float32 part of DotF16F16 (dotF16Head) for
// an even number of rows of halves at stride bytes against the halves x,
// np a positive multiple of 32:
//
//	for r := range rows {
//		out[r] = dotF16Head(w[r*stride:], x, np)
//	}
//
//go:noescape
func dotF16Heads(w *byte, stride int, x *byte, np int, out *float32, rows int)

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

// dotF16BatchRows computes rows of halves at stride bytes against the
// halves x, n a positive multiple of 8:
//
//	for r := range rows {
//		out[r] = DotF16F16Batch(w[r*stride:], x, n)
//	}
//
//go:noescape
func dotF16BatchRows(w *byte, stride int, x *byte, n int, out *float32, rows int)

func dotRowsF16Batch(out []float32, w []byte, stride int, x []byte, n int) {
	if hasAVX2 && n > 0 && len(out) > 0 {
		dotF16BatchRows(&w[0], stride, &x[0], n, &out[0], len(out))
		return
	}
	dotRowsF16BatchRef(out, w, stride, x, n)
}

// f16Online is attendF16Ref for hd a positive multiple of 8 (stride in
// bytes).
//
//go:noescape
func f16Online(acc *uint16, v *uint16, stride int, ms, vs *float32, n, hd int)

func attendF16(acc, v []uint16, stride int, ms, vs []float32) {
	if hasAVX2 && len(acc) > 0 && len(acc)%8 == 0 && len(ms) > 0 {
		f16Online(&acc[0], &v[0], 2*stride, &ms[0], &vs[0], len(ms), len(acc))
		return
	}
	attendF16Ref(acc, v, stride, ms, vs)
}

func dotRowsF16(out []float32, w []byte, stride int, x []byte, n int) {
	np := n &^ 31
	r := 0
	if hasAVX2 && np > 0 {
		r = len(out) &^ 1
		if r > 0 {
			dotF16Heads(&w[0], stride, &x[0], np, &out[0], r)
		}
		if np < n {
			for i := range r {
				out[i] = dotF16Tail(out[i], w[i*stride:], x, np, n)
			}
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
