//go:build !purego

#include "textflag.h"

// Prompt kernels of the 32-element block types (Q8_0, Q4_0, Q5_0) for
// AVX-512 VNNI (EVEX-encoded 256-bit VPDPBUSD).
//
// Eight weight rows are first repacked, block by block, so that one float
// lane belongs to one row: the block's eight row scales as float32, then
// eight vectors where vector g holds, in lane r, the four quants 4g..4g+3
// of row r as unsigned bytes u = q + o (o = 128, 8 or 16 by type). One
// VPDPBUSD with the activations' bytes 4g..4g+3 broadcast to every lane then
// adds four products to each of the eight rows at once; eight of them give
// each row's exact integer dot of the block, plus o·Σx, which is taken back
// by starting the sum at −o·Σx (precomputed once per tile for every token
// and block). Each (row, token) keeps a float accumulator: per block the
// integer sum is converted and added with one fused multiply-add by
// dw·dx, in llama.cpp's order; no horizontal sum is needed.

DATA vnni80<>+0(SB)/8, $0x8080808080808080
DATA vnni80<>+8(SB)/8, $0x8080808080808080
DATA vnni80<>+16(SB)/8, $0x8080808080808080
DATA vnni80<>+24(SB)/8, $0x8080808080808080
GLOBL vnni80<>(SB), RODATA|NOPTR, $32

DATA vnni01<>+0(SB)/8, $0x0101010101010101
DATA vnni01<>+8(SB)/8, $0x0101010101010101
DATA vnni01<>+16(SB)/8, $0x0101010101010101
DATA vnni01<>+24(SB)/8, $0x0101010101010101
GLOBL vnni01<>(SB), RODATA|NOPTR, $32

DATA vnni0F<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA vnni0F<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA vnni0F<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA vnni0F<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL vnni0F<>(SB), RODATA|NOPTR, $32

DATA vnni10<>+0(SB)/8, $0x1010101010101010
DATA vnni10<>+8(SB)/8, $0x1010101010101010
DATA vnni10<>+16(SB)/8, $0x1010101010101010
DATA vnni10<>+24(SB)/8, $0x1010101010101010
GLOBL vnni10<>(SB), RODATA|NOPTR, $32

// TREE8 adds the eight int32 lanes of each of Y0..Y7 into lane r of Y1.
#define TREE8 \
	VPHADDD    Y1, Y0, Y0; \
	VPHADDD    Y3, Y2, Y2; \
	VPHADDD    Y5, Y4, Y4; \
	VPHADDD    Y7, Y6, Y6; \
	VPHADDD    Y2, Y0, Y0; \
	VPHADDD    Y6, Y4, Y4; \
	VPERM2I128 $0x20, Y4, Y0, Y1; \
	VPERM2I128 $0x31, Y4, Y0, Y2; \
	VPADDD     Y2, Y1, Y1

#define ZERO8 \
	VPXOR Y0, Y0, Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3; \
	VPXOR Y4, Y4, Y4; \
	VPXOR Y5, Y5, Y5; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7

// func actSumsVNNI(x *byte, xStride int, ntok int, nblocks int, off int, dst *int32)
//
// For every token t and block b of Q8_0 activations, writes the pair
//
//	dst[2*(t*nblocks+b)] = -off * Σ int8(x[t*xStride+34*b+2+j]) over j < 32
//	dst[2*(t*nblocks+b)+1] = math.Float32bits(f16at(x[t*xStride+34*b:], 0))
//
// eight blocks at a time (their sums transposed into one vector), then one
// at a time.
TEXT ·actSumsVNNI(SB), NOSPLIT, $0-48
	MOVQ         x+0(FP), SI
	MOVQ         xStride+8(FP), R8
	MOVQ         ntok+16(FP), R9
	MOVQ         nblocks+24(FP), R10
	MOVQ         off+32(FP), AX
	NEGQ         AX
	VMOVD        AX, X12
	VPBROADCASTD X12, Y12
	MOVQ         dst+40(FP), DI
	VMOVDQU      vnni01<>(SB), Y11
	TESTQ        R9, R9
	JZ           asdone

