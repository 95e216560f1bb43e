//go:build !purego

#include "textflag.h"

// F16 kernels for attention over an F16 cache, for AVX2 with F16C. Products
// of halves are exact in float32; the sums, the fused multiply-adds and the
// roundings follow the reference (float64 accumulation, float64 FMA, then
// float32, then half) so the results are identical.

// PRODUCTS8 loads eight halves of each of four rows at offset off, widens
// them and multiplies by the query in Y15, then transposes so that Y0..Y3
// hold elements (0,4), (1,5), (2,6), (3,7) of the four rows: lane r of the
// low half is element e of row r, of the high half element e+4.
#define PRODUCTS8(off) \
	VCVTPH2PS off(SI), Y0; \
	VCVTPH2PS off(R8), Y1; \
	VCVTPH2PS off(R9), Y2; \
	VCVTPH2PS off(R10), Y3; \
	VMULPS    Y15, Y0, Y0; \
	VMULPS    Y15, Y1, Y1; \
	VMULPS    Y15, Y2, Y2; \
	VMULPS    Y15, Y3, Y3; \
	VUNPCKLPS Y1, Y0, Y4; \
	VUNPCKHPS Y1, Y0, Y5; \
	VUNPCKLPS Y3, Y2, Y6; \
	VUNPCKHPS Y3, Y2, Y7; \
	VSHUFPS   $0x44, Y6, Y4, Y0; \
	VSHUFPS   $0xEE, Y6, Y4, Y1; \
	VSHUFPS   $0x44, Y7, Y5, Y2; \
	VSHUFPS   $0xEE, Y7, Y5, Y3

// ADD4 adds the low four float32 lanes of X, as float64, to the sums Y14.
#define ADD4(x) \
	VCVTPS2PD x, Y8; \
	VADDPD    Y8, Y14, Y14

// func dotF16Rows4(w *byte, stride int, x *byte, n int, out *float32)
TEXT ·dotF16Rows4(SB), NOSPLIT, $0-40
	MOVQ   w+0(FP), SI
	MOVQ   stride+8(FP), AX
	MOVQ   x+16(FP), DI
	MOVQ   n+24(FP), CX
	MOVQ   out+32(FP), DX
	LEAQ   (SI)(AX*1), R8
	LEAQ   (R8)(AX*1), R9
	LEAQ   (R9)(AX*1), R10
	XORQ   BX, BX
	VXORPD Y14, Y14, Y14
	SHRQ   $3, CX
	JZ     f16done

f16loop:
	VCVTPH2PS (DI)(BX*1), Y15
	PRODUCTS8(0)
	ADD4(X0)
	ADD4(X1)
	ADD4(X2)
	ADD4(X3)
	VEXTRACTF128 $1, Y0, X0
	VEXTRACTF128 $1, Y1, X1
	VEXTRACTF128 $1, Y2, X2
	VEXTRACTF128 $1, Y3, X3
	ADD4(X0)
	ADD4(X1)
	ADD4(X2)
	ADD4(X3)
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	ADDQ $16, BX
	DECQ CX
	JNZ  f16loop

f16done:
	VCVTPD2PSY Y14, X14
	VMOVUPS    X14, (DX)
	VZEROUPPER
	RET

// func f16AXPY(acc *uint16, v *uint16, s float32, n int)
TEXT ·f16AXPY(SB), NOSPLIT, $0-32
	MOVQ         acc+0(FP), DI
	MOVQ         v+8(FP), SI
	VBROADCASTSS s+16(FP), X15
	VCVTPS2PD    X15, Y15
	MOVQ         n+24(FP), CX
	SHRQ         $3, CX
	JZ           axpydone

axpyloop:
	VCVTPH2PS    (SI), Y0
	VCVTPH2PS    (DI), Y1
	VCVTPS2PD    X0, Y2
	VCVTPS2PD    X1, Y3
	VEXTRACTF128 $1, Y0, X0
	VEXTRACTF128 $1, Y1, X1
	VCVTPS2PD    X0, Y4
	VCVTPS2PD    X1, Y5
	VFMADD231PD  Y15, Y2, Y3
	VFMADD231PD  Y15, Y4, Y5
	VCVTPD2PSY   Y3, X3
	VCVTPD2PSY   Y5, X5
	VINSERTF128  $1, X5, Y3, Y3
	VCVTPS2PH    $0, Y3, (DI)
	ADDQ         $16, SI
	ADDQ         $16, DI
	DECQ         CX
	JNZ          axpyloop

axpydone:
	VZEROUPPER
	RET

// func f16Scale(acc *uint16, s float32, n int)
TEXT ·f16Scale(SB), NOSPLIT, $0-24
	MOVQ         acc+0(FP), DI
	VBROADCASTSS s+8(FP), Y15
	MOVQ         n+16(FP), CX
	SHRQ         $3, CX
	JZ           scaledone

scaleloop:
	VCVTPH2PS (DI), Y0
	VMULPS    Y15, Y0, Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ      $16, DI
	DECQ      CX
	JNZ       scaleloop

scaledone:
	VZEROUPPER
	RET
