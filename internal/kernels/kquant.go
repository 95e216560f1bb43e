package kernels

import "math"

// Shared pieces of the K-quants: super-blocks of 256 elements, and the
// scale searches of ggml-quants.c that choose their scales.

// QK_K is the number of elements in one K-quant super-block.
const QK_K = 256

// groupMaxEps is GROUP_MAX_EPS: a group whose largest magnitude is below
// it is all zeros.
const groupMaxEps = 1e-15

func sqrtf(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// makeQKX2 is make_qkx2_quants: it fits x ≈ scale·L + min (min ≤ 0) with
// L in [0, nmax], weighting each element by weights, trying nstep+1 scales
// around nmax/(max−min). It stores L and returns scale and −min. laux is
// scratch of len(x). Every float32 rounding follows ggml's order.
func makeQKX2(nmax int32, x, weights []float32, l, laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, negMin float32) {
	n := len(x)
	weights = weights[:n]
	l = l[:n]
	laux = laux[:n]
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		if x[i] < lo {
			lo = x[i]
		}
		if x[i] > hi {
			hi = x[i]
		}
		sumW += weights[i]
		sumX += float32(weights[i] * x[i])
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		clear(l)
		return 0, -lo
	}
	fmax := float32(nmax)
	iscale := fmax / (hi - lo)
	scale = 1 / iscale
	var bestErr float32
	for i, v := range x {
		q := min(nmax, max(0, nearestInt(float32(iscale*(v-lo)))))
		l[i] = uint8(q)
		diff := float32(float32(float32(scale*float32(q))+lo) - v)
		if useMAD {
			diff = abs32(diff)
		} else {
			diff = float32(diff * diff)
		}
		bestErr += float32(weights[i] * diff)
	}
	if nstep < 1 {
		return scale, -lo
	}
	for is := 0; is <= nstep; is++ {
		iscale = float32(float32(rmin+float32(rdelta*float32(is)))+fmax) / (hi - lo)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			q := min(nmax, max(0, nearestInt(float32(iscale*(v-lo)))))
			laux[i] = uint8(q)
			wl := float32(weights[i] * float32(q))
			sumL += wl
			sumL2 += float32(wl * float32(q))
			sumXL += float32(wl * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var curErr float32
			for i, v := range x {
				diff := float32(float32(float32(thisScale*float32(laux[i]))+thisMin) - v)
				if useMAD {
					diff = abs32(diff)
				} else {
					diff = float32(diff * diff)
				}
				curErr += float32(weights[i] * diff)
			}
			if curErr < bestErr {
				copy(l, laux)
				bestErr = curErr
				scale = thisScale
				lo = thisMin
			}
		}
	}
	return scale, -lo
}

// makeQX is make_qx_quants with rmse_type 1 and no importance weights
// (weights x²): it fits x ≈ scale·(L−nmax) with L−nmax in [−nmax, nmax−1],
// trying 19 scales around −nmax/max, stores L and returns the scale.
func makeQX(nmax int32, x []float32, l []int8) float32 {
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
	fmax := float32(nmax)
	iscale := float32(-nmax) / vmax
	var sumLX, sumL2 float32
	for i, v := range x {
		q := max(-nmax, min(nmax-1, nearestInt(float32(iscale*v))))
		l[i] = int8(q + nmax)
		w := float32(v * v)
		sumLX += float32(float32(w*v) * float32(q))
		sumL2 += float32(float32(w*float32(q)) * float32(q))
	}
	var scale float32
	if sumL2 != 0 {
		scale = sumLX / sumL2
	}
	best := float32(scale * sumLX)
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -float32(fmax+float32(0.1*float32(is))) / vmax
		sumLX, sumL2 = 0, 0
		for _, v := range x {
			q := max(-nmax, min(nmax-1, nearestInt(float32(iscale*v))))
			w := float32(v * v)
			sumLX += float32(float32(w*v) * float32(q))
			sumL2 += float32(float32(w*float32(q)) * float32(q))
		}
		if sumL2 > 0 && float32(sumLX*sumLX) > float32(best*sumL2) {
			for i, v := range x {
				q := max(-nmax, min(nmax-1, nearestInt(float32(iscale*v))))
				l[i] = int8(q + nmax)
			}
			scale = sumLX / sumL2
			best = float32(scale * sumLX)
		}
	}
	return scale
}