astoken:
	MOVQ SI, DX
	MOVQ R10, CX
	CMPQ CX, $8
	JLT  astail

as8:
	ZERO8
	VPDPBUSD   2(DX), Y11, Y0
	VPDPBUSD   36(DX), Y11, Y1
	VPDPBUSD   70(DX), Y11, Y2
	VPDPBUSD   104(DX), Y11, Y3
	VPDPBUSD   138(DX), Y11, Y4
	VPDPBUSD   172(DX), Y11, Y5
	VPDPBUSD   206(DX), Y11, Y6
	VPDPBUSD   240(DX), Y11, Y7
	TREE8
	VPMULLD    Y12, Y1, Y1
	VPINSRW    $0, (DX), X10, X10
	VPINSRW    $1, 34(DX), X10, X10
	VPINSRW    $2, 68(DX), X10, X10
	VPINSRW    $3, 102(DX), X10, X10
	VPINSRW    $4, 136(DX), X10, X10
	VPINSRW    $5, 170(DX), X10, X10
	VPINSRW    $6, 204(DX), X10, X10
	VPINSRW    $7, 238(DX), X10, X10
	VCVTPH2PS  X10, Y10
	VPUNPCKLDQ Y10, Y1, Y2
	VPUNPCKHDQ Y10, Y1, Y3
	VPERM2I128 $0x20, Y3, Y2, Y4
	VPERM2I128 $0x31, Y3, Y2, Y5
	VMOVDQU    Y4, (DI)
	VMOVDQU    Y5, 32(DI)
	ADDQ       $272, DX
	ADDQ       $64, DI
	SUBQ       $8, CX
	CMPQ       CX, $8
	JGE        as8

astail:
	TESTQ CX, CX
	JZ    asnext

as1:
	VPXOR        Y0, Y0, Y0
	VPDPBUSD     2(DX), Y11, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VPMULLD      X12, X0, X0
	VMOVD        X0, (DI)
	MOVWLZX      (DX), AX
	VMOVD        AX, X1
	VCVTPH2PS    X1, X1
	VMOVSS       X1, 4(DI)
	ADDQ         $34, DX
	ADDQ         $8, DI
	DECQ         CX
	JNZ          as1

asnext:
	ADDQ R8, SI
	DECQ R9
	JNZ  astoken

asdone:
	VZEROUPPER
	RET

// ROWPTRS8 points R8..R13, BX at rows 1..7 (SI is row 0, AX the stride).
#define ROWPTRS8 \
	LEAQ (SI)(AX*1), R8; \
	LEAQ (R8)(AX*1), R9; \
	LEAQ (R9)(AX*1), R10; \
	LEAQ (R10)(AX*1), R11; \
	LEAQ (R11)(AX*1), R12; \
	LEAQ (R12)(AX*1), R13; \
	LEAQ (R13)(AX*1), BX

// PREFETCH8 asks for the same block of the next eight rows (R14 = 8·stride),
// which the next repack reads while this group's tile is computed.
#define PREFETCH8 \
	PREFETCHT0 (SI)(R14*1); \
	PREFETCHT0 (R8)(R14*1); \
	PREFETCHT0 (R9)(R14*1); \
	PREFETCHT0 (R10)(R14*1); \
	PREFETCHT0 (R11)(R14*1); \
	PREFETCHT0 (R12)(R14*1); \
	PREFETCHT0 (R13)(R14*1); \
	PREFETCHT0 (BX)(R14*1)

#define ADVANCE8(n) \
	ADDQ $n, SI; \
	ADDQ $n, R8; \
	ADDQ $n, R9; \
	ADDQ $n, R10; \
	ADDQ $n, R11; \
	ADDQ $n, R12; \
	ADDQ $n, R13; \
	ADDQ $n, BX

