//go:build !purego

package kernels

import (
	"encoding/binary"
	"math"
)

// Decoding a tile's K-quant rows for the prompt kernels (ktile_amd64.go):
// in Go for any number of rows up to 16, in assembly for 16.

// decodeQ4KTile16 is decodeQ4KTile for 16 rows, with AVX-512 gathers:
//
//	decodeQ4KTile(dst[:nblocks*q4kTileBlock], w, stride, 16, nblocks)
//
//go:noescape
func decodeQ4KTile16(dst *byte, w *byte, stride int, nblocks int)

// prefetchRows16 asks for the n bytes of 16 rows stride bytes apart
// (into L2), for a decoder that will need them soon:
//
//	for r := range 16 {
//		for i := 0; i < n; i += 64 { prefetch(&w[r*stride+i]) }
//	}
//
//go:noescape
func prefetchRows16(w *byte, stride int, n int)

var le = binary.LittleEndian

// decodeQ4KTile writes nblocks super-blocks of rows ≤ 16 Q4_K rows (stride
// bytes apart in w) into dst in the layout dotQ4KTileVNNI reads; rows
// beyond rows get zero weights and scales.
func decodeQ4KTile(dst, w []byte, stride, rows, nblocks int) {
	dst = dst[:nblocks*q4kTileBlock]
	if rows < ktRows {
		clear(dst)
	}
	for r := range rows {
		src := w[r*stride : r*stride+nblocks*BlockQ4K]
		for b := range nblocks {
			wb := src[b*BlockQ4K : (b+1)*BlockQ4K : (b+1)*BlockQ4K]
			db := dst[b*q4kTileBlock : (b+1)*q4kTileBlock : (b+1)*q4kTileBlock]
			for j := range 4 {
				q := wb[16+32*j : 16+32*j+32 : 16+32*j+32]
				lo := db[2*j*q4kTileSub+4*r : 2*j*q4kTileSub+4*r+7*64+4]
				hi := db[(2*j+1)*q4kTileSub+4*r : (2*j+1)*q4kTileSub+4*r+7*64+4]
				for k := range 8 {
					v := le.Uint32(q[4*k:])
					le.PutUint32(lo[64*k:], v&0x0f0f0f0f)
					le.PutUint32(hi[64*k:], v>>4&0x0f0f0f0f)
				}
			}
			var sc [8]uint8
			for j := range 8 {
				s, m := scaleMinK4(j, wb[4:16])
				sc[j] = s
				le.PutUint32(db[q4kTileMins+64*j+4*r:], uint32(m)|uint32(m)<<16)
			}
			for j := 0; j < 8; j += 2 {
				le.PutUint32(db[j*q4kTileSub+512+4*r:], uint32(sc[j])|uint32(sc[j+1])<<16)
			}
			le.PutUint32(db[q4kTileD+4*r:], math.Float32bits(f16at(wb, 0)))
			le.PutUint32(db[q4kTileD+64+4*r:], math.Float32bits(f16at(wb, 2)))
		}
	}
}

// decodeQ4KTileFast is decodeQ4KTile, in assembly for 16 rows (whose
// offsets the gathers take as int32).
func decodeQ4KTileFast(dst, w []byte, stride, rows, nblocks int) {
	if rows < ktRows || stride > math.MaxInt32/ktRows {
		decodeQ4KTile(dst, w, stride, rows, nblocks)
		return
	}
	_ = dst[nblocks*q4kTileBlock-1]
	_ = w[(ktRows-1)*stride+nblocks*BlockQ4K-1]
	decodeQ4KTile16(&dst[0], &w[0], stride, nblocks)
}

// decodeQ6KTile16 is decodeQ6KTile for 16 rows, with AVX-512 gathers:
//
//	decodeQ6KTile(dst[:nblocks*q6kTileBlock], w, stride, 16, nblocks)
//
//go:noescape
func decodeQ6KTile16(dst *byte, w *byte, stride int, nblocks int)

// decodeQ6KTileFast is decodeQ6KTile, in assembly for 16 rows (whose
// offsets the gathers take as int32).
func decodeQ6KTileFast(dst, w []byte, stride, rows, nblocks int) {
	if rows < ktRows || stride > math.MaxInt32/ktRows {
		decodeQ6KTile(dst, w, stride, rows, nblocks)
		return
	}
	_ = dst[nblocks*q6kTileBlock-1]
	_ = w[(ktRows-1)*stride+nblocks*BlockQ6K-1]
	decodeQ6KTile16(&dst[0], &w[0], stride, nblocks)
}

// decodeQ6KTile writes nblocks super-blocks of rows ≤ 16 Q6_K rows into dst
// in the layout dotQ6KTileVNNI reads; rows beyond rows get zeros.
func decodeQ6KTile(dst, w []byte, stride, rows, nblocks int) {
	dst = dst[:nblocks*q6kTileBlock]
	if rows < ktRows {
		clear(dst)
	}
	for r := range rows {
		src := w[r*stride : r*stride+nblocks*BlockQ6K]
		for b := range nblocks {
			wb := src[b*BlockQ6K : (b+1)*BlockQ6K : (b+1)*BlockQ6K]
			db := dst[b*q6kTileBlock : (b+1)*q6kTileBlock : (b+1)*q6kTileBlock]
			// Elements 128h+32g+p, p in [0,32): the low bits are nibble g>>1
			// of ql[64h+32(g&1)+p], the high bits bits 2g..2g+1 of
			// qh[32h+p]; four consecutive p share the shifts, so 32-bit
			// words yield four quants at once, for the four g. They go to
			// sub-block s = 8h+2g+p/16, quants 4k..4k+3 with k = p%16/4.
			for h := range 2 {
				ql := wb[64*h : 64*h+64 : 64*h+64]
				qh := wb[128+32*h : 128+32*h+32 : 128+32*h+32]
				for p := 0; p < 32; p += 4 {
					l0, l1 := le.Uint32(ql[p:]), le.Uint32(ql[32+p:])
					hb := le.Uint32(qh[p:])
					d := db[(8*h+p/16)*q6kTileSub+64*(p%16/4)+4*r:]
					d = d[:6*q6kTileSub+4]
					le.PutUint32(d, l0&0x0f0f0f0f|(hb&0x03030303)<<4)
					le.PutUint32(d[2*q6kTileSub:], l1&0x0f0f0f0f|(hb>>2&0x03030303)<<4)
					le.PutUint32(d[4*q6kTileSub:], l0>>4&0x0f0f0f0f|(hb>>4&0x03030303)<<4)
					le.PutUint32(d[6*q6kTileSub:], l1>>4&0x0f0f0f0f|(hb>>6&0x03030303)<<4)
				}
			}
			sc := wb[192:208]
			for _, s := range [...]int{0, 1, 4, 5, 8, 9, 12, 13} {
				a, b := uint16(int16(int8(sc[s]))), uint16(int16(int8(sc[s+2])))
				le.PutUint32(db[s*q6kTileSub+256+4*r:], uint32(a)|uint32(b)<<16)
			}
			for i := range 8 {
				a := uint16(int16(-32 * int32(int8(sc[2*i]))))
				c := uint16(int16(-32 * int32(int8(sc[2*i+1]))))
				le.PutUint32(db[q6kTileNeg+64*i+4*r:], uint32(a)|uint32(c)<<16)
			}
			le.PutUint32(db[q6kTileD+4*r:], math.Float32bits(f16at(wb, 208)))
		}
	}
}
