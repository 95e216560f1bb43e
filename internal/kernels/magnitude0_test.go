package kernels

import (
	"encoding/binary"
	"math"
)

// The kernels of the 32-element block types (Q8_0, Q4_0, Q5_0) sum each
// block exactly in integers and add the blocks' float terms with fused
// multiply-adds in llama.cpp's order, so they too are compared with the
// reference up to closeTo's tolerance.

// mag0 returns Σ |dw·dx·q·x| over nblocks blocks of wBlock bytes whose
// signed quant j is quant(wb, j).
func mag0(w, x []byte, nblocks, wBlock int, quant func(wb []byte, j int) int) float64 {
	var mag float64
	for i := range nblocks {
		wb := w[i*wBlock : (i+1)*wBlock]
		xb := x[i*BlockQ8_0 : (i+1)*BlockQ8_0]
		d := math.Abs(float64(f16at(wb, 0)) * float64(f16at(xb, 0)))
		var s float64
		for j := range 32 {
			s += math.Abs(float64(quant(wb, j)) * float64(int8(xb[2+j])))
		}
		mag += d * s
	}
	return mag
}

func magQ8_0(w, x []byte, nblocks int) float64 {
	return mag0(w, x, nblocks, BlockQ8_0, func(wb []byte, j int) int { return int(int8(wb[2+j])) })
}

func magQ4_0(w, x []byte, nblocks int) float64 {
	return mag0(w, x, nblocks, BlockQ4_0, func(wb []byte, j int) int {
		if j < 16 {
			return int(wb[2+j]&15) - 8
		}
		return int(wb[2+j-16]>>4) - 8
	})
}

func magQ5_0(w, x []byte, nblocks int) float64 {
	return mag0(w, x, nblocks, BlockQ5_0, func(wb []byte, j int) int {
		qh := binary.LittleEndian.Uint32(wb[2:6])
		q := int(wb[6+j%16] & 15)
		if j >= 16 {
			q = int(wb[6+j-16] >> 4)
		}
		return q | int(qh>>j&1)<<4 - 16
	})
}
