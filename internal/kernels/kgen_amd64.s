//go:build !purego

#include "textflag.h"

// Generation kernels for the K-quants in the llama.cpp style: each
// super-block's products are summed exactly in int32 (VPMADDUBSW, then
// VPMADDWD with the sub-block scales), converted to float32 once per
// super-block and fused into a float accumulator. The float sums are in a
// different order from the reference (which keeps eight lanes by element
// index mod 8), so results differ from it by float rounding only.

// gk4s<k>: VPSHUFB masks broadcasting int16 k of each 128-bit lane.
// gk6s<k>: int16 2k in the low lane and 2k+1 in the high lane.
DATA gk4s0<>+0(SB)/8, $0x0100010001000100
DATA gk4s0<>+8(SB)/8, $0x0100010001000100
DATA gk4s0<>+16(SB)/8, $0x0100010001000100
DATA gk4s0<>+24(SB)/8, $0x0100010001000100
GLOBL gk4s0<>(SB), RODATA|NOPTR, $32

DATA gk4s1<>+0(SB)/8, $0x0302030203020302
DATA gk4s1<>+8(SB)/8, $0x0302030203020302
DATA gk4s1<>+16(SB)/8, $0x0302030203020302
DATA gk4s1<>+24(SB)/8, $0x0302030203020302
GLOBL gk4s1<>(SB), RODATA|NOPTR, $32

DATA gk4s2<>+0(SB)/8, $0x0504050405040504
DATA gk4s2<>+8(SB)/8, $0x0504050405040504
DATA gk4s2<>+16(SB)/8, $0x0504050405040504
DATA gk4s2<>+24(SB)/8, $0x0504050405040504
GLOBL gk4s2<>(SB), RODATA|NOPTR, $32

DATA gk4s3<>+0(SB)/8, $0x0706070607060706
DATA gk4s3<>+8(SB)/8, $0x0706070607060706
DATA gk4s3<>+16(SB)/8, $0x0706070607060706
DATA gk4s3<>+24(SB)/8, $0x0706070607060706
GLOBL gk4s3<>(SB), RODATA|NOPTR, $32

DATA gk4s4<>+0(SB)/8, $0x0908090809080908
DATA gk4s4<>+8(SB)/8, $0x0908090809080908
DATA gk4s4<>+16(SB)/8, $0x0908090809080908
DATA gk4s4<>+24(SB)/8, $0x0908090809080908
GLOBL gk4s4<>(SB), RODATA|NOPTR, $32

