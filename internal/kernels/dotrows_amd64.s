//go:build !purego

#include "textflag.h"

// Multi-row dot products of the 32-element quantized types with Q8_0
// activations, for AVX2 with FMA and F16C (the AVX-512 forms are in
// dotrows_vnni_amd64.s). Each call
// computes eight rows against one activation row. The integer sum of each
// block is exact, in eight int32 lanes; each row keeps a float vector
// accumulator to which every block adds its eight lanes, converted, with
// one fused multiply-add by dw·dx (llama.cpp's order). The lanes of each
// row are added only at the end.

DATA q5shuf<>+0(SB)/8, $0x0000000000000000
DATA q5shuf<>+8(SB)/8, $0x0101010101010101
DATA q5shuf<>+16(SB)/8, $0x0202020202020202
DATA q5shuf<>+24(SB)/8, $0x0303030303030303
GLOBL q5shuf<>(SB), RODATA|NOPTR, $32

DATA q5bits<>+0(SB)/8, $0x7fbfdfeff7fbfdfe
DATA q5bits<>+8(SB)/8, $0x7fbfdfeff7fbfdfe
DATA q5bits<>+16(SB)/8, $0x7fbfdfeff7fbfdfe
DATA q5bits<>+24(SB)/8, $0x7fbfdfeff7fbfdfe
GLOBL q5bits<>(SB), RODATA|NOPTR, $32

DATA bytesF0<>+0(SB)/8, $0xf0f0f0f0f0f0f0f0
DATA bytesF0<>+8(SB)/8, $0xf0f0f0f0f0f0f0f0
DATA bytesF0<>+16(SB)/8, $0xf0f0f0f0f0f0f0f0
DATA bytesF0<>+24(SB)/8, $0xf0f0f0f0f0f0f0f0
GLOBL bytesF0<>(SB), RODATA|NOPTR, $32

DATA bytes0F<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bytes0F<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bytes0F<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA bytes0F<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL bytes0F<>(SB), RODATA|NOPTR, $32

DATA bytes08<>+0(SB)/8, $0x0808080808080808
DATA bytes08<>+8(SB)/8, $0x0808080808080808
DATA bytes08<>+16(SB)/8, $0x0808080808080808
DATA bytes08<>+24(SB)/8, $0x0808080808080808
GLOBL bytes08<>(SB), RODATA|NOPTR, $32

DATA bytes10<>+0(SB)/8, $0x1010101010101010
DATA bytes10<>+8(SB)/8, $0x1010101010101010
DATA bytes10<>+16(SB)/8, $0x1010101010101010
DATA bytes10<>+24(SB)/8, $0x1010101010101010
GLOBL bytes10<>(SB), RODATA|NOPTR, $32

DATA allOnes<>+0(SB)/8, $0xffffffffffffffff
DATA allOnes<>+8(SB)/8, $0xffffffffffffffff
DATA allOnes<>+16(SB)/8, $0xffffffffffffffff
DATA allOnes<>+24(SB)/8, $0xffffffffffffffff
GLOBL allOnes<>(SB), RODATA|NOPTR, $32

DATA words1<>+0(SB)/8, $0x0001000100010001
DATA words1<>+8(SB)/8, $0x0001000100010001
DATA words1<>+16(SB)/8, $0x0001000100010001
DATA words1<>+24(SB)/8, $0x0001000100010001
GLOBL words1<>(SB), RODATA|NOPTR, $32

// SIGNED8 multiplies the signed bytes in Y8 by the activation bytes in Y15
// and leaves eight int32 partial sums in Y8 (|w|·sign(x, w), then pairs).
#define SIGNED8 \
	VPSIGNB    Y8, Y15, Y9; \
	VPABSB     Y8, Y8; \
	VPMADDUBSW Y9, Y8, Y8; \
	VPMADDWD   Y13, Y8, Y8

#define ROWQ8_0(p) \
	VMOVDQU 2(p), Y8; \
	SIGNED8

// UNSIGNED8 multiplies the unsigned quants in Y8 (q, without the offset
// o) by the activation bytes in Y15 and leaves eight int32 partial sums of
// (q−o)·x in Y8: Y10 holds the pair sums of o·x (see XCORR), taken out in
// int16 before the pairs are added.
#define UNSIGNED8 \
	VPMADDUBSW Y15, Y8, Y8; \
	VPSUBW     Y10, Y8, Y8; \
	VPMADDWD   Y13, Y8, Y8

// XCORR sets Y10 to the pair sums of o·x for the offset bytes at c.
#define XCORR(c) \
	VMOVDQU    c<>(SB), Y10; \
	VPMADDUBSW Y15, Y10, Y10

