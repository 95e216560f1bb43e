package kernels

import "fmt"

// Attention for the query heads that share one KV head (grouped-query
// attention): the keys and values of a position are read once for the
// whole group, while each head's arithmetic stays exactly that of
// DotRowsF16 and AttendF16 for that head alone.

// DotRowsF16Group sets out[h*rows+r], rows = len(out)/heads, to the dot
// product of row r of w (n halves at r*stride bytes) with query h
// (q[h*n:(h+1)*n]) for each of heads queries, summed in DotF16F16's order
// (ggml_vec_dot_f16 in llama.cpp's AVX2 build). With each query a binary16
// value widened to float32 (F16ToF32), out[h*rows+r] is
// DotF16F16(w[r*stride:], x, n) for x the halves of query h.
func DotRowsF16Group(out []float32, w []byte, stride int, q []float32, n, heads int) {
	if heads <= 0 || len(out)%heads != 0 {
		panic(fmt.Sprintf("kernels: DotRowsF16Group: %d outputs for %d heads", len(out), heads))
	}
	rows := len(out) / heads
	if len(q) < heads*n {
		panic(fmt.Sprintf("kernels: DotRowsF16Group: %d heads of %d need %d query values, have %d", heads, n, heads*n, len(q)))
	}
	checkRows("DotRowsF16Group", rows, w, stride, 2*n, nil, 0)
	if rows == 0 || n == 0 {
		clear(out)
		return
	}
	dotRowsF16Group(out, w, stride, q, n, heads, rows)
}

func dotRowsF16GroupRef(out []float32, w []byte, stride int, q []float32, n, heads, rows int) {
	for h := range heads {
		for r := range rows {
			out[h*rows+r] = dotF16Q(w[r*stride:], q[h*n:(h+1)*n], n)
		}
	}
}

// dotF16Q is DotF16F16 with the query widened to float32 beforehand.
func dotF16Q(w []byte, q []float32, n int) float32 {
	w = w[:2*n]
	q = q[:n]
	np := n &^ 31
	var head float32
	if np > 0 {
		var acc [4][8]float32
		for i := 0; i < np; i += 32 {
			for k := range acc {
				for j := range acc[k] {
					o := i + 8*k + j
					acc[k][j] = fmaf(F16ToF32(le16(w, 2*o)), q[o], acc[k][j])
				}
			}
		}
		for j := range 8 {
			acc[0][j] += acc[2][j]
			acc[1][j] += acc[3][j]
			acc[0][j] += acc[1][j]
		}
		head = hsum8h(acc[0])
	}
	s := float64(head)
	for i := np; i < n; i++ {
		s += float64(F16ToF32(le16(w, 2*i)) * q[i])
	}
	return float32(s)
}

// AttendF16Group runs AttendF16 for heads accumulators over the same value
// rows: with hd = len(acc)/heads and npos = len(ms)/heads,
//
//	for h := range heads {
//		AttendF16(acc[h*hd:(h+1)*hd], v, stride, ms[h*npos:(h+1)*npos], vs[h*npos:(h+1)*npos])
//	}
//
// each value row read once for all heads (the heads' updates of a
// position interleaved, each head's own sequence unchanged).
func AttendF16Group(acc, v []uint16, stride int, ms, vs []float32, heads int) {
	if heads <= 0 || len(acc)%heads != 0 || len(ms)%heads != 0 || len(vs) != len(ms) {
		panic(fmt.Sprintf("kernels: AttendF16Group: %d accumulator halves, %d and %d weights for %d heads", len(acc), len(ms), len(vs), heads))
	}
	hd, npos := len(acc)/heads, len(ms)/heads
	if npos == 0 || hd == 0 {
		return
	}
	if len(v) < (npos-1)*stride+hd {
		panic(fmt.Sprintf("kernels: AttendF16Group: %d positions of %d at stride %d need %d values, have %d", npos, hd, stride, (npos-1)*stride+hd, len(v)))
	}
	attendF16Group(acc, v, stride, ms, vs, heads, hd, npos)
}

func attendF16GroupRef(acc, v []uint16, stride int, ms, vs []float32, heads, hd, npos int) {
	for h := range heads {
		attendF16Ref(acc[h*hd:(h+1)*hd], v, stride, ms[h*npos:(h+1)*npos], vs[h*npos:(h+1)*npos])
	}
}
