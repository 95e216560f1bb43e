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
// activations x prepared by prepQ4KX from the Q8_K activations xk, equal
// bit for bit to the AVX2 generation kernel:
//
//	for r := range rows {
//		out[r] = dotQ4KG(&w[r*stride], &xk[0], nblocks)
//	}
//
// Each block's 16 int32 lanes (VPMADDWD/VPDPWSSD over 64 quants at a
// time) are folded to dotQ4KG's 8 before they meet a float.
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
	if nblocks <= gen512SmallBlocks {
		dotRowsQ4K512Small(out, w, stride, x, nblocks)
	} else {
		dotRowsQ4K512Large(out, w, stride, x, nblocks)
	}
	return true
}

// gen512SmallBlocks is the longest row (in super-blocks) whose prepared
// activations go in a small stack buffer: Go clears a stack array on each
// call, and clearing the 30 KiB of the largest for rows of 1536 elements
// (6 blocks, most matrices of a 1.5B model) cost about 1% of generation.
const gen512SmallBlocks = 8

//go:noinline
func dotRowsQ4K512Small(out []float32, w []byte, stride int, x []byte, nblocks int) {
	var buf [gen512SmallBlocks*q4kPrepBlock + 64]byte
	dotRowsQ4K512In(buf[:], out, w, stride, x, nblocks)
}

//go:noinline
func dotRowsQ4K512Large(out []float32, w []byte, stride int, x []byte, nblocks int) {
	var buf [gen512MaxBlocks*q4kPrepBlock + 64]byte
	dotRowsQ4K512In(buf[:], out, w, stride, x, nblocks)
}

// dotRowsQ4K512In prepares x in buf and runs the kernel.
func dotRowsQ4K512In(buf []byte, out []float32, w []byte, stride int, x []byte, nblocks int) {
	px := aligned64(buf)
	prepQ4KX(px, x, nblocks)
	dotQ4KRows512(&w[0], stride, &px[0], nblocks, &out[0], len(out))
}

// dotQ6KRows512 computes rows rows of Q6_K weights at stride bytes against
// the Q8_K activations x, equal bit for bit to the AVX2 generation kernel:
//
//	for r := range rows {
//		out[r] = dotQ6KG(&w[r*stride], &x[0], nblocks)
//	}
//
// Each block's 16 int32 lanes are folded to dotQ6KG's 8 before they meet a
// float.
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
