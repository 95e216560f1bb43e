//go:build !purego

#include "textflag.h"

// K-quant dot products with Q8_K activations for AVX2. The reference sums
// the integer products of each super-block in eight lanes by element index
// mod 8, then scales each lane in float32. To keep those lanes, each
// 16-byte half of weights and activations is shuffled so that elements k
// and k+8 sit side by side: VPMADDUBSW then adds products of the same lane,
// and VPMADDWD pairs two sub-blocks of the same lane with their scales.

DATA kperm<>+0(SB)/8, $0x0b030a0209010800
DATA kperm<>+8(SB)/8, $0x0f070e060d050c04
DATA kperm<>+16(SB)/8, $0x0b030a0209010800
DATA kperm<>+24(SB)/8, $0x0f070e060d050c04
GLOBL kperm<>(SB), RODATA|NOPTR, $32

DATA kbytes0F<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA kbytes0F<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA kbytes0F<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA kbytes0F<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL kbytes0F<>(SB), RODATA|NOPTR, $32

DATA kbytes20<>+0(SB)/8, $0x2020202020202020
DATA kbytes20<>+8(SB)/8, $0x2020202020202020
DATA kbytes20<>+16(SB)/8, $0x2020202020202020
DATA kbytes20<>+24(SB)/8, $0x2020202020202020
GLOBL kbytes20<>(SB), RODATA|NOPTR, $32

DATA kbytes03<>+0(SB)/8, $0x0303030303030303
DATA kbytes03<>+8(SB)/8, $0x0303030303030303
DATA kbytes03<>+16(SB)/8, $0x0303030303030303
DATA kbytes03<>+24(SB)/8, $0x0303030303030303
GLOBL kbytes03<>(SB), RODATA|NOPTR, $32

