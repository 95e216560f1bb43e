package kernels

import "encoding/binary"

// Q5_0: blocks of 32 weights, 22 bytes: d (f16), qh (4 bytes: bit j is the
// fifth bit of element j), qs[16] (low four bits, nibbles as in Q4_0);
// x = d·(q−16).

// QK5_0 and BlockQ5_0 are the elements and bytes of one Q5_0 block.
const (
	QK5_0     = 32
	BlockQ5_0 = 6 + QK5_0/2
)

// QuantizeQ5_0 encodes src as quantize_row_q5_0_ref: d is the value of
// largest magnitude divided by −16, q = min(31, trunc(x/d + 16.5)).
func QuantizeQ5_0(dst []byte, src []float32) {
	nb := len(src) / QK5_0
	dst = dst[:nb*BlockQ5_0]
	for i := range nb {
		x := src[i*QK5_0 : i*QK5_0+QK5_0 : i*QK5_0+QK5_0]
		y := dst[i*BlockQ5_0 : i*BlockQ5_0+BlockQ5_0 : i*BlockQ5_0+BlockQ5_0]
		max := signedMax(x)
		d := max / -16
		var id float32
		if d != 0 {
			id = 1 / d
		}
		put16(y, 0, F32ToF16(d))
		var qh uint32
		for j := range QK5_0 / 2 {
			q0 := uint32(min(31, int32(int8(float32(x[j]*id)+16.5))))
			q1 := uint32(min(31, int32(int8(float32(x[j+16]*id)+16.5))))
			y[6+j] = byte(q0&0xf) | byte(q1&0xf)<<4
			qh |= (q0 >> 4 & 1) << j
			qh |= (q1 >> 4 & 1) << (j + 16)
		}
		binary.LittleEndian.PutUint32(y[2:6], qh)
	}
}

// DequantizeQ5_0 decodes len(dst) values from src.
func DequantizeQ5_0(dst []float32, src []byte) {
	nb := len(dst) / QK5_0
	src = src[:nb*BlockQ5_0]
	for i := range nb {
		b := src[i*BlockQ5_0 : i*BlockQ5_0+BlockQ5_0 : i*BlockQ5_0+BlockQ5_0]
		y := dst[i*QK5_0 : i*QK5_0+QK5_0 : i*QK5_0+QK5_0]
		d := f16at(b, 0)
		qh := binary.LittleEndian.Uint32(b[2:6])
		for j := range 16 {
			q := b[6+j]
			q0 := int32(q&0xf) | int32(qh>>j&1)<<4
			q1 := int32(q>>4) | int32(qh>>(j+16)&1)<<4
			y[j] = float32(q0-16) * d
			y[j+16] = float32(q1-16) * d
		}
	}
}

// DotQ5_0Q8_0 returns the dot product of nblocks Q5_0 blocks w with Q8_0
// blocks x as ggml_vec_dot_q5_0_q8_0: per block (dw·dx)·sumi.
func DotQ5_0Q8_0(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ5_0]
	x = x[:nblocks*BlockQ8_0]
	var sum float32
	for i := range nblocks {
		wb := w[i*BlockQ5_0 : i*BlockQ5_0+BlockQ5_0 : i*BlockQ5_0+BlockQ5_0]
		xb := x[i*BlockQ8_0 : i*BlockQ8_0+BlockQ8_0 : i*BlockQ8_0+BlockQ8_0]
		qh := binary.LittleEndian.Uint32(wb[2:6])
		var sumi int32
		for j := range 16 {
			q := wb[6+j]
			q0 := int32(q&0xf) | int32(qh>>j&1)<<4 - 16
			q1 := int32(q>>4) | int32(qh>>(j+16)&1)<<4 - 16
			sumi += q0*int32(int8(xb[2+j])) + q1*int32(int8(xb[18+j]))
		}
		sum += float32(float32(f16at(wb, 0)*f16at(xb, 0)) * float32(sumi))
	}
	return sum
}
