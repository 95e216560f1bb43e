//go:build !purego

#include "textflag.h"

// The prompt kernel of Q8_0 for AVX-512 VNNI (EVEX-encoded 256-bit
// VPDPBUSD): eight weight rows of one block are held in registers while
// every token of the batch passes, so each (row, token, block) costs one
// fused multiply-add of bytes. VPDPBUSD multiplies unsigned by signed
// bytes, so the activations are offset by 128 (x XOR 0x80) and 128·Σw,
// computed once per row and block, is taken back: the integer sums are
// exact, and the float sums follow the reference, block by block.

DATA vnni80<>+0(SB)/8, $0x8080808080808080
DATA vnni80<>+8(SB)/8, $0x8080808080808080
DATA vnni80<>+16(SB)/8, $0x8080808080808080
DATA vnni80<>+24(SB)/8, $0x8080808080808080
GLOBL vnni80<>(SB), RODATA|NOPTR, $32

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

// DOT8(u) adds the products of the unsigned bytes u with the eight rows.
#define DOT8(u) \
	VPDPBUSD Y16, u, Y0; \
	VPDPBUSD Y17, u, Y1; \
	VPDPBUSD Y18, u, Y2; \
	VPDPBUSD Y19, u, Y3; \
	VPDPBUSD Y20, u, Y4; \
	VPDPBUSD Y21, u, Y5; \
	VPDPBUSD Y22, u, Y6; \
	VPDPBUSD Y23, u, Y7

// func dotQ8_0TileVNNI(w *byte, stride int, x *byte, xStride int, ntok int, nblocks int, acc *float32)
//
// For eight rows of Q8_0 weights and ntok rows of Q8_0 activations, adds
// block by block into acc[8*t+r] (zeroed by the caller) what
// DotQ8_0Q8_0(w[r*stride:], x[t*xStride:], nblocks) adds.
TEXT ·dotQ8_0TileVNNI(SB), NOSPLIT, $0-56
	MOVQ      w+0(FP), SI
	MOVQ      stride+8(FP), R12
	MOVQ      x+16(FP), DI
	MOVQ      xStride+24(FP), R14
	MOVQ      nblocks+40(FP), CX
	MOVQ      acc+48(FP), DX
	LEAQ      (SI)(R12*2), R13
	ADDQ      R12, R13            // row 3
	LEAQ      (R13)(R12*2), R8
	ADDQ      R12, R8             // row 6
	VMOVDQU64 vnni80<>(SB), Y26
	TESTQ     CX, CX
	JZ        vdone

vblock:
	VMOVDQU64 2(SI), Y16
	VMOVDQU64 2(SI)(R12*1), Y17
	VMOVDQU64 2(SI)(R12*2), Y18
	VMOVDQU64 2(R13), Y19
	VMOVDQU64 2(SI)(R12*4), Y20
	VMOVDQU64 2(R13)(R12*2), Y21
	VMOVDQU64 2(R8), Y22
	VMOVDQU64 2(R13)(R12*4), Y23
	VPINSRW   $0, (SI), X10, X10
	VPINSRW   $1, (SI)(R12*1), X10, X10
	VPINSRW   $2, (SI)(R12*2), X10, X10
	VPINSRW   $3, (R13), X10, X10
	VPINSRW   $4, (SI)(R12*4), X10, X10
	VPINSRW   $5, (R13)(R12*2), X10, X10
	VPINSRW   $6, (R8), X10, X10
	VPINSRW   $7, (R13)(R12*4), X10, X10
	VCVTPH2PS X10, Y10

	// 128·Σw of each row, taken back from every token's sums.
	ZERO8
	DOT8(Y26)
	TREE8
	VMOVDQA Y1, Y11

	MOVQ ntok+32(FP), R9
	MOVQ DI, R10
	MOVQ DX, R11

vtoken:
	VMOVDQU      2(R10), Y15
	VPXORD       Y26, Y15, Y15
	VPBROADCASTW (R10), X14
	VCVTPH2PS    X14, Y14
	ZERO8
	DOT8(Y15)
	TREE8
	VPSUBD       Y11, Y1, Y1
	VCVTDQ2PS    Y1, Y1
	VMULPS       Y14, Y10, Y9
	VMULPS       Y9, Y1, Y1
	VADDPS       (R11), Y1, Y1
	VMOVUPS      Y1, (R11)
	ADDQ         R14, R10
	ADDQ         $32, R11
	DECQ         R9
	JNZ          vtoken

	ADDQ $34, SI
	ADDQ $34, R13
	ADDQ $34, R8
	ADDQ $34, DI
	DECQ CX
	JNZ  vblock

vdone:
	VZEROUPPER
	RET