// NIBBLES loads the 16 bytes at a into Y8 as 32 nibbles: low nibbles in
// bytes 0..15, high nibbles in bytes 16..31 (Y11 holds 0x0f bytes).
#define NIBBLES(a) \
	VMOVDQU     a, X8; \
	VPSRLW      $4, X8, X9; \
	VINSERTI128 $1, X9, Y8, Y8; \
	VPAND       Y11, Y8, Y8

// Q5HIGH adds the fifth bits of the Q5_0 block at p (qh) to the nibbles in
// Y8, as 16.
#define Q5HIGH(p) \
	VPBROADCASTD 2(p), Y9; \
	VPSHUFB      q5shuf<>(SB), Y9, Y9; \
	VPOR         q5bits<>(SB), Y9, Y9; \
	VPCMPEQB     allOnes<>(SB), Y9, Y9; \
	VPAND        bytes10<>(SB), Y9, Y9; \
	VPOR         Y9, Y8, Y8

// ROWQ5_0 decodes a Q5_0 block (d, qh, qs) to unsigned bytes q in 0..31.
#define ROWQ5_0(p) \
	NIBBLES(6(p)); \
	Q5HIGH(p); \
	UNSIGNED8

// ROWQ4_0 decodes a Q4_0 block (d, qs) to unsigned bytes q in 0..15.
#define ROWQ4_0(p) \
	NIBBLES(2(p)); \
	UNSIGNED8

// FMAROW adds row r's int32 lanes in Y8, converted, times its scale
// product (the float32 at 4r(SP)) to its accumulator acc.
#define FMAROW(r, acc) \
	VCVTDQ2PS    Y8, Y8; \
	VBROADCASTSS 4*r(SP), Y9; \
	VFMADD231PS  Y9, Y8, acc

// SCALES writes the eight rows' scale products dw·dx (dw halves at offset
// 0 of each row's block, dx broadcast in Y14) to 0(SP).
#define SCALES \
	VPINSRW   $0, (SI), X12, X12; \
	VPINSRW   $1, (R8), X12, X12; \
	VPINSRW   $2, (R9), X12, X12; \
	VPINSRW   $3, (R10), X12, X12; \
	VPINSRW   $4, (R11), X12, X12; \
	VPINSRW   $5, (R12), X12, X12; \
	VPINSRW   $6, (R13), X12, X12; \
	VPINSRW   $7, (BX), X12, X12; \
	VCVTPH2PS X12, Y12; \
	VMULPS    Y14, Y12, Y12; \
	VMOVUPS   Y12, (SP)

// HSUMF adds the eight float lanes of each accumulator Y0..Y7 into lane r
// of Y1 and stores it to out.
#define HSUMF \
	VHADDPS    Y1, Y0, Y0; \
	VHADDPS    Y3, Y2, Y2; \
	VHADDPS    Y5, Y4, Y4; \
	VHADDPS    Y7, Y6, Y6; \
	VHADDPS    Y2, Y0, Y0; \
	VHADDPS    Y6, Y4, Y4; \
	VPERM2F128 $0x20, Y4, Y0, Y1; \
	VPERM2F128 $0x31, Y4, Y0, Y2; \
	VADDPS     Y2, Y1, Y1; \
	VMOVUPS    Y1, (DX)

#define ZEROACC \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7

#define PROLOGUE \
	MOVQ    w+0(FP), SI; \
	MOVQ    stride+8(FP), AX; \
	MOVQ    x+16(FP), DI; \
	MOVQ    nblocks+24(FP), CX; \
	MOVQ    out+32(FP), DX; \
	LEAQ    (SI)(AX*1), R8; \
	LEAQ    (R8)(AX*1), R9; \
	LEAQ    (R9)(AX*1), R10; \
	LEAQ    (R10)(AX*1), R11; \
	LEAQ    (R11)(AX*1), R12; \
	LEAQ    (R12)(AX*1), R13; \
	LEAQ    (R13)(AX*1), BX; \
	SHLQ    $3, AX; \
	MOVQ    AX, R14; \
	VMOVDQU words1<>(SB), Y13; \
	VMOVDQU bytes0F<>(SB), Y11; \
	ZEROACC

#define XBLOCK \
	VMOVDQU      2(DI), Y15; \
	MOVWLZX      (DI), AX; \
	VMOVD        AX, X14; \
	VCVTPH2PS    X14, X14; \
	VBROADCASTSS X14, Y14

// PREFETCH asks for the same block of the eight rows that follow.
#define PREFETCH \
	PREFETCHT1 (SI)(R14*1); \
	PREFETCHT1 (R8)(R14*1); \
	PREFETCHT1 (R9)(R14*1); \
	PREFETCHT1 (R10)(R14*1); \
	PREFETCHT1 (R11)(R14*1); \
	PREFETCHT1 (R12)(R14*1); \
	PREFETCHT1 (R13)(R14*1); \
	PREFETCHT1 (BX)(R14*1)

