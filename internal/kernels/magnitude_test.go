package kernels

import "math"

// The K-quant kernels sum each super-block exactly in integers but add the
// super-blocks' float32 terms in their own order, so they are compared
// with the reference up to a tolerance: relative 1e-5 of the sum of the
// magnitudes of the float terms (a handful of float32 roundings per term
// at most), plus a tiny absolute slack for subnormal scales.

const (
	reorderRel = 1e-5
	reorderAbs = 1e-35
	// reorderMax is the magnitude beyond which float32 may overflow in one
	// order and not in another; such rows are not compared.
	reorderMax = 1e30
)

// closeTo reports whether got is within tolerance of want for terms whose
// magnitudes sum to mag.
func closeTo(got, want float32, mag float64) bool {
	if mag > reorderMax || math.IsNaN(mag) {
		return true
	}
	return math.Abs(float64(got)-float64(want)) <= reorderRel*mag+reorderAbs
}

// magQ4K returns Σ |d·dx·sc·q·x| + |dmin·dx·m·x| over nblocks blocks.
func magQ4K(w, x []byte, nblocks int) float64 {
	var mag float64
	for i := range nblocks {
		wb := w[i*BlockQ4K : (i+1)*BlockQ4K]
		xb := x[i*BlockQ8_K : (i+1)*BlockQ8_K]
		dx := math.Abs(float64(f32at(xb, 0)))
		d := math.Abs(float64(f16at(wb, 0))) * dx
		dmin := math.Abs(float64(f16at(wb, 2))) * dx
		for e := range QK_K {
			sub := e / 32
			sc, m := scaleMinK4(sub, wb[4:16])
			b := wb[16+32*(sub/2)+e%32]
			q := b & 0xf
			if sub%2 == 1 {
				q = b >> 4
			}
			ax := math.Abs(float64(int8(xb[4+e])))
			mag += d*float64(sc)*float64(q)*ax + dmin*float64(m)*ax
		}
	}
	return mag
}

// magQ6K returns Σ |d·dx·sc·(q−32)·x| over nblocks blocks.
func magQ6K(w, x []byte, nblocks int) float64 {
	var mag float64
	for i := range nblocks {
		wb := w[i*BlockQ6K : (i+1)*BlockQ6K]
		xb := x[i*BlockQ8_K : (i+1)*BlockQ8_K]
		d := math.Abs(float64(f16at(wb, 208)) * float64(f32at(xb, 0)))
		for h := range 2 {
			ql := wb[64*h : 64*h+64]
			qh := wb[128+32*h : 128+32*h+32]
			for k := range 32 {
				q1, q2, q3, q4 := q6(ql, qh, k)
				for g, q := range [4]int32{q1, q2, q3, q4} {
					e := 128*h + 32*g + k
					sc := float64(int8(wb[192+e/16]))
					mag += d * math.Abs(sc*float64(q)*float64(int8(xb[4+e])))
				}
			}
		}
	}
	return mag
}
