package kernels

import "fmt"

// Q8_0 rows interleaved by eight. The generation kernels take a matrix's
// rows eight at a time, block by block; stored as a GGUF file stores them,
// row after row, those are eight streams through memory (sixteen with the
// next rows prefetched), which on the machines this was measured on reach
// 84–93% of what one sequential stream reads. Interleaved, the eight rows'
// blocks b come one after the other (block b of row 8g+j at byte
// (8g·nblocks + 8b + j)·BlockQ8_0), the same bytes as the eight plain
// rows, so each worker reads one stream that the hardware prefetchers
// follow at the memory's full rate (95–105% of a plain read, measured:
// BenchmarkDotRowsStream against BenchmarkMemoryBandwidth).
// Rows past the last multiple of eight stay as they are.

// InterleaveQ8_0 rewrites the rows&^7 first rows of the Q8_0 matrix w
// (rows of nblocks blocks) in place, eight rows at a time, into the
// interleaved order; tmp holds at least 8·nblocks·BlockQ8_0 bytes.
func InterleaveQ8_0(w []byte, rows, nblocks int, tmp []byte) {
	rb := nblocks * BlockQ8_0
	if len(w) < rows*rb || len(tmp) < 8*rb {
		panic(fmt.Sprintf("kernels: InterleaveQ8_0: %d rows of %d blocks need %d bytes and %d of scratch, have %d and %d", rows, nblocks, rows*rb, 8*rb, len(w), len(tmp)))
	}
	for g := 0; g+8 <= rows; g += 8 {
		group := w[g*rb : (g+8)*rb]
		copy(tmp, group)
		interleaveGroup(group, tmp, rb, nblocks)
	}
}

// interleaveGroupRef writes eight rows of nblocks blocks at src, stride
// bytes apart, to dst as one interleaved group.
func interleaveGroupRef(dst, src []byte, stride, nblocks int) {
	for j := range 8 {
		row := src[j*stride:]
		for b := range nblocks {
			copy(dst[(8*b+j)*BlockQ8_0:(8*b+j+1)*BlockQ8_0], row[b*BlockQ8_0:(b+1)*BlockQ8_0])
		}
	}
}

// deinterleaveGroupRef writes the eight rows of one interleaved group of
// nblocks blocks at src to dst, rows stride bytes apart.
func deinterleaveGroupRef(dst []byte, stride int, src []byte, nblocks int) {
	for j := range 8 {
		row := dst[j*stride:]
		for b := range nblocks {
			copy(row[b*BlockQ8_0:(b+1)*BlockQ8_0], src[(8*b+j)*BlockQ8_0:(8*b+j+1)*BlockQ8_0])
		}
	}
}

// DeinterleaveQ8_0 writes the rows of the Q8_0 matrix w, interleaved by
// InterleaveQ8_0 (rows of nblocks blocks, the first rows&^7 interleaved),
// to dst in the file's order.
func DeinterleaveQ8_0(dst, w []byte, rows, nblocks int) {
	rb := nblocks * BlockQ8_0
	if len(w) < rows*rb || len(dst) < rows*rb {
		panic(fmt.Sprintf("kernels: DeinterleaveQ8_0: %d rows of %d blocks need %d bytes, have %d and %d", rows, nblocks, rows*rb, len(w), len(dst)))
	}
	g8 := rows &^ 7
	for g := 0; g < g8; g += 8 {
		deinterleaveGroup(dst[g*rb:(g+8)*rb], rb, w[g*rb:(g+8)*rb], nblocks)
	}
	copy(dst[g8*rb:rows*rb], w[g8*rb:rows*rb])
}

// RowQ8_0R8 copies row r of an interleaved Q8_0 matrix of rows rows
// (nblocks blocks each) to dst.
func RowQ8_0R8(dst, w []byte, rows, nblocks, r int) {
	rb := nblocks * BlockQ8_0
	if r < 0 || r >= rows || len(dst) < rb || len(w) < rows*rb {
		panic(fmt.Sprintf("kernels: RowQ8_0R8: row %d of %d (%d blocks) into %d bytes from %d", r, rows, nblocks, len(dst), len(w)))
	}
	if r >= rows&^7 {
		copy(dst[:rb], w[r*rb:(r+1)*rb])
		return
	}
	group := w[r&^7*rb:]
	for b := range nblocks {
		o := (8*b + r&7) * BlockQ8_0
		copy(dst[b*BlockQ8_0:(b+1)*BlockQ8_0], group[o:o+BlockQ8_0])
	}
}

// InterleavesQ8_0 reports whether this build and processor have the
// kernels for interleaved Q8_0 rows (DotRowsQ8_0R8 is otherwise a slow
// reference, for tests).
func InterleavesQ8_0() bool { return interleavesQ8_0 }

// DotRowsQ8_0R8 is DotRowsQ8_0 for weights interleaved by InterleaveQ8_0:
// out[r] = DotQ8_0Q8_0(row r, x, nblocks) for every r of out, w holding
// len(out) rows (the first len(out)&^7 interleaved), bit for bit the
// plain rows' results.
func DotRowsQ8_0R8(out []float32, w []byte, x []byte, nblocks int) {
	rb := nblocks * BlockQ8_0
	checkRows("DotRowsQ8_0R8", len(out), w, rb, rb, x, rb)
	dotRowsQ8_0R8(out, w, x, nblocks)
}

// dotRowsQ8_0R8Ref is DotRowsQ8_0R8 by way of the plain rows.
func dotRowsQ8_0R8Ref(out []float32, w []byte, x []byte, nblocks int) {
	rb := nblocks * BlockQ8_0
	plain := make([]byte, len(out)*rb)
	DeinterleaveQ8_0(plain, w, len(out), nblocks)
	DotRowsQ8_0(out, plain, rb, x, nblocks)
}

// DotTileQ8_0R8 is DotTileQ8_0 for weights interleaved by InterleaveQ8_0:
// t.W holds t.Rows rows of t.Stride = nblocks·BlockQ8_0 bytes, starting at
// a group of eight, the first t.Rows&^7 interleaved. The results are
// DotTileQ8_0's on the rows in the file's order, bit for bit.
func DotTileQ8_0R8(t *Tile, nblocks int) {
	if t.Stride != nblocks*BlockQ8_0 {
		panic(fmt.Sprintf("kernels: DotTileQ8_0R8: stride %d for rows of %d blocks", t.Stride, nblocks))
	}
	if t.check("DotTileQ8_0R8", nblocks*BlockQ8_0, nblocks*BlockQ8_0) {
		dotTileQ8_0R8(t, nblocks)
	}
}

// dotTileQ8_0R8Plain puts the tile's rows back in the file's order in the
// scratch and computes them there.
func dotTileQ8_0R8Plain(t *Tile, nblocks int) {
	var plain []byte
	if t.Scratch != nil {
		plain = t.Scratch.plainRows(t.Rows * t.Stride)
	} else {
		plain = make([]byte, t.Rows*t.Stride)
	}
	DeinterleaveQ8_0(plain, t.W, t.Rows, nblocks)
	p := *t
	p.W = plain
	DotTileQ8_0(&p, nblocks)
}