#define ADVANCE(n) \
	ADDQ $n, SI; \
	ADDQ $n, R8; \
	ADDQ $n, R9; \
	ADDQ $n, R10; \
	ADDQ $n, R11; \
	ADDQ $n, R12; \
	ADDQ $n, R13; \
	ADDQ $n, BX; \
	ADDQ $34, DI; \
	DECQ CX

#define EIGHTROWS(ROW) \
	ROW(SI); FMAROW(0, Y0); \
	ROW(R8); FMAROW(1, Y1); \
	ROW(R9); FMAROW(2, Y2); \
	ROW(R10); FMAROW(3, Y3); \
	ROW(R11); FMAROW(4, Y4); \
	ROW(R12); FMAROW(5, Y5); \
	ROW(R13); FMAROW(6, Y6); \
	ROW(BX); FMAROW(7, Y7)

// func dotQ8_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)
TEXT ·dotQ8_0Rows8(SB), NOSPLIT, $32-40
	PROLOGUE
	TESTQ CX, CX
	JZ    q80done

q80loop:
	XBLOCK
	PREFETCH
	SCALES
	EIGHTROWS(ROWQ8_0)
	ADVANCE(34)
	JNZ q80loop

q80done:
	HSUMF
	VZEROUPPER
	RET

// func dotQ8_0Rows8NP(w *byte, stride int, x *byte, nblocks int, out *float32)
TEXT ·dotQ8_0Rows8NP(SB), NOSPLIT, $32-40
	PROLOGUE
	TESTQ CX, CX
	JZ    q80npdone

q80nploop:
	XBLOCK
	SCALES
	EIGHTROWS(ROWQ8_0)
	ADVANCE(34)
	JNZ q80nploop

q80npdone:
	HSUMF
	VZEROUPPER
	RET

// func dotQ8_0R8(w *byte, stride int, x *byte, nblocks int, out *float32)
//
// dotQ8_0Rows8NP on interleaved rows (stride 34, each row's next block
// 8·34 bytes on).
TEXT ·dotQ8_0R8(SB), NOSPLIT, $32-40
	PROLOGUE
	TESTQ CX, CX
	JZ    q8r8done

q8r8loop:
	XBLOCK
	SCALES
	EIGHTROWS(ROWQ8_0)
	ADVANCE(272)
	JNZ q8r8loop

q8r8done:
	HSUMF
	VZEROUPPER
	RET

// func dotQ5_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)
TEXT ·dotQ5_0Rows8(SB), NOSPLIT, $32-40
	PROLOGUE
	TESTQ CX, CX
	JZ    q50done

q50loop:
	XBLOCK
	XCORR(bytes10)
	PREFETCH
	SCALES
	EIGHTROWS(ROWQ5_0)
	ADVANCE(22)
	JNZ q50loop

q50done:
	HSUMF
	VZEROUPPER
	RET

// func dotQ4_0Rows8(w *byte, stride int, x *byte, nblocks int, out *float32)
TEXT ·dotQ4_0Rows8(SB), NOSPLIT, $32-40
	PROLOGUE
	TESTQ CX, CX
	JZ    q40done

q40loop:
	XBLOCK
	XCORR(bytes08)
	PREFETCH
	SCALES
	EIGHTROWS(ROWQ4_0)
	ADVANCE(18)
	JNZ q40loop

q40done:
	HSUMF
	VZEROUPPER
	RET

// func repackQ5_0(dst *byte, src *byte, nblocks int)
//
// Rewrites nblocks consecutive Q5_0 blocks as Q8_0 blocks: the same scale,
// quants q−16 as bytes.
TEXT ·repackQ5_0Blocks(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    nblocks+16(FP), CX
	VMOVDQU bytes0F<>(SB), Y11
	TESTQ   CX, CX
	JZ      rpdone

rploop:
	VMOVDQU      6(SI), X8
	VPSRLW       $4, X8, X9
	VINSERTI128  $1, X9, Y8, Y8
	VPAND        Y11, Y8, Y8
	VPBROADCASTD 2(SI), Y9
	VPSHUFB      q5shuf<>(SB), Y9, Y9
	VPOR         q5bits<>(SB), Y9, Y9
	VPCMPEQB     allOnes<>(SB), Y9, Y9
	VPANDN       bytesF0<>(SB), Y9, Y9
	VPOR         Y9, Y8, Y8
	MOVW         (SI), AX
	MOVW         AX, (DI)
	VMOVDQU      Y8, 2(DI)
	ADDQ         $22, SI
	ADDQ         $34, DI
	DECQ         CX
	JNZ          rploop

rpdone:
	VZEROUPPER
	RET