DATA gk4s5<>+0(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA gk4s5<>+8(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA gk4s5<>+16(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA gk4s5<>+24(SB)/8, $0x0b0a0b0a0b0a0b0a
GLOBL gk4s5<>(SB), RODATA|NOPTR, $32

DATA gk4s6<>+0(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA gk4s6<>+8(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA gk4s6<>+16(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA gk4s6<>+24(SB)/8, $0x0d0c0d0c0d0c0d0c
GLOBL gk4s6<>(SB), RODATA|NOPTR, $32

DATA gk4s7<>+0(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA gk4s7<>+8(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA gk4s7<>+16(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA gk4s7<>+24(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL gk4s7<>(SB), RODATA|NOPTR, $32

DATA gk6s0<>+0(SB)/8, $0x0100010001000100
DATA gk6s0<>+8(SB)/8, $0x0100010001000100
DATA gk6s0<>+16(SB)/8, $0x0302030203020302
DATA gk6s0<>+24(SB)/8, $0x0302030203020302
GLOBL gk6s0<>(SB), RODATA|NOPTR, $32

DATA gk6s1<>+0(SB)/8, $0x0504050405040504
DATA gk6s1<>+8(SB)/8, $0x0504050405040504
DATA gk6s1<>+16(SB)/8, $0x0706070607060706
DATA gk6s1<>+24(SB)/8, $0x0706070607060706
GLOBL gk6s1<>(SB), RODATA|NOPTR, $32

DATA gk6s2<>+0(SB)/8, $0x0908090809080908
DATA gk6s2<>+8(SB)/8, $0x0908090809080908
DATA gk6s2<>+16(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA gk6s2<>+24(SB)/8, $0x0b0a0b0a0b0a0b0a
GLOBL gk6s2<>(SB), RODATA|NOPTR, $32

DATA gk6s3<>+0(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA gk6s3<>+8(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA gk6s3<>+16(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA gk6s3<>+24(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL gk6s3<>(SB), RODATA|NOPTR, $32

DATA gbytes0F<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA gbytes0F<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA gbytes0F<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA gbytes0F<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL gbytes0F<>(SB), RODATA|NOPTR, $32

DATA gbytes30<>+0(SB)/8, $0x3030303030303030
DATA gbytes30<>+8(SB)/8, $0x3030303030303030
DATA gbytes30<>+16(SB)/8, $0x3030303030303030
DATA gbytes30<>+24(SB)/8, $0x3030303030303030
GLOBL gbytes30<>(SB), RODATA|NOPTR, $32

// Q4KG handles bytes 32j..32j+31 of a Q4_K block's quants: sub-block 2j
// (low nibbles) and 2j+1 (high nibbles), scales broadcast from Y0.
#define Q4KG(wo, xo, m0, m1) \
	VMOVDQU    wo(SI), Y1; \
	VPSRLW     $4, Y1, Y2; \
	VPAND      Y15, Y1, Y1; \
	VPAND      Y15, Y2, Y2; \
	VPMADDUBSW xo(DI), Y1, Y1; \
	VPMADDUBSW 32+xo(DI), Y2, Y2; \
	VPSHUFB    m0<>(SB), Y0, Y3; \
	VPSHUFB    m1<>(SB), Y0, Y4; \
	VPMADDWD   Y3, Y1, Y1; \
	VPMADDWD   Y4, Y2, Y2; \
	VPADDD     Y1, Y8, Y8; \
	VPADDD     Y2, Y9, Y9

// func dotQ4KG(w, x *byte, nblocks int) float32
TEXT ·dotQ4KG(SB), NOSPLIT, $0-28
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    nblocks+16(FP), CX
	VXORPS  Y12, Y12, Y12
	VXORPS  X11, X11, X11
	VMOVDQU gbytes0F<>(SB), Y15
	TESTQ   CX, CX
	JZ      q4gdone

q4gloop:
	// Ask for the bytes 2 KiB further on (this row's later blocks or the
	// rows after it; prefetches past the end of the weights do not fault).
	PREFETCHT0 2048(SI)
	PREFETCHT0 2112(SI)
	PREFETCHT0 2176(SI)

	// Unpack the 6-bit scales (AX) and mins (R11), eight bytes each.
	MOVL  4(SI), AX
	MOVL  8(SI), BX
	MOVL  12(SI), R8
	MOVL  R8, R9
	SHRL  $4, R9
	ANDL  $0x0f0f0f0f, R9
	MOVL  BX, R10
	SHRL  $6, R10
	ANDL  $0x03030303, R10
	SHLL  $4, R10
	ORL   R10, R9
	MOVL  BX, R11
	ANDL  $0x3f3f3f3f, R11
	MOVL  R8, R10
	ANDL  $0x0f0f0f0f, R10
	MOVL  AX, R12
	SHRL  $6, R12
	ANDL  $0x03030303, R12
	SHLL  $4, R12
	ORL   R12, R10
	ANDL  $0x3f3f3f3f, AX
	SHLQ  $32, R10
	ORQ   R10, AX
	SHLQ  $32, R9
	ORQ   R9, R11
	VMOVQ AX, X0
	VPMOVZXBW X0, X0
	VINSERTI128 $1, X0, Y0, Y0

	// Mins times the sub-block sums of the activations, into X11.
	VMOVQ        R11, X1
	VPMOVZXBW    X1, X1
	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VPMADDWD     X2, X1, X1
	VCVTDQ2PS    X1, X1
	VMOVSS       (DI), X7
	MOVWLZX      2(SI), R12
	VMOVD        R12, X5
	VCVTPH2PS    X5, X5
	VMULSS       X7, X5, X5
	VBROADCASTSS X5, X5
	VFMADD231PS  X1, X5, X11

	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	Q4KG(16, 4, gk4s0, gk4s1)
	Q4KG(48, 68, gk4s2, gk4s3)
	Q4KG(80, 132, gk4s4, gk4s5)
	Q4KG(112, 196, gk4s6, gk4s7)

	VPADDD       Y9, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	MOVWLZX      (SI), R12
	VMOVD        R12, X6
	VCVTPH2PS    X6, X6
	VMULSS       X7, X6, X6
	VBROADCASTSS X6, Y6
	VFMADD231PS  Y8, Y6, Y12

	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4gloop

q4gdone:
	VEXTRACTF128 $1, Y12, X0
	VADDPS       X0, X12, X12
	VSUBPS       X11, X12, X12
	VPSHUFD      $0x4E, X12, X0
	VADDPS       X0, X12, X12
	VPSHUFD      $0xB1, X12, X0
	VADDPS       X0, X12, X12
	VMOVSS       X12, ret+24(FP)
	VZEROUPPER
	RET

// Q6KG multiplies the 6-bit quants q (unsigned, without the −32) by the 32
// activations at xo, scales them with mask m and adds them to acc.
#define Q6KG(q, xo, m, acc) \
	VPMADDUBSW xo(DI), q, q; \
	VPSHUFB    m<>(SB), Y0, Y11; \
	VPMADDWD   Y11, q, q; \
	VPADDD     q, acc, acc

// Q6HALFG handles half h of a Q6_K block: ql at lo, qh at ho, scales at
// so, activations at xo.
#define Q6HALFG(lo, ho, so, xo) \
	VPMOVSXBW   so(SI), X0; \
	VINSERTI128 $1, X0, Y0, Y0; \
	VMOVDQU     lo(SI), Y1; \
	VMOVDQU     32+lo(SI), Y2; \
	VMOVDQU     ho(SI), Y3; \
	VPAND       Y15, Y1, Y4; \
	VPSLLW      $4, Y3, Y5; \
	VPAND       Y10, Y5, Y5; \
	VPOR        Y5, Y4, Y4; \
	VPAND       Y15, Y2, Y6; \
	VPSLLW      $2, Y3, Y5; \
	VPAND       Y10, Y5, Y5; \
	VPOR        Y5, Y6, Y6; \
	VPSRLW      $4, Y1, Y7; \
	VPAND       Y15, Y7, Y7; \
	VPAND       Y10, Y3, Y5; \
	VPOR        Y5, Y7, Y7; \
	VPSRLW      $4, Y2, Y9; \
	VPAND       Y15, Y9, Y9; \
	VPSRLW      $2, Y3, Y5; \
	VPAND       Y10, Y5, Y5; \
	VPOR        Y5, Y9, Y9; \
	Q6KG(Y4, xo, gk6s0, Y8); \
	Q6KG(Y6, 32+xo, gk6s1, Y13); \
	Q6KG(Y7, 64+xo, gk6s2, Y8); \
	Q6KG(Y9, 96+xo, gk6s3, Y13)

// func dotQ6KG(w, x *byte, nblocks int) float32
TEXT ·dotQ6KG(SB), NOSPLIT, $0-28
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    nblocks+16(FP), CX
	VXORPS  Y12, Y12, Y12
	VMOVDQU gbytes0F<>(SB), Y15
	VMOVDQU gbytes30<>(SB), Y10
	TESTQ   CX, CX
	JZ      q6gdone

q6gloop:

	// The −32 of every quant, through the activations' sums of 16:
	// Y8 starts at −32·Σ sc·bsum.
	VPMOVSXBW 192(SI), Y5
	VPMADDWD  260(DI), Y5, Y5
	VPSLLD    $5, Y5, Y5
	VPXOR     Y8, Y8, Y8
	VPSUBD    Y5, Y8, Y8
	VPXOR     Y13, Y13, Y13

	Q6HALFG(0, 128, 192, 4)
	Q6HALFG(64, 160, 200, 132)

	VPADDD       Y13, Y8, Y8
	VCVTDQ2PS    Y8, Y8
	MOVWLZX      208(SI), R12
	VMOVD        R12, X6
	VCVTPH2PS    X6, X6
	VMULSS       (DI), X6, X6
	VBROADCASTSS X6, Y6
	VFMADD231PS  Y8, Y6, Y12

	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q6gloop

q6gdone:
	VEXTRACTF128 $1, Y12, X0
	VADDPS       X0, X12, X12
	VPSHUFD      $0x4E, X12, X0
	VADDPS       X0, X12, X12
	VPSHUFD      $0xB1, X12, X0
	VADDPS       X0, X12, X12
	VMOVSS       X12, ret+24(FP)
	VZEROUPPER
	RET

// Q4KG2 is Q4KG for two tokens (activations at DI and DX): the decoded
// quants and broadcast scales are shared.
#define Q4KG2(wo, xo, m0, m1) \
	VMOVDQU    wo(SI), Y1; \
	VPSRLW     $4, Y1, Y2; \
	VPAND      Y15, Y1, Y1; \
	VPAND      Y15, Y2, Y2; \
	VPSHUFB    m0<>(SB), Y0, Y3; \
	VPSHUFB    m1<>(SB), Y0, Y4; \
	VPMADDUBSW xo(DI), Y1, Y5; \
	VPMADDUBSW 32+xo(DI), Y2, Y6; \
	VPMADDUBSW xo(DX), Y1, Y7; \
	VPMADDUBSW 32+xo(DX), Y2, Y10; \
	VPMADDWD   Y3, Y5, Y5; \
	VPMADDWD   Y4, Y6, Y6; \
	VPMADDWD   Y3, Y7, Y7; \
	VPMADDWD   Y4, Y10, Y10; \
	VPADDD     Y5, Y8, Y8; \
	VPADDD     Y7, Y9, Y9; \
	VPADDD     Y6, Y8, Y8; \
	VPADDD     Y10, Y9, Y9

// Q4KMINS adds dmin·dx·(mins · the sub-block sums of the activations at
// xr) to acc; mins are in X1 (int16), dmin (float32) in X2.
#define Q4KMINS(xr, acc) \
	VMOVDQU      260(xr), Y3; \
	VEXTRACTI128 $1, Y3, X4; \
	VPHADDW      X4, X3, X3; \
	VPMADDWD     X3, X1, X3; \
	VCVTDQ2PS    X3, X3; \
	VMULSS       (xr), X2, X4; \
	VBROADCASTSS X4, X4; \
	VFMADD231PS  X3, X4, acc

// Q4KFLUSH adds d·dx·Σ of the int32 sums isum to the float sums acc; d
// (float32) in X2.
#define Q4KFLUSH(xr, isum, acc) \
	VCVTDQ2PS    isum, isum; \
	VMULSS       (xr), X2, X4; \
	VBROADCASTSS X4, Y4; \
	VFMADD231PS  isum, Y4, acc

// Q4KHSUM leaves in the low float of acc (yacc's low half) the sum of
// yacc's lanes less those of m.
#define Q4KHSUM(yacc, acc, m) \
	VEXTRACTF128 $1, yacc, X0; \
	VADDPS       X0, acc, acc; \
	VSUBPS       m, acc, acc; \
	VPSHUFD      $0x4E, acc, X0; \
	VADDPS       X0, acc, acc; \
	VPSHUFD      $0xB1, acc, X0; \
	VADDPS       X0, acc, acc

// func dotQ4KG2(w, x0, x1 *byte, nblocks int, out *float32)
TEXT ·dotQ4KG2(SB), NOSPLIT, $0-40
	MOVQ    w+0(FP), SI
	MOVQ    x0+8(FP), DI
	MOVQ    x1+16(FP), DX
	MOVQ    nblocks+24(FP), CX
	VXORPS  Y12, Y12, Y12
	VXORPS  Y13, Y13, Y13
	VXORPS  X11, X11, X11
	VXORPS  X14, X14, X14
	VMOVDQU gbytes0F<>(SB), Y15
	TESTQ   CX, CX
	JZ      q4g2done

q4g2loop:
	MOVL  4(SI), AX
	MOVL  8(SI), BX
	MOVL  12(SI), R8
	MOVL  R8, R9
	SHRL  $4, R9
	ANDL  $0x0f0f0f0f, R9
	MOVL  BX, R10
	SHRL  $6, R10
	ANDL  $0x03030303, R10
	SHLL  $4, R10
	ORL   R10, R9
	MOVL  BX, R11
	ANDL  $0x3f3f3f3f, R11
	MOVL  R8, R10
	ANDL  $0x0f0f0f0f, R10
	MOVL  AX, R12
	SHRL  $6, R12
	ANDL  $0x03030303, R12
	SHLL  $4, R12
	ORL   R12, R10
	ANDL  $0x3f3f3f3f, AX
	SHLQ  $32, R10
	ORQ   R10, AX
	SHLQ  $32, R9
	ORQ   R9, R11

	VMOVQ     R11, X1
	VPMOVZXBW X1, X1
	MOVWLZX   2(SI), R12
	VMOVD     R12, X2
	VCVTPH2PS X2, X2
	Q4KMINS(DI, X11)
	Q4KMINS(DX, X14)

	VMOVQ       AX, X0
	VPMOVZXBW   X0, X0
	VINSERTI128 $1, X0, Y0, Y0
	VPXOR       Y8, Y8, Y8
	VPXOR       Y9, Y9, Y9
	Q4KG2(16, 4, gk4s0, gk4s1)
	Q4KG2(48, 68, gk4s2, gk4s3)
	Q4KG2(80, 132, gk4s4, gk4s5)
	Q4KG2(112, 196, gk4s6, gk4s7)

	MOVWLZX   (SI), R12
	VMOVD     R12, X2
	VCVTPH2PS X2, X2
	Q4KFLUSH(DI, Y8, Y12)
	Q4KFLUSH(DX, Y9, Y13)

	ADDQ $144, SI
	ADDQ $292, DI
	ADDQ $292, DX
	DECQ CX
	JNZ  q4g2loop

q4g2done:
	MOVQ    out+32(FP), AX
	Q4KHSUM(Y12, X12, X11)
	VMOVSS  X12, (AX)
	Q4KHSUM(Y13, X13, X14)
	VMOVSS  X13, 4(AX)
	VZEROUPPER
	RET