DATA kbytes0C<>+0(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA kbytes0C<>+8(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA kbytes0C<>+16(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA kbytes0C<>+24(SB)/8, $0x0c0c0c0c0c0c0c0c
GLOBL kbytes0C<>(SB), RODATA|NOPTR, $32

DATA kbytes30<>+0(SB)/8, $0x3030303030303030
DATA kbytes30<>+8(SB)/8, $0x3030303030303030
DATA kbytes30<>+16(SB)/8, $0x3030303030303030
DATA kbytes30<>+24(SB)/8, $0x3030303030303030
GLOBL kbytes30<>(SB), RODATA|NOPTR, $32

DATA kbytesC0<>+0(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA kbytesC0<>+8(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA kbytesC0<>+16(SB)/8, $0xc0c0c0c0c0c0c0c0
DATA kbytesC0<>+24(SB)/8, $0xc0c0c0c0c0c0c0c0
GLOBL kbytesC0<>(SB), RODATA|NOPTR, $32

// Q6_K scale pairs: from the eight int16 scales c0..c7 of a half in both
// lanes, (c0, c2) in the low lane and (c1, c3) in the high lane; likewise
// (c4, c6) and (c5, c7).
DATA q6s12<>+0(SB)/8, $0x0504010005040100
DATA q6s12<>+8(SB)/8, $0x0504010005040100
DATA q6s12<>+16(SB)/8, $0x0706030207060302
DATA q6s12<>+24(SB)/8, $0x0706030207060302
GLOBL q6s12<>(SB), RODATA|NOPTR, $32

DATA q6s34<>+0(SB)/8, $0x0d0c09080d0c0908
DATA q6s34<>+8(SB)/8, $0x0d0c09080d0c0908
DATA q6s34<>+16(SB)/8, $0x0f0e0b0a0f0e0b0a
DATA q6s34<>+24(SB)/8, $0x0f0e0b0a0f0e0b0a
GLOBL q6s34<>(SB), RODATA|NOPTR, $32

// Q4KSUB handles bytes 32j..32j+31 of a Q4_K block's quants: sub-blocks 2j
// (low nibbles) and 2j+1 (high nibbles) against activations 64j..64j+63.
#define Q4KSUB(wo, xo, sh) \
	VMOVDQU      wo(SI), Y1; \
	VPSRLW       $4, Y1, Y2; \
	VPAND        Y14, Y1, Y1; \
	VPAND        Y14, Y2, Y2; \
	VPSHUFB      Y13, Y1, Y1; \
	VPSHUFB      Y13, Y2, Y2; \
	VMOVDQU      xo(DI), Y3; \
	VMOVDQU      32+xo(DI), Y4; \
	VPSHUFB      Y13, Y3, Y3; \
	VPSHUFB      Y13, Y4, Y4; \
	VPMADDUBSW   Y3, Y1, Y1; \
	VPMADDUBSW   Y4, Y2, Y2; \
	VPUNPCKLWD   Y2, Y1, Y3; \
	VPUNPCKHWD   Y2, Y1, Y4; \
	VPSHUFD      $sh, Y0, Y5; \
	VPMADDWD     Y5, Y3, Y3; \
	VPMADDWD     Y5, Y4, Y4; \
	VPADDD       Y3, Y8, Y8; \
	VPADDD       Y4, Y9, Y9

// LANES8 adds the int32 lane sums Y8 (lanes 0-3 twice) and Y9 (lanes 4-7
// twice), converts them to float32, multiplies by the broadcast scale in
// X6 and adds them to the lane sums Y12.
#define LANES8 \
	VPERM2I128   $0x20, Y9, Y8, Y3; \
	VPERM2I128   $0x31, Y9, Y8, Y4; \
	VPADDD       Y4, Y3, Y3; \
	VCVTDQ2PS    Y3, Y3; \
	VBROADCASTSS X6, Y6; \
	VMULPS       Y3, Y6, Y3; \
	VADDPS       Y3, Y12, Y12

// KSUMS adds the eight lanes of Y12 in order to the scalar X11, as kSums.
#define KSUMS \
	VADDSS       X12, X11, X11; \
	VPSHUFD      $0x55, X12, X0; \
	VADDSS       X0, X11, X11; \
	VPSHUFD      $0xAA, X12, X0; \
	VADDSS       X0, X11, X11; \
	VPSHUFD      $0xFF, X12, X0; \
	VADDSS       X0, X11, X11; \
	VEXTRACTF128 $1, Y12, X1; \
	VADDSS       X1, X11, X11; \
	VPSHUFD      $0x55, X1, X0; \
	VADDSS       X0, X11, X11; \
	VPSHUFD      $0xAA, X1, X0; \
	VADDSS       X0, X11, X11; \
	VPSHUFD      $0xFF, X1, X0; \
	VADDSS       X0, X11, X11

// func dotQ4K(w, x *byte, nblocks int) float32
TEXT ·dotQ4K(SB), NOSPLIT, $0-28
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    nblocks+16(FP), CX
	VXORPS  Y12, Y12, Y12
	VXORPS  X11, X11, X11
	VMOVDQU kperm<>(SB), Y13
	VMOVDQU kbytes0F<>(SB), Y14
	TESTQ   CX, CX
	JZ      q4kdone

q4kloop:
	// Unpack the 6-bit scales and mins (as ggml's kmask code does).
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
	VMOVQ R11, X1
	VPMOVZXBW X1, X1

	// Mins times the sub-block sums of the activations.
	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VPMADDWD     X2, X1, X1
	VPHADDD      X1, X1, X1
	VPHADDD      X1, X1, X1
	VCVTDQ2PS    X1, X1
	VMOVSS       (DI), X7
	MOVWLZX      2(SI), AX
	VMOVD        AX, X5
	VCVTPH2PS    X5, X5
	VMULSS       X7, X5, X5
	VMULSS       X1, X5, X5
	VSUBSS       X5, X11, X11

	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	Q4KSUB(16, 4, 0x00)
	Q4KSUB(48, 68, 0x55)
	Q4KSUB(80, 132, 0xAA)
	Q4KSUB(112, 196, 0xFF)

	MOVWLZX   (SI), AX
	VMOVD     AX, X6
	VCVTPH2PS X6, X6
	VMULSS    X7, X6, X6
	LANES8

	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4kloop

q4kdone:
	KSUMS
	VMOVSS  X11, ret+24(FP)
	VZEROUPPER
	RET

// Q6DOT turns the 6-bit quants u (unsigned) into lane sums of (u−32)·x
// against the 32 activations at xo.
#define Q6DOT(u, xo) \
	VPSHUFB    Y13, u, u; \
	VMOVDQU    xo(DI), Y10; \
	VPSHUFB    Y13, Y10, Y10; \
	VPMADDUBSW Y10, u, u; \
	VPMADDUBSW Y10, Y15, Y10; \
	VPSUBW     Y10, u, u

// Q6HALF handles half h of a Q6_K block: ql at lo, qh at ho, scales at so,
// activations at xo.
#define Q6HALF(lo, ho, so, xo) \
	VPMOVSXBW   so(SI), X5; \
	VINSERTI128 $1, X5, Y5, Y5; \
	VPSHUFB     q6s12<>(SB), Y5, Y6; \
	VPSHUFB     q6s34<>(SB), Y5, Y7; \
	VMOVDQU     lo(SI), Y0; \
	VMOVDQU     32+lo(SI), Y1; \
	VMOVDQU     ho(SI), Y2; \
	VPAND       Y14, Y0, Y3; \
	VPAND       kbytes03<>(SB), Y2, Y4; \
	VPSLLW      $4, Y4, Y4; \
	VPOR        Y4, Y3, Y3; \
	VPAND       Y14, Y1, Y4; \
	VPAND       kbytes0C<>(SB), Y2, Y5; \
	VPSLLW      $2, Y5, Y5; \
	VPOR        Y5, Y4, Y4; \
	Q6DOT(Y3, xo); \
	Q6DOT(Y4, 32+xo); \
	VPUNPCKLWD  Y4, Y3, Y10; \
	VPUNPCKHWD  Y4, Y3, Y11; \
	VPMADDWD    Y6, Y10, Y10; \
	VPMADDWD    Y6, Y11, Y11; \
	VPADDD      Y10, Y8, Y8; \
	VPADDD      Y11, Y9, Y9; \
	VPSRLW      $4, Y0, Y3; \
	VPAND       Y14, Y3, Y3; \
	VPAND       kbytes30<>(SB), Y2, Y4; \
	VPOR        Y4, Y3, Y3; \
	VPSRLW      $4, Y1, Y4; \
	VPAND       Y14, Y4, Y4; \
	VPAND       kbytesC0<>(SB), Y2, Y5; \
	VPSRLW      $2, Y5, Y5; \
	VPOR        Y5, Y4, Y4; \
	Q6DOT(Y3, 64+xo); \
	Q6DOT(Y4, 96+xo); \
	VPUNPCKLWD  Y4, Y3, Y10; \
	VPUNPCKHWD  Y4, Y3, Y11; \
	VPMADDWD    Y7, Y10, Y10; \
	VPMADDWD    Y7, Y11, Y11; \
	VPADDD      Y10, Y8, Y8; \
	VPADDD      Y11, Y9, Y9

// func dotQ6K(w, x *byte, nblocks int) float32
TEXT ·dotQ6K(SB), NOSPLIT, $0-28
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    nblocks+16(FP), CX
	VXORPS  Y12, Y12, Y12
	VMOVDQU kperm<>(SB), Y13
	VMOVDQU kbytes0F<>(SB), Y14
	VMOVDQU kbytes20<>(SB), Y15
	TESTQ   CX, CX
	JZ      q6kdone

q6kloop:
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	Q6HALF(0, 128, 192, 4)
	Q6HALF(64, 160, 200, 132)

	MOVWLZX   208(SI), AX
	VMOVD     AX, X6
	VCVTPH2PS X6, X6
	VMULSS    (DI), X6, X6
	LANES8

	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q6kloop

q6kdone:
	VXORPS  X11, X11, X11
	KSUMS
	VMOVSS  X11, ret+24(FP)
	VZEROUPPER
	RET

// The prompt form of Q4_K: each row is first decoded once (repackQ4K) into
// 296-byte blocks, the per-token kernel (dotQ4KP) then skips the unpacking:
//	0   eight 32-byte sub-blocks of quants 0..15, shuffled as kperm does,
//	    in the order low nibbles, high nibbles of bytes 32j..32j+31
//	256 the eight 6-bit scales as int16
//	272 the eight 6-bit mins as int16
//	288 d as float32
//	292 dmin as float32

// func repackQ4K(dst, src *byte, nblocks int)
TEXT ·repackQ4K(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    nblocks+16(FP), CX
	VMOVDQU kperm<>(SB), Y13
	VMOVDQU kbytes0F<>(SB), Y14
	TESTQ   CX, CX
	JZ      rq4done

rq4loop:
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
	VMOVDQU X0, 256(DI)
	VMOVQ R11, X1
	VPMOVZXBW X1, X1
	VMOVDQU X1, 272(DI)
	MOVWLZX   (SI), AX
	VMOVD     AX, X2
	VCVTPH2PS X2, X2
	VMOVSS    X2, 288(DI)
	MOVWLZX   2(SI), AX
	VMOVD     AX, X2
	VCVTPH2PS X2, X2
	VMOVSS    X2, 292(DI)

#define RQ4SUB(wo, do) \
	VMOVDQU wo(SI), Y1; \
	VPSRLW  $4, Y1, Y2; \
	VPAND   Y14, Y1, Y1; \
	VPAND   Y14, Y2, Y2; \
	VPSHUFB Y13, Y1, Y1; \
	VPSHUFB Y13, Y2, Y2; \
	VMOVDQU Y1, do(DI); \
	VMOVDQU Y2, 32+do(DI)

	RQ4SUB(16, 0)
	RQ4SUB(48, 64)
	RQ4SUB(80, 128)
	RQ4SUB(112, 192)

	ADDQ $144, SI
	ADDQ $296, DI
	DECQ CX
	JNZ  rq4loop

rq4done:
	VZEROUPPER
	RET

#define Q4KPSUB(wo, xo, so) \
	VMOVDQU      xo(DI), Y3; \
	VMOVDQU      32+xo(DI), Y4; \
	VPSHUFB      Y13, Y3, Y3; \
	VPSHUFB      Y13, Y4, Y4; \
	VMOVDQU      wo(SI), Y1; \
	VMOVDQU      32+wo(SI), Y2; \
	VPMADDUBSW   Y3, Y1, Y1; \
	VPMADDUBSW   Y4, Y2, Y2; \
	VPUNPCKLWD   Y2, Y1, Y3; \
	VPUNPCKHWD   Y2, Y1, Y4; \
	VPBROADCASTD so(SI), Y5; \
	VPMADDWD     Y5, Y3, Y3; \
	VPMADDWD     Y5, Y4, Y4; \
	VPADDD       Y3, Y8, Y8; \
	VPADDD       Y4, Y9, Y9

// func dotQ4KP(w, x *byte, nblocks int) float32
TEXT ·dotQ4KP(SB), NOSPLIT, $0-28
	MOVQ    w+0(FP), SI
	MOVQ    x+8(FP), DI
	MOVQ    nblocks+16(FP), CX
	VXORPS  Y12, Y12, Y12
	VXORPS  X11, X11, X11
	VMOVDQU kperm<>(SB), Y13
	TESTQ   CX, CX
	JZ      q4kpdone

q4kploop:
	VMOVDQU      272(SI), X1
	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VPMADDWD     X2, X1, X1
	VPHADDD      X1, X1, X1
	VPHADDD      X1, X1, X1
	VCVTDQ2PS    X1, X1
	VMOVSS       (DI), X7
	VMULSS       292(SI), X7, X5
	VMULSS       X1, X5, X5
	VSUBSS       X5, X11, X11

	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	Q4KPSUB(0, 4, 256)
	Q4KPSUB(64, 68, 260)
	Q4KPSUB(128, 132, 264)
	Q4KPSUB(192, 196, 268)

	VMULSS 288(SI), X7, X6
	LANES8

	ADDQ $296, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4kploop

q4kpdone:
	KSUMS
	VMOVSS  X11, ret+24(FP)
	VZEROUPPER
	RET