// scaleMinK4 unpacks the 6-bit scale and min of sub-block j (0..7) from
// the 12 scale bytes of a Q4_K or Q5_K block (get_scale_min_k4).
func scaleMinK4(j int, q []byte) (sc, m uint8) {
	q = q[:12]
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// packScalesK4 stores 6-bit scales ls and mins lm of the 8 sub-blocks into
// the 12 scale bytes, as quantize_row_q4_K_ref does.
func packScalesK4(q []byte, ls, lm *[8]uint8) {
	q = q[:12]
	clear(q)
	for j := range 8 {
		if j < 4 {
			q[j] = ls[j]
			q[j+4] = lm[j]
		} else {
			q[j+4] = ls[j]&0xf | (lm[j]&0xf)<<4
			q[j-4] |= (ls[j] >> 4) << 6
			q[j] |= (lm[j] >> 4) << 6
		}
	}
}

// quantizeScalesK4 turns the 8 sub-block scales and mins found by
// makeQKX2 into 6-bit integers and the super-block's f16 d and dmin, as the
// Q4_K and Q5_K reference quantizers do, and writes them to
// block[0:16].
func quantizeScalesK4(block []byte, scales, mins *[8]float32) {
	var maxScale, maxMin float32
	for j := range 8 {
		maxScale = max(maxScale, scales[j])
		maxMin = max(maxMin, mins[j])
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := range 8 {
		ls[j] = min(63, uint8(nearestInt(float32(invScale*scales[j]))))
		lm[j] = min(63, uint8(nearestInt(float32(invMin*mins[j]))))
	}
	packScalesK4(block[4:16], &ls, &lm)
	put16(block, 0, F32ToF16(maxScale/63))
	put16(block, 2, F32ToF16(maxMin/63))
}

// requantizeK4 recomputes the quants L of one super-block with the final
// (rounded) scales and mins, as the Q4_K and Q5_K reference quantizers do;
// sub-blocks whose scale is zero keep the L found before.
func requantizeK4(block []byte, x []float32, l *[QK_K]uint8, nmax int32) {
	d, dmin := f16at(block, 0), f16at(block, 2)
	for j := range 8 {
		sc, m := scaleMinK4(j, block[4:16])
		ds := d * float32(sc)
		if ds == 0 {
			continue
		}
		dm := dmin * float32(m)
		for i := 32 * j; i < 32*j+32; i++ {
			l[i] = uint8(min(nmax, max(0, nearestInt((x[i]+dm)/ds))))
		}
	}
}

// subBlockWeightsK4 sets the weights the Q4_K and Q5_K reference quantizers
// give the 32 elements of a sub-block: their RMS plus their magnitude.
func subBlockWeightsK4(w *[32]float32, x []float32) {
	x = x[:32]
	var sumX2 float32
	for _, v := range x {
		sumX2 += float32(v * v)
	}
	avX := sqrtf(sumX2 / 32)
	for i, v := range x {
		w[i] = avX + abs32(v)
	}
}

// kSums finishes a K-quant dot product as ggml's generic code does: the
// eight float32 lane sums are added to the running total at the end.
func kSums(sumf float32, sums *[8]float32) float32 {
	for _, s := range sums {
		sumf += s
	}
	return sumf
}

// quantizeBlockK4 chooses the eight sub-block scales and minimums of one
// Q4_K or Q5_K super-block x (levels 0..nmax, searched from rmin in nstep
// steps, as the reference quantizers do), writes them into the block's
// header y, and leaves the quantized levels in l.
func quantizeBlockK4(y []byte, x []float32, l *[QK_K]uint8, nmax int32, rmin float32, nstep int) {
	var (
		laux           [32]uint8
		weights        [32]float32
		scales, negMin [8]float32
	)
	for j := range 8 {
		xs := x[32*j : 32*j+32]
		subBlockWeightsK4(&weights, xs)
		scales[j], negMin[j] = makeQKX2(nmax, xs, weights[:], l[32*j:32*j+32], laux[:], rmin, 0.1, nstep, false)
	}
	quantizeScalesK4(y, &scales, &negMin)
	requantizeK4(y, x, l, nmax)
}
