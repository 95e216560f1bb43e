package kernels

// Q3_K: super-blocks of 256 weights in 16 sub-blocks of 16, 110 bytes:
// hmask[32] (high bit: element 32s+k of half h is bit 4h+s of hmask[k],
// set meaning "no −4"), qs[64] (low two bits, laid out as in Q2_K),
// scales[12] (sixteen 6-bit signed scales, offset by 32), d (f16).
// x = d·(sc−32)·(q − 4·(1−hbit)).

// BlockQ3K is the size in bytes of one Q3_K block.
const BlockQ3K = QK_K/8 + QK_K/4 + 12 + 2

// scaleQ3K unpacks the 6-bit scale of sub-block j (0..15), minus 32.
func scaleQ3K(sc []byte, j int) int32 {
	sc = sc[:12]
	var lo byte
	if j < 8 {
		lo = sc[j] & 0xf
	} else {
		lo = sc[j-8] >> 4
	}
	return int32(lo|(sc[8+j%4]>>(2*(j/4))&3)<<4) - 32
}

// makeQ3 is make_q3_quants with do_rmse: a fit x ≈ scale·(L−nmax) with
// L−nmax in [−nmax, nmax−1] weighted by x², refined element by element.
func makeQ3(nmax int32, x []float32, l []int8) float32 {
	l = l[:len(x)]
	var amax, vmax float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, vmax = a, v
		}
	}
	if amax < groupMaxEps {
		clear(l)
		return 0
	}
	iscale := float32(-nmax) / vmax
	var sumLX, sumL2 float32
	for i, v := range x {
		q := max(-nmax, min(nmax-1, nearestInt(float32(iscale*v))))
		l[i] = int8(q)
		w := float32(v * v)
		sumLX += float32(float32(w*v) * float32(q))
		sumL2 += float32(float32(w*float32(q)) * float32(q))
	}
	for range 5 {
		changed := 0
		for i, v := range x {
			w := float32(v * v)
			li := float32(l[i])
			slx := sumLX - float32(float32(w*v)*li)
			if slx > 0 {
				sl2 := sumL2 - float32(float32(w*li)*li)
				nl := max(-nmax, min(nmax-1, nearestInt(float32(v*sl2)/slx)))
				if nl != int32(l[i]) {
					fl := float32(nl)
					slx += float32(float32(w*v) * fl)
					sl2 += float32(float32(w*fl) * fl)
					if sl2 > 0 && float32(float32(slx*slx)*sumL2) > float32(float32(sumLX*sumLX)*sl2) {
						l[i] = int8(nl)
						sumLX, sumL2 = slx, sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range l {
		l[i] += int8(nmax)
	}
	if sumL2 > 0 {
		return sumLX / sumL2
	}
	return 0
}

// QuantizeQ3K encodes src as quantize_row_q3_K_ref.
func QuantizeQ3K(dst []byte, src []float32) {
	nb := len(src) / QK_K
	dst = dst[:nb*BlockQ3K]
	var (
		l      [QK_K]int8
		scales [16]float32
	)
	for i := range nb {
		x := src[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		y := dst[i*BlockQ3K : i*BlockQ3K+BlockQ3K : i*BlockQ3K+BlockQ3K]
		var maxScale, amax float32
		for j := range 16 {
			scales[j] = makeQ3(4, x[16*j:16*j+16], l[16*j:16*j+16])
			if a := abs32(scales[j]); a > amax {
				amax, maxScale = a, scales[j]
			}
		}
		sc := y[96:108]
		clear(sc)
		if maxScale != 0 {
			iscale := -32 / maxScale
			for j := range 16 {
				v := int8(nearestInt(float32(iscale * scales[j])))
				q := uint8(max(-32, min(31, v)) + 32)
				if j < 8 {
					sc[j] = q & 0xf
				} else {
					sc[j-8] |= (q & 0xf) << 4
				}
				sc[8+j%4] |= (q >> 4) << (2 * (j / 4))
			}
			put16(y, 108, F32ToF16(1/iscale))
		} else {
			put16(y, 108, 0)
		}
		d := f16at(y, 108)
		for j := range 16 {
			ds := d * float32(scaleQ3K(sc, j))
			if ds == 0 {
				continue
			}
			for k := 16 * j; k < 16*j+16; k++ {
				l[k] = int8(max(-4, min(3, nearestInt(x[k]/ds))) + 4)
			}
		}
		hm := y[0:32]
		clear(hm)
		var lu [QK_K]uint8
		for j := range QK_K {
			v := uint8(l[j])
			if v > 3 {
				hm[j%32] |= 1 << (j / 32)
				v -= 4
			}
			lu[j] = v
		}
		packQ2(y[32:96], &lu)
	}
}

// DequantizeQ3K decodes len(dst) values from src.
func DequantizeQ3K(dst []float32, src []byte) {
	nb := len(dst) / QK_K
	src = src[:nb*BlockQ3K]
	for i := range nb {
		b := src[i*BlockQ3K : i*BlockQ3K+BlockQ3K : i*BlockQ3K+BlockQ3K]
		y := dst[i*QK_K : i*QK_K+QK_K : i*QK_K+QK_K]
		d := f16at(b, 108)
		for e := range QK_K {
			h, s, k := e/128, e/32%4, e%32
			q := int32(b[32+32*h+k] >> (2 * s) & 3)
			if b[k]>>(4*h+s)&1 == 0 {
				q -= 4
			}
			y[e] = float32(d*float32(scaleQ3K(b[96:108], e/16))) * float32(q)
		}
	}
}

// DotQ3KQ8K returns the dot product of nblocks Q3_K blocks w with Q8_K
// blocks x as ggml_vec_dot_q3_K_q8_K (generic form: eight integer lanes,
// element index mod 8, scaled per super-block into float32 lane sums).
func DotQ3KQ8K(w, x []byte, nblocks int) float32 {
	w = w[:nblocks*BlockQ3K]
	x = x[:nblocks*BlockQ8_K]
	var sums [8]float32
	for i := range nblocks {
		wb := w[i*BlockQ3K : i*BlockQ3K+BlockQ3K : i*BlockQ3K+BlockQ3K]
		xb := x[i*BlockQ8_K : i*BlockQ8_K+BlockQ8_K : i*BlockQ8_K+BlockQ8_K]
		hm := wb[0:32:32]
		q8 := xb[4 : 4+QK_K : 4+QK_K]
		var aux [8]int32
		for h := range 2 {
			q := wb[32+32*h : 32+32*h+32 : 32+32*h+32]
			for s := range 4 {
				shift, bit := uint(2*s), uint(4*h+s)
				e0 := 128*h + 32*s
				for g := range 2 { // two sub-blocks of 16
					var a [8]int32
					for k := 16 * g; k < 16*g+16; k++ {
						v := int32(q[k] >> shift & 3)
						if hm[k]>>bit&1 == 0 {
							v -= 4
						}
						a[k&7] += v * int32(int8(q8[e0+k]))
					}
					sc := scaleQ3K(wb[96:108], e0/16+g)
					for l := range 8 {
						aux[l] += sc * a[l]
					}
				}
			}
		}
		d := f16at(wb, 108) * f32at(xb, 0)
		for l := range 8 {
			sums[l] += float32(d * float32(aux[l]))
		}
	}
	return kSums(0, &sums)
}