// SCALES8 writes the eight rows' block scales (halves at offset 0) as
// float32 to (DI).
#define SCALES8 \
	VPINSRW   $0, (SI), X8, X8; \
	VPINSRW   $1, (R8), X8, X8; \
	VPINSRW   $2, (R9), X8, X8; \
	VPINSRW   $3, (R10), X8, X8; \
	VPINSRW   $4, (R11), X8, X8; \
	VPINSRW   $5, (R12), X8, X8; \
	VPINSRW   $6, (R13), X8, X8; \
	VPINSRW   $7, (BX), X8, X8; \
	VCVTPH2PS X8, Y8; \
	VMOVUPS   Y8, (DI)

// TRANSPOSE8 writes the 8×8 dwords of Y0..Y7 (row r in Yr) transposed:
// vector g, holding dword g of every row, to vo+vs*g(DI).
#define TRANSPOSE8(vo, vs) \
	VPUNPCKLDQ  Y1, Y0, Y8; \
	VPUNPCKHDQ  Y1, Y0, Y9; \
	VPUNPCKLDQ  Y3, Y2, Y10; \
	VPUNPCKHDQ  Y3, Y2, Y11; \
	VPUNPCKLDQ  Y5, Y4, Y12; \
	VPUNPCKHDQ  Y5, Y4, Y13; \
	VPUNPCKLDQ  Y7, Y6, Y14; \
	VPUNPCKHDQ  Y7, Y6, Y15; \
	VPUNPCKLQDQ Y10, Y8, Y0; \
	VPUNPCKHQDQ Y10, Y8, Y1; \
	VPUNPCKLQDQ Y11, Y9, Y2; \
	VPUNPCKHQDQ Y11, Y9, Y3; \
	VPUNPCKLQDQ Y14, Y12, Y4; \
	VPUNPCKHQDQ Y14, Y12, Y5; \
	VPUNPCKLQDQ Y15, Y13, Y6; \
	VPUNPCKHQDQ Y15, Y13, Y7; \
	VPERM2I128  $0x20, Y4, Y0, Y8; \
	VPERM2I128  $0x20, Y5, Y1, Y9; \
	VPERM2I128  $0x20, Y6, Y2, Y10; \
	VPERM2I128  $0x20, Y7, Y3, Y11; \
	VPERM2I128  $0x31, Y4, Y0, Y12; \
	VPERM2I128  $0x31, Y5, Y1, Y13; \
	VPERM2I128  $0x31, Y6, Y2, Y14; \
	VPERM2I128  $0x31, Y7, Y3, Y15; \
	VMOVDQU     Y8, vo+0*vs(DI); \
	VMOVDQU     Y9, vo+1*vs(DI); \
	VMOVDQU     Y10, vo+2*vs(DI); \
	VMOVDQU     Y11, vo+3*vs(DI); \
	VMOVDQU     Y12, vo+4*vs(DI); \
	VMOVDQU     Y13, vo+5*vs(DI); \
	VMOVDQU     Y14, vo+6*vs(DI); \
	VMOVDQU     Y15, vo+7*vs(DI)

// Row loaders: the 32 quants of the block at p as unsigned bytes q + o.
#define LOADQ8(p, y) \
	VPXORD 2(p), Y16, y

#define NIBBLES(p, x, y) \
	VMOVDQU     p, x; \
	VPSRLW      $4, x, X15; \
	VINSERTI128 $1, X15, y, y; \
	VPANDD      Y17, y, y

#define LOADQ4(p, x, y) \
	NIBBLES(2(p), x, y)

// LOADQ5 adds 16 to the nibbles whose bit is set in qh (bit j for quant j).
#define LOADQ5(p, x, y) \
	NIBBLES(6(p), x, y); \
	MOVL   2(p), AX; \
	KMOVD  AX, K1; \
	VPADDB Y18, y, K1, y

#define ROWS8(LOAD) \
	LOAD(SI, X0, Y0); \
	LOAD(R8, X1, Y1); \
	LOAD(R9, X2, Y2); \
	LOAD(R10, X3, Y3); \
	LOAD(R11, X4, Y4); \
	LOAD(R12, X5, Y5); \
	LOAD(R13, X6, Y6); \
	LOAD(BX, X7, Y7)

#define LOADQ8X(p, x, y) LOADQ8(p, y)

