//go:build !purego

package kernels

// dotF16Group computes rows of n halves at stride bytes against heads
// float32 queries of n values each, n a positive multiple of 32, each row
// loaded and widened once per three queries:
//
//	for r := range rows {
//		for h := range heads {
//			out[h*rows+r] = dotF16Q(w[r*stride:], q[h*n:(h+1)*n], n)
//		}
//	}
//
//go:noescape
func dotF16Group(w *byte, stride int, q *float32, n int, out *float32, rows, heads int)

func dotRowsF16Group(out []float32, w []byte, stride int, q []float32, n, heads, rows int) {
	if hasAVX2 && n%32 == 0 {
		dotF16Group(&w[0], stride, &q[0], n, &out[0], rows, heads)
		return
	}
	dotRowsF16GroupRef(out, w, stride, q, n, heads, rows)
}

// f16OnlineGroup updates heads F16 accumulators of hd halves each (hd a
// positive multiple of 64, npos positive, stride in bytes), each value
// row widened once for all heads:
//
//	for t := range npos {
//		for h := range heads {
//			a := acc[h*hd : (h+1)*hd]
//			if m := ms[h*npos+t]; m != 1 {
//				scaleF16Ref(a, m)
//			}
//			accumulateF16Ref(a, v[t*stride/2:], vs[h*npos+t])
//		}
//	}
//
//go:noescape
func f16OnlineGroup(acc, v *uint16, stride int, ms, vs *float32, npos, heads, hd int)

func attendF16Group(acc, v []uint16, stride int, ms, vs []float32, heads, hd, npos int) {
	if hasAVX2 && hd%64 == 0 {
		f16OnlineGroup(&acc[0], &v[0], 2*stride, &ms[0], &vs[0], npos, heads, hd)
		return
	}
	if hasAVX2 && hd%8 == 0 {
		for h := range heads {
			f16Online(&acc[h*hd], &v[0], 2*stride, &ms[h*npos], &vs[h*npos], npos, hd)
		}
		return
	}
	attendF16GroupRef(acc, v, stride, ms, vs, heads, hd, npos)
}
