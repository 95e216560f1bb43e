//go:build !purego

package kernels

import "unsafe"

// streamY reads s streams of n bytes each from p (stream k at p+k·n, n a
// multiple of 256) with 32-byte loads, 256 bytes of each stream per pass,
// and returns the sum of the bytes read as uint64 words:
//
//	var sum uint64
//	for k := range s {
//		for i := 0; i < n; i += 8 {
//			sum += *(*uint64)(p + k*n + i)
//		}
//	}
//	return sum
//
// s is 1, 2 or 4; pf is unused.
//
//go:noescape
func streamY(p *byte, n, s, pf int) uint64

// streamZ is streamY with 64-byte (AVX-512) loads.
//
//go:noescape
func streamZ(p *byte, n, s, pf int) uint64

// streamYP is streamY that also prefetches (PREFETCHT0) pf bytes ahead in
// each stream, one prefetch per 64 bytes.
//
//go:noescape
func streamYP(p *byte, n, s, pf int) uint64

func asmStreamLoops() []streamLoop {
	loop := func(name string, f func(p *byte, n, s, pf int) uint64, s, pf int) streamLoop {
		return streamLoop{name, func(p []byte) uint64 {
			return f(unsafe.SliceData(p), len(p)/s&^255, s, pf)
		}}
	}
	ls := []streamLoop{
		loop("avx2", streamY, 1, 0),
		loop("avx2x2", streamY, 2, 0),
		loop("avx2x4", streamY, 4, 0),
		loop("avx2x2+prefetch2k", streamYP, 2, 2048),
	}
	if hasGen512 {
		ls = append(ls, loop("avx512x2", streamZ, 2, 0))
	}
	return ls
}
