package kernels

import "fmt"

// DotRowsF16 sets out[r] = DotF16F16(w[r*stride:], x, n) for every r of
// out: rows of n halves against one row of n halves (attention's scores
// over an F16 cache, or F16 weights).
func DotRowsF16(out []float32, w []byte, stride int, x []byte, n int) {
	checkRows("DotRowsF16", len(out), w, stride, 2*n, x, 2*n)
	dotRowsF16(out, w, stride, x, n)
}

// DotRowsF16Batch sets out[r] = DotF16F16Batch(w[r*stride:], x, n) for
// every r of out, n a multiple of 8: F16 weight rows against one token of
// a batch, in llama.cpp's tinyBLAS order.
func DotRowsF16Batch(out []float32, w []byte, stride int, x []byte, n int) {
	if n%8 != 0 {
		panic(fmt.Sprintf("kernels: DotRowsF16Batch of %d halves", n))
	}
	checkRows("DotRowsF16Batch", len(out), w, stride, 2*n, x, 2*n)
	dotRowsF16Batch(out, w, stride, x, n)
}

func dotRowsF16BatchRef(out []float32, w []byte, stride int, x []byte, n int) {
	for r := range out {
		out[r] = DotF16F16Batch(w[r*stride:], x, n)
	}
}

// AttendF16 runs the value updates of llama.cpp's one-query flash
// attention over len(ms) positions: for position t (values v[t*stride:]),
// ScaleF16(acc, ms[t]) unless ms[t] is 1 (which would change nothing),
// then AccumulateF16(acc, v[t*stride:], vs[t]).
func AttendF16(acc, v []uint16, stride int, ms, vs []float32) {
	vs = vs[:len(ms)]
	if n := len(ms); n > 0 && len(v) < (n-1)*stride+len(acc) {
		panic(fmt.Sprintf("kernels: AttendF16: %d positions of %d at stride %d need %d values, have %d", n, len(acc), stride, (n-1)*stride+len(acc), len(v)))
	}
	attendF16(acc, v, stride, ms, vs)
}

func attendF16Ref(acc, v []uint16, stride int, ms, vs []float32) {
	for t, m := range ms {
		if m != 1 {
			scaleF16Ref(acc, m)
		}
		accumulateF16Ref(acc, v[t*stride:t*stride+len(acc)], vs[t])
	}
}

// AccumulateF16 sets acc[j] = F16(v[j]·s + acc[j]) for every j of acc, the
// fused multiply-add in float64 rounded to float32, then to a half: the
// update of an F16 attention accumulator by a value row.
func AccumulateF16(acc, v []uint16, s float32) {
	v = v[:len(acc)]
	accumulateF16(acc, v, s)
}

// ScaleF16 sets acc[j] = F16(acc[j]·s) (in float32) for every j of acc.
func ScaleF16(acc []uint16, s float32) { scaleF16(acc, s) }

func accumulateF16Ref(acc, v []uint16, s float32) {
	for j := range acc {
		acc[j] = F32ToF16(fmaf(F16ToF32(v[j]), s, F16ToF32(acc[j])))
	}
}

func scaleF16Ref(acc []uint16, s float32) {
	for j := range acc {
		acc[j] = F32ToF16(F16ToF32(acc[j]) * s)
	}
}
