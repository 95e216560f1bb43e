package kernels

import "encoding/binary"

// Q5_1: blocks of 32 weights, 24 bytes: d (f16), m (f16), qh (4 bytes),
// qs[16], laid out as in Q5_0; x = d·q + m.

// QK5_1 and BlockQ5_1 are the elements and bytes of one Q5_1 block.
const (
	QK5_1     = 32
	BlockQ5_1 = 8 + QK5_1/2
)

// QuantizeQ5_1 encodes src as quantize_row_q5_1_ref: m = min,
// d = (max−min)/31, q = trunc((x−m)/d + 0.5).
func QuantizeQ5_1(dst []byte, src []float32) {
	nb := len(src) / QK5_1
	dst = dst[:nb*BlockQ5_1]
	for i := range nb {
		x := src[i*QK5_1 : i*QK5_1+QK5_1 : i*QK5_1+QK5_1]
		y := dst[i*BlockQ5_1 : i*BlockQ5_1+BlockQ5_1 : i*BlockQ5_1+BlockQ5_1]
		lo, hi := minMax(x)
		d := (hi - lo) / 31
		var id float32
		if d != 0 {
			id = 1 / d
		}
		put16(y, 0, F32ToF16(d))
		put16(y, 2, F32ToF16(lo))
		var qh uint32
		for j := range QK5_1 / 2 {
			q0 := uint32(uint8(float32((x[j]-lo)*id) + 0.5))
			q1 := uint32(uint8(float32((x[j+16]-lo)*id) + 0.5))
			y[8+j] = byte(q0&0xf) | byte(q1&0xf)<<4
			qh |= (q0 >> 4 & 1) << j
			qh |= (q1 >> 4 & 1) << (j + 16)
		}
		binary.LittleEndian.PutUint32(y[4:8], qh)
	}
}

// DequantizeQ5_1 decodes len(dst) values from src.
func DequantizeQ5_1(dst []float32, src []byte) {
	nb := len(dst) / QK5_1
	src = src[:nb*BlockQ5_1]
	for i := range nb {
		b := src[i*BlockQ5_1 : i*BlockQ5_1+BlockQ5_1 : i*BlockQ5_1+BlockQ5_1]
		y := dst[i*QK5_1 : i*QK5_1+QK5_1 : i*QK5_1+QK5_1]
		d, m := f16at(b, 0), f16at(b, 2)
		qh := binary.LittleEndian.Uint32(b[4:8])
		for j := range 16 {
			q := b[8+j]
			q0 := uint32(q&0xf) | (qh>>j&1)<<4
			q1 := uint32(q>>4) | (qh>>(j+16)&1)<<4
			y[j] = float32(float32(q0)*d) + m
			y[j+16] = float32(float32(q1)*d) + m
		}
	}
}

// DotQ5_1Q8_1 returns the dot product of nblocks Q5_1 blocks w with Q8_1
// blocks x as ggml_vec_dot_q5_1_q8_1: per block (dw·dx)·sumi + m·s.
func DotQ5_1Q8_1(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ5_1]
	x = x[:nblocks*BlockQ8_1]
	var sum float32
	for i := range nblocks {
		wb := w[i*BlockQ5_1 : i*BlockQ5_1+BlockQ5_1 : i*BlockQ5_1+BlockQ5_1]
		xb := x[i*BlockQ8_1 : i*BlockQ8_1+BlockQ8_1 : i*BlockQ8_1+BlockQ8_1]
		qh := binary.LittleEndian.Uint32(wb[4:8])
		var sumi int32
		for j := range 16 {
			q := wb[8+j]
			q0 := int32(q&0xf) | int32(qh>>j&1)<<4
			q1 := int32(q>>4) | int32(qh>>(j+16)&1)<<4
			sumi += q0*int32(int8(xb[4+j])) + q1*int32(int8(xb[20+j]))
		}
		dd := f16at(wb, 0) * f16at(xb, 0)
		sum += float32(float32(dd*float32(sumi)) + float32(f16at(wb, 2)*f16at(xb, 2)))
	}
	return sum
}
