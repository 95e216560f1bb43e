//go:build !purego

#include "textflag.h"

// Activation quantizers (AVX2): every step is the reference's float32
// operation (VMULPS, VDIVSS), and VCVTPS2DQ rounds half to even as
// roundEven and nearestInt do for these magnitudes (|v| ≤ 127·(1+2⁻²³)).

// qaperm: VPERMD indexes undoing VPACKSSDW/VPACKSSWB's lane interleaving.
DATA qaperm<>+0(SB)/8, $0x0000000400000000
DATA qaperm<>+8(SB)/8, $0x0000000500000001
DATA qaperm<>+16(SB)/8, $0x0000000600000002
DATA qaperm<>+24(SB)/8, $0x0000000700000003
GLOBL qaperm<>(SB), RODATA|NOPTR, $32

// HMAXPS leaves the largest of y's eight floats in the low float of x,
// using t.
#define HMAXPS(y, x, t) \
	VEXTRACTF128 $1, y, t; \
	VMAXPS       t, x, x; \
	VMOVHLPS     x, x, t; \
	VMAXPS       t, x, x; \
	VMOVSHDUP    x, t; \
	VMAXSS       t, x, x

// func quantActQ8_0AVX2(dst *byte, src *float32, nblocks int)
TEXT ·quantActQ8_0AVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         nblocks+16(FP), CX
	MOVL         $0x7fffffff, AX
	MOVD         AX, X15
	VPBROADCASTD X15, Y15
	MOVL         $0x42fe0000, AX // 127.0
	MOVD         AX, X14
	VMOVDQU      qaperm<>(SB), Y13
	VXORPS       X12, X12, X12

qa0loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3

	// amax, d = amax/127 (as half), id = 127/amax or 0.
	VANDPS Y15, Y0, Y4
	VANDPS Y15, Y1, Y5
	VMAXPS Y5, Y4, Y4
	VANDPS Y15, Y2, Y5
	VMAXPS Y5, Y4, Y4
	VANDPS Y15, Y3, Y5
	VMAXPS Y5, Y4, Y4
	HMAXPS(Y4, X4, X5)
	VDIVSS    X14, X4, X5
	VCVTPS2PH $0, X5, X6
	VMOVD     X6, AX
	MOVW      AX, (DI)
	VXORPS    X8, X8, X8
	VUCOMISS  X12, X4
	JEQ       qa0scaled
	VDIVSS    X4, X14, X8

qa0scaled:
	VBROADCASTSS X8, Y8
	VMULPS       Y8, Y0, Y0
	VMULPS       Y8, Y1, Y1
	VMULPS       Y8, Y2, Y2
	VMULPS       Y8, Y3, Y3
	VCVTPS2DQ    Y0, Y0
	VCVTPS2DQ    Y1, Y1
	VCVTPS2DQ    Y2, Y2
	VCVTPS2DQ    Y3, Y3
	VPACKSSDW    Y1, Y0, Y0
	VPACKSSDW    Y3, Y2, Y2
	VPACKSSWB    Y2, Y0, Y0
	VPERMD       Y0, Y13, Y0
	VMOVDQU      Y0, 2(DI)

	ADDQ $128, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  qa0loop
	VZEROUPPER
	RET


// Q8KSUB quantizes values 16k..16k+15 (at o = 64k bytes) with the scale in
// Y8: quants at 4+16k, their sum (int16) at 260+2k.
#define Q8KSUB(o, qo, so) \
	VMULPS       o(SI), Y8, Y0; \
	VMULPS       32+o(SI), Y8, Y1; \
	VCVTPS2DQ    Y0, Y0; \
	VCVTPS2DQ    Y1, Y1; \
	VPMINSD      Y14, Y0, Y0; \
	VPMINSD      Y14, Y1, Y1; \
	VPADDD       Y1, Y0, Y2; \
	VEXTRACTI128 $1, Y2, X3; \
	VPADDD       X3, X2, X2; \
	VPSHUFD      $0x4E, X2, X3; \
	VPADDD       X3, X2, X2; \
	VPSHUFD      $0xB1, X2, X3; \
	VPADDD       X3, X2, X2; \
	VMOVD        X2, AX; \
	MOVW         AX, so(DI); \
	VPACKSSDW    Y1, Y0, Y0; \
	VPERMQ       $0xD8, Y0, Y0; \
	VEXTRACTI128 $1, Y0, X1; \
	VPACKSSWB    X1, X0, X0; \
	VMOVDQU      X0, qo(DI)

// func quantQ8KAVX2(dst *byte, src *float32, nblocks int)
TEXT ·quantQ8KAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         nblocks+16(FP), CX
	MOVL         $0x7fffffff, AX
	MOVD         AX, X15
	VPBROADCASTD X15, Y15
	MOVL         $127, AX
	MOVD         AX, X14
	VPBROADCASTD X14, Y14
	VXORPS       X12, X12, X12

qkloop:
	// amax over the 256 values.
	VANDPS (SI), Y15, Y4
	MOVQ   $8, BX

qkmax:
	VANDPS (SI)(BX*4), Y15, Y5
	VMAXPS Y5, Y4, Y4
	ADDQ   $8, BX
	CMPQ   BX, $256
	JLT    qkmax
	HMAXPS(Y4, X4, X5)
	VUCOMISS X12, X4
	JEQ      qkzero
	VBROADCASTSS X4, Y4

	// vmax: the first value whose magnitude is amax.
	XORQ BX, BX

qkfind:
	VANDPS    (SI)(BX*4), Y15, Y5
	VCMPPS    $0, Y4, Y5, Y5
	VMOVMSKPS Y5, AX
	TESTL     AX, AX
	JNZ       qkfound
	ADDQ      $8, BX
	JMP       qkfind

qkfound:
	TZCNTL AX, AX
	ADDQ   AX, BX

	// iscale = −127/vmax (Y8), d = 1/iscale.
	MOVL   $0xc2fe0000, AX // −127.0
	MOVD   AX, X6
	VDIVSS (SI)(BX*4), X6, X8
	MOVL   $0x3f800000, AX // 1.0
	MOVD   AX, X6
	VDIVSS X8, X6, X6
	VMOVSS X6, (DI)
	VBROADCASTSS X8, Y8

	Q8KSUB(0, 4, 260)
	Q8KSUB(64, 20, 262)
	Q8KSUB(128, 36, 264)
	Q8KSUB(192, 52, 266)
	Q8KSUB(256, 68, 268)
	Q8KSUB(320, 84, 270)
	Q8KSUB(384, 100, 272)
	Q8KSUB(448, 116, 274)
	Q8KSUB(512, 132, 276)
	Q8KSUB(576, 148, 278)
	Q8KSUB(640, 164, 280)
	Q8KSUB(704, 180, 282)
	Q8KSUB(768, 196, 284)
	Q8KSUB(832, 212, 286)
	Q8KSUB(896, 228, 288)
	Q8KSUB(960, 244, 290)
	JMP qknext

qkzero:
	VPXOR   Y0, Y0, Y0
	VMOVDQU Y0, (DI)
	VMOVDQU Y0, 32(DI)
	VMOVDQU Y0, 64(DI)
	VMOVDQU Y0, 96(DI)
	VMOVDQU Y0, 128(DI)
	VMOVDQU Y0, 160(DI)
	VMOVDQU Y0, 192(DI)
	VMOVDQU Y0, 224(DI)
	VMOVDQU Y0, 256(DI)
	MOVL    $0, 288(DI)

qknext:
	ADDQ $1024, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  qkloop
	VZEROUPPER
	RET