#define REPACK_PROLOGUE \
	ROWPTRS8; \
	LEAQ      (AX*8), R14; \
	VMOVDQU64 vnni80<>(SB), Y16; \
	VMOVDQU64 vnni0F<>(SB), Y17; \
	VMOVDQU64 vnni10<>(SB), Y18

// func repackQ8_0x8(dst *byte, w *byte, stride int, nblocks int)
//
// Repacks block b of eight Q8_0 rows (w, stride bytes apart) to the 288
// bytes at dst[288*b:]:
//
//	scales[r] = f16at(w[r*stride+34*b:], 0)                 // float32 × 8
//	u[g][r][k] = byte(w[r*stride+34*b+2+4*g+k]) ^ 0x80      // q + 128
TEXT ·repackQ8_0x8(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  stride+16(FP), AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rq8done

rq8loop:
	PREFETCH8
	SCALES8
	ROWS8(LOADQ8X)
	TRANSPOSE8(32, 32)
	ADVANCE8(34)
	ADDQ $288, DI
	DECQ CX
	JNZ  rq8loop

rq8done:
	VZEROUPPER
	RET

// func repackQ8_0R8x8(dst *byte, w *byte, stride int, nblocks int)
//
// repackQ8_0x8 of one group of eight rows interleaved by InterleaveQ8_0
// (row r's block b at w[34*(8*b+r):]; stride is not used).
TEXT ·repackQ8_0R8x8(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  $34, AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rr8done

rr8loop:
	SCALES8
	ROWS8(LOADQ8X)
	TRANSPOSE8(32, 32)
	ADVANCE8(272)
	ADDQ $288, DI
	DECQ CX
	JNZ  rr8loop

rr8done:
	VZEROUPPER
	RET

// func repackQ8_0R8x16h(dst *byte, w *byte, stride int, nblocks int)
//
// repackQ8_0x16h of one group of eight interleaved rows (as
// repackQ8_0R8x8).
TEXT ·repackQ8_0R8x16h(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  $34, AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rrh8done

rrh8loop:
	SCALES8
	ROWS8(LOADQ8X)
	TRANSPOSE8(64, 64)
	ADVANCE8(272)
	ADDQ $576, DI
	DECQ CX
	JNZ  rrh8loop

rrh8done:
	VZEROUPPER
	RET

// func repackQ4_0x8(dst *byte, w *byte, stride int, nblocks int)
//
// As repackQ8_0x8 for Q4_0 rows, with u = q (0..15, the weight q − 8).
TEXT ·repackQ4_0x8(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  stride+16(FP), AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rq4done

rq4loop:
	PREFETCH8
	SCALES8
	ROWS8(LOADQ4)
	TRANSPOSE8(32, 32)
	ADVANCE8(18)
	ADDQ $288, DI
	DECQ CX
	JNZ  rq4loop

rq4done:
	VZEROUPPER
	RET

// func repackQ5_0x8(dst *byte, w *byte, stride int, nblocks int)
//
// As repackQ8_0x8 for Q5_0 rows, with u = q (0..31, the weight q − 16).
TEXT ·repackQ5_0x8(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  stride+16(FP), AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rq5done

rq5loop:
	PREFETCH8
	SCALES8
	ROWS8(LOADQ5)
	TRANSPOSE8(32, 32)
	ADVANCE8(22)
	ADDQ $288, DI
	DECQ CX
	JNZ  rq5loop

rq5done:
	VZEROUPPER
	RET

// func repackQ8_0x16h(dst *byte, w *byte, stride int, nblocks int)
//
// repackQ8_0x8 into half of the sixteen-row layout of tile16VNNI: block b
// of the eight rows at dst[tileBlock16*b:], scales at 0..31, vector g at
// 64+64*g (dst points 32 bytes in for rows 8..15).
TEXT ·repackQ8_0x16h(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  stride+16(FP), AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rh8done

rh8loop:
	PREFETCH8
	SCALES8
	ROWS8(LOADQ8X)
	TRANSPOSE8(64, 64)
	ADVANCE8(34)
	ADDQ $576, DI
	DECQ CX
	JNZ  rh8loop

rh8done:
	VZEROUPPER
	RET

// func repackQ4_0x16h(dst *byte, w *byte, stride int, nblocks int)
//
// repackQ4_0x8 into half of the sixteen-row layout of tile16VNNI: block b
// of the eight rows at dst[tileBlock16*b:], scales at 0..31, vector g at
// 64+64*g (dst points 32 bytes in for rows 8..15).
TEXT ·repackQ4_0x16h(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  stride+16(FP), AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rh4done

rh4loop:
	PREFETCH8
	SCALES8
	ROWS8(LOADQ4)
	TRANSPOSE8(64, 64)
	ADVANCE8(18)
	ADDQ $576, DI
	DECQ CX
	JNZ  rh4loop

rh4done:
	VZEROUPPER
	RET

// func repackQ5_0x16h(dst *byte, w *byte, stride int, nblocks int)
//
// repackQ5_0x8 into half of the sixteen-row layout of tile16VNNI: block b
// of the eight rows at dst[tileBlock16*b:], scales at 0..31, vector g at
// 64+64*g (dst points 32 bytes in for rows 8..15).
TEXT ·repackQ5_0x16h(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  w+8(FP), SI
	MOVQ  stride+16(FP), AX
	MOVQ  nblocks+24(FP), CX
	REPACK_PROLOGUE
	TESTQ CX, CX
	JZ    rh5done

rh5loop:
	PREFETCH8
	SCALES8
	ROWS8(LOADQ5)
	TRANSPOSE8(64, 64)
	ADVANCE8(22)
	ADDQ $576, DI
	DECQ CX
	JNZ  rh5loop

rh5done:
	VZEROUPPER
	RET

// func prefetchRows(w *byte, stride int, rows int, n int)
//
// Asks for the first n bytes of rows rows stride bytes apart, a cache line
// at a time (n ≥ 1, rows ≥ 1).
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	MOVQ rows+16(FP), BX
	MOVQ n+24(FP), DX

prow:
	XORQ CX, CX

pline:
	PREFETCHT0 (SI)(CX*1)
	ADDQ       $64, CX
	CMPQ       CX, DX
	JLT        pline
	ADDQ       AX, SI
	DECQ       BX
	JNZ        prow
	RET

// TOKEN adds one token's block to its accumulator: x is the activation
// block's address expression minus 2, c its (−o·Σx, dx) pair; ia and ib are
// two integer chains (groups 0..3 and 4..7), s a float temporary. The
// weights of the block are in Y16..Y23, their scales in Y24.
#define TOKEN(x, c, ia, ib, acc, s) \
	VPBROADCASTD  c, ia; \
	VPXOR         ib, ib, ib; \
	VPDPBUSD.BCST 2 x, Y16, ia; \
	VPDPBUSD.BCST 18 x, Y20, ib; \
	VPDPBUSD.BCST 6 x, Y17, ia; \
	VPDPBUSD.BCST 22 x, Y21, ib; \
	VPDPBUSD.BCST 10 x, Y18, ia; \
	VPDPBUSD.BCST 26 x, Y22, ib; \
	VPDPBUSD.BCST 14 x, Y19, ia; \
	VPDPBUSD.BCST 30 x, Y23, ib; \
	VPADDD        ib, ia, ia; \
	VCVTDQ2PS     ia, ia; \
	VMULPS.BCST   4 c, Y24, s; \
	VFMADD231PS   s, ia, acc

#define WBLOCK \
	VMOVUPS   (SI), Y24; \
	VMOVDQU64 32(SI), Y16; \
	VMOVDQU64 64(SI), Y17; \
	VMOVDQU64 96(SI), Y18; \
	VMOVDQU64 128(SI), Y19; \
	VMOVDQU64 160(SI), Y20; \
	VMOVDQU64 192(SI), Y21; \
	VMOVDQU64 224(SI), Y22; \
	VMOVDQU64 256(SI), Y23

// func tile8VNNI(w *byte, nblocks int, x *byte, xStride int, ntok int, sums *int32, out *float32, outStride int)
//
// For eight rows repacked by repackQ*x8 at w and ntok ≥ 1 tokens of Q8_0
// activations with their pairs from actSumsVNNI at sums:
//
//	for t := range ntok {
//		var acc [8]float32
//		for b := range nblocks {
//			for r := range 8 {
//				isum := sums[2*(t*nblocks+b)] + Σ_j u[b][r][j] * int8(x[t*xStride+34*b+2+j])
//				acc[r] = fma(float32(isum), scales[b][r]*dx[t][b], acc[r])
//			}
//		}
//		copy(out[t*outStride:t*outStride+8], acc[:])
//	}
//
// four tokens at a time, then one at a time.
TEXT ·tile8VNNI(SB), NOSPLIT, $0-64
	MOVQ xStride+24(FP), R9
	MOVQ ntok+32(FP), BX
	MOVQ nblocks+8(FP), R12
	SHLQ $3, R12                 // bytes of sums per token
	MOVQ outStride+56(FP), R13
	SHLQ $2, R13                 // bytes per output token
	MOVQ x+16(FP), R14
	MOVQ sums+40(FP), R15
	MOVQ out+48(FP), DX
	CMPQ BX, $4
	JLT  t1start

t4group:
	MOVQ   w+0(FP), SI
	MOVQ   nblocks+8(FP), CX
	MOVQ   R14, DI
	LEAQ   (R14)(R9*2), R8
	MOVQ   R15, R10
	LEAQ   (R15)(R12*2), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

t4block:
	WBLOCK
	TOKEN((DI), (R10), Y4, Y12, Y0, Y8)
	TOKEN((DI)(R9*1), (R10)(R12*1), Y5, Y13, Y1, Y9)
	TOKEN((R8), (R11), Y6, Y14, Y2, Y10)
	TOKEN((R8)(R9*1), (R11)(R12*1), Y7, Y15, Y3, Y11)
	ADDQ $288, SI
	ADDQ $34, DI
	ADDQ $34, R8
	ADDQ $8, R10
	ADDQ $8, R11
	DECQ CX
	JNZ  t4block

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, (DX)(R13*1)
	LEAQ    (DX)(R13*2), AX
	VMOVUPS Y2, (AX)
	VMOVUPS Y3, (AX)(R13*1)
	LEAQ    (AX)(R13*2), DX
	LEAQ    (R14)(R9*4), R14
	LEAQ    (R15)(R12*4), R15
	SUBQ    $4, BX
	CMPQ    BX, $4
	JGE     t4group

t1start:
	TESTQ BX, BX
	JZ    tdone

t1group:
	MOVQ   w+0(FP), SI
	MOVQ   nblocks+8(FP), CX
	MOVQ   R14, DI
	MOVQ   R15, R10
	VXORPS Y0, Y0, Y0

t1block:
	WBLOCK
	TOKEN((DI), (R10), Y4, Y12, Y0, Y8)
	ADDQ $288, SI
	ADDQ $34, DI
	ADDQ $8, R10
	DECQ CX
	JNZ  t1block

	VMOVUPS Y0, (DX)
	ADDQ    R13, DX
	ADDQ    R9, R14
	ADDQ    R12, R15
	DECQ    BX
	JNZ     t1group

tdone:
	VZEROUPPER
	RET

// TOKEN16 is TOKEN for sixteen rows in Z registers: weights in Z16..Z23,
// scales in Z24.
#define TOKEN16(x, c, ia, ib, acc, s) \
	VPBROADCASTD  c, ia; \
	VPXORD        ib, ib, ib; \
	VPDPBUSD.BCST 2 x, Z16, ia; \
	VPDPBUSD.BCST 18 x, Z20, ib; \
	VPDPBUSD.BCST 6 x, Z17, ia; \
	VPDPBUSD.BCST 22 x, Z21, ib; \
	VPDPBUSD.BCST 10 x, Z18, ia; \
	VPDPBUSD.BCST 26 x, Z22, ib; \
	VPDPBUSD.BCST 14 x, Z19, ia; \
	VPDPBUSD.BCST 30 x, Z23, ib; \
	VPADDD        ib, ia, ia; \
	VCVTDQ2PS     ia, ia; \
	VMULPS.BCST   4 c, Z24, s; \
	VFMADD231PS   s, ia, acc

#define WBLOCK16 \
	VMOVUPS   (SI), Z24; \
	VMOVDQU64 64(SI), Z16; \
	VMOVDQU64 128(SI), Z17; \
	VMOVDQU64 192(SI), Z18; \
	VMOVDQU64 256(SI), Z19; \
	VMOVDQU64 320(SI), Z20; \
	VMOVDQU64 384(SI), Z21; \
	VMOVDQU64 448(SI), Z22; \
	VMOVDQU64 512(SI), Z23

// func tile16VNNI(w *byte, nblocks int, x *byte, xStride int, ntok int, sums *int32, out *float32, outStride int)
//
// tile8VNNI for sixteen rows repacked by repack*x16h (tileBlock16 bytes per
// block: sixteen float32 scales, then eight vectors of 64 bytes, lane r of
// vector g holding quants 4g..4g+3 of row r), one Z register per vector:
//
//	for t := range ntok {
//		var acc [16]float32
//		for b := range nblocks {
//			corr, dx := sums[2*(t*nblocks+b)], float32frombits(sums[2*(t*nblocks+b)+1])
//			for r := range 16 {
//				isum := corr
//				for j := range 32 {
//					isum += int32(u[b][r][j]) * int32(int8(x[t*xStride+b*BlockQ8_0+2+j]))
//				}
//				acc[r] = fma(float32(isum), scale[b][r]*dx, acc[r])
//			}
//		}
//		copy(out[t*outStride:], acc[:])
//	}
TEXT ·tile16VNNI(SB), NOSPLIT, $0-64
	MOVQ xStride+24(FP), R9
	MOVQ ntok+32(FP), BX
	MOVQ nblocks+8(FP), R12
	SHLQ $3, R12
	MOVQ outStride+56(FP), R13
	SHLQ $2, R13
	MOVQ x+16(FP), R14
	MOVQ sums+40(FP), R15
	MOVQ out+48(FP), DX
	CMPQ BX, $4
	JLT  u1start

u4group:
	MOVQ   w+0(FP), SI
	MOVQ   nblocks+8(FP), CX
	MOVQ   R14, DI
	LEAQ   (R14)(R9*2), R8
	MOVQ   R15, R10
	LEAQ   (R15)(R12*2), R11
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

u4block:
	WBLOCK16
	TOKEN16((DI), (R10), Z4, Z12, Z0, Z8)
	TOKEN16((DI)(R9*1), (R10)(R12*1), Z5, Z13, Z1, Z9)
	TOKEN16((R8), (R11), Z6, Z14, Z2, Z10)
	TOKEN16((R8)(R9*1), (R11)(R12*1), Z7, Z15, Z3, Z11)
	ADDQ $576, SI
	ADDQ $34, DI
	ADDQ $34, R8
	ADDQ $8, R10
	ADDQ $8, R11
	DECQ CX
	JNZ  u4block

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, (DX)(R13*1)
	LEAQ    (DX)(R13*2), AX
	VMOVUPS Z2, (AX)
	VMOVUPS Z3, (AX)(R13*1)
	LEAQ    (AX)(R13*2), DX
	LEAQ    (R14)(R9*4), R14
	LEAQ    (R15)(R12*4), R15
	SUBQ    $4, BX
	CMPQ    BX, $4
	JGE     u4group

u1start:
	TESTQ BX, BX
	JZ    udone

u1group:
	MOVQ   w+0(FP), SI
	MOVQ   nblocks+8(FP), CX
	MOVQ   R14, DI
	MOVQ   R15, R10
	VPXORD Z0, Z0, Z0

u1block:
	WBLOCK16
	TOKEN16((DI), (R10), Z4, Z12, Z0, Z8)
	ADDQ $576, SI
	ADDQ $34, DI
	ADDQ $8, R10
	DECQ CX
	JNZ  u1block

	VMOVUPS Z0, (DX)
	ADDQ    R13, DX
	ADDQ    R9, R14
	ADDQ    R12, R15
	DECQ    BX
	JNZ     u1group

udone:
	VZEROUPPER
	RET
