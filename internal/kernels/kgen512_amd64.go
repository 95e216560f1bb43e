//go:build !purego

package kernels

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasGen512 reports whether the AVX-512 generation kernels can run.
var hasGen512 = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI

const (
	// q4kPrepBlock is the size of a Q8_K block prepared for
	// dotQ4KRows512 (a multiple of 64, so that every block's quants
	// stay aligned).
	q4kPrepBlock = 320
	// gen512MaxBlocks is the longest row (in super-blocks) the AVX-512
	// generation kernels take: their prepared activations live on the
	// stack.
	gen512MaxBlocks = 96
)

// dotQ4KRows512 computes rows rows of Q4_K weights at stride bytes against
// activations prepared by prepQ4KX:
//
//	for r := range rows {
//		out[r] = DotQ4KQ8K(w[r*stride:], x, nblocks) // up to float rounding
//	}
//
// with each block summed as
//
//	var isum [16]int32 // exact: lane l of the VPMADDWD/VPDPWSSD sums
//	for j := range 8 {
//		for k := range 32 {
//			isum[lane(j, k)] += int32(sc[j]) * int32(q[j][k]) * int32(x.qs[32*j+k])
//		}
//	}
//	for l := range 16 {
//		acc[l] += float32(d*dx) * float32(isum[l])
//	}
//	for l := range 4 {
//		accm[l] += float32(dmin*dx) * float32(m[2l]·bsum32[2l] + m[2l+1]·bsum32[2l+1])
//	}
//
// and out[r] = Σ acc − Σ accm, summed pairwise across the lanes.
//
//go:noescape
func dotQ4KRows512(w *byte, stride int, x *byte, nblocks int, out *float32, rows int)

// prepQ4KX writes Q8_K activations x (nblocks blocks) into dst in
// dotQ4KRows512's layout: per block q4kPrepBlock bytes holding the quants
// in sub-block order 0 2 1 3 4 6 5 7 (so that 64 contiguous bytes meet the
// low or high nibbles of 64 bytes of Q4_K quants), the eight sums of 32
// quants as int16 at 256, and the scale (float32) at 272.
func prepQ4KX(dst, x []byte, nblocks int) {
	for b := range nblocks {
		s := x[b*BlockQ8_K : (b+1)*BlockQ8_K : (b+1)*BlockQ8_K]
		d := dst[b*q4kPrepBlock : (b+1)*q4kPrepBlock : (b+1)*q4kPrepBlock]
		for i, sub := range [8]int{0, 2, 1, 3, 4, 6, 5, 7} {
			copy(d[32*i:32*i+32], s[4+32*sub:4+32*sub+32])
		}
		for j := range 8 {
			b0 := int16(binary.LittleEndian.Uint16(s[260+4*j:]))
			b1 := int16(binary.LittleEndian.Uint16(s[262+4*j:]))
			binary.LittleEndian.PutUint16(d[256+2*j:], uint16(b0+b1))
		}
		copy(d[272:276], s[0:4])
	}
}

// aligned64 returns the part of b from its first 64-byte boundary.
func aligned64(b []byte) []byte {
	return b[int(-uintptr(unsafe.Pointer(&b[0]))&63):]
}

// dotRowsQ4K512 is dotRowsQ4K with the AVX-512 kernel; it reports false
// (doing nothing) when that kernel cannot run.
func dotRowsQ4K512(out []float32, w []byte, stride int, x []byte, nblocks int) bool {
	if !hasGen512 || nblocks == 0 || nblocks > gen512MaxBlocks || len(out) == 0 {
		return false
	}
	var buf [gen512MaxBlocks*q4kPrepBlock + 64]byte
	px := aligned64(buf[:])
	prepQ4KX(px, x, nblocks)
	dotQ4KRows512(&w[0], stride, &px[0], nblocks, &out[0], len(out))
	return true
}

// dotQ6KRows512 computes rows rows of Q6_K weights at stride bytes against
// the Q8_K activations x:
//
//	for r := range rows {
//		out[r] = DotQ6KQ8K(w[r*stride:], x, nblocks) // up to float rounding
//	}
//
// with each block summed as
//
//	var isum [16]int32 // exact
//	isum[l] = −32·(sc[2l]·bsum[2l] + sc[2l+1]·bsum[2l+1]) for l < 8
//	for each element e of the block {
//		isum[lane(e)] += int32(sc[e/16]) * int32(q6(e)) * int32(x.qs[e])
//	}
//	for l := range 16 {
//		acc[l] += float32(d*x.d) * float32(isum[l])
//	}
//
// and out[r] = Σ acc, summed pairwise across the lanes.
//
//go:noescape
func dotQ6KRows512(w *byte, stride int, x *byte, nblocks int, out *float32, rows int)

// dotRowsQ6K512 is dotRowsQ6K with the AVX-512 kernel; it reports false
// (doing nothing) when that kernel cannot run.
func dotRowsQ6K512(out []float32, w []byte, stride int, x []byte, nblocks int) bool {
	if !hasGen512 || nblocks == 0 || len(out) == 0 {
		return false
	}
	dotQ6KRows512(&w[0], stride, &x[0], nblocks, &out[0], len(out))
	return true
}
