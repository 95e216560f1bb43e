//go:build !purego

#include "textflag.h"

// F16 kernels for attention over an F16 cache (and F16 weights against one
// token), for AVX2 with F16C and FMA, in the float order of llama.cpp's
// AVX2 build so that the results are identical to the Go references.

// ROWHEAD accumulates 32 halves of the row at R into the four accumulators
// a0..a3 (the query's 32 widened halves are in Y8..Y11).
#define ROWHEAD(R, a0, a1, a2, a3) \
	VCVTPH2PS   (R)(BX*1), Y12; \
	VCVTPH2PS   16(R)(BX*1), Y13; \
	VFMADD231PS Y8, Y12, a0; \
	VFMADD231PS Y9, Y13, a1; \
	VCVTPH2PS   32(R)(BX*1), Y12; \
	VCVTPH2PS   48(R)(BX*1), Y13; \
	VFMADD231PS Y10, Y12, a2; \
	VFMADD231PS Y11, Y13, a3

// REDUCE adds a0..a3 as GGML_F32x8_REDUCE does (a0+a2, a1+a3, then those
// two, then the high half onto the low half and two horizontal adds) and
// stores the float32 at dst.
#define REDUCE(a0, a1, a2, a3, x0, x1, dst) \
	VADDPS       a2, a0, a0; \
	VADDPS       a3, a1, a1; \
	VADDPS       a1, a0, a0; \
	VEXTRACTF128 $1, a0, x1; \
	VADDPS       x1, x0, x0; \
	VHADDPS      x0, x0, x0; \
	VHADDPS      x0, x0, x0; \
	VMOVSS       x0, dst

// func dotF16Heads(w *byte, stride int, x *byte, np int, out *float32, rows int)
TEXT ·dotF16Heads(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	MOVQ x+16(FP), DI
	MOVQ np+24(FP), CX
	MOVQ out+32(FP), DX
	MOVQ rows+40(FP), R11
	SHLQ $1, CX

headrows:
	LEAQ   (SI)(AX*1), R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   BX, BX

headloop:
	VCVTPH2PS (DI)(BX*1), Y8
	VCVTPH2PS 16(DI)(BX*1), Y9
	VCVTPH2PS 32(DI)(BX*1), Y10
	VCVTPH2PS 48(DI)(BX*1), Y11
	ROWHEAD(SI, Y0, Y1, Y2, Y3)
	ROWHEAD(R8, Y4, Y5, Y6, Y7)
	ADDQ      $64, BX
	CMPQ      BX, CX
	JLT       headloop

	REDUCE(Y0, Y1, Y2, Y3, X0, X1, (DX))
	REDUCE(Y4, Y5, Y6, Y7, X4, X5, 4(DX))
	LEAQ (SI)(AX*2), SI
	ADDQ $8, DX
	SUBQ $2, R11
	JNZ  headrows
	VZEROUPPER
	RET

// func f16AXPY(acc *uint16, v *uint16, s float32, n int)
TEXT ·f16AXPY(SB), NOSPLIT, $0-32
	MOVQ         acc+0(FP), DI
	MOVQ         v+8(FP), SI
	VBROADCASTSS s+16(FP), Y15
	MOVQ         n+24(FP), CX
	SHRQ         $3, CX
	JZ           axpydone

axpyloop:
	VCVTPH2PS   (SI), Y0
	VCVTPH2PS   (DI), Y1
	VFMADD231PS Y15, Y0, Y1
	VCVTPS2PH   $0, Y1, (DI)
	ADDQ        $16, SI
	ADDQ        $16, DI
	DECQ        CX
	JNZ         axpyloop

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

// HSUM8 adds the eight lanes of Y as tinyBLAS's hsum does (the high half
// onto the low half, then movehl and movehdup) into the low lane of X.
#define HSUM8(y, x, t) \
	VEXTRACTF128 $1, y, t; \
	VADDPS       t, x, x; \
	VMOVHLPS     x, x, t; \
	VADDPS       t, x, x; \
	VMOVSHDUP    x, t; \
	VADDSS       t, x, x

// func dotF16BatchRows(w *byte, stride int, x *byte, n int, out *float32, rows int)
TEXT ·dotF16BatchRows(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	MOVQ x+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DX
	MOVQ rows+40(FP), R11
	SHRQ $3, CX

batch4:
	CMPQ   R11, $4
	JLT    batch1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   SI, R8
	LEAQ   (SI)(AX*1), R9
	LEAQ   (R9)(AX*1), R10
	LEAQ   (R10)(AX*1), R13
	MOVQ   DI, R14
	MOVQ   CX, BX

batch4loop:
	VCVTPH2PS   (R14), Y8
	VCVTPH2PS   (R8), Y4
	VCVTPH2PS   (R9), Y5
	VCVTPH2PS   (R10), Y6
	VCVTPH2PS   (R13), Y7
	VFMADD231PS Y8, Y4, Y0
	VFMADD231PS Y8, Y5, Y1
	VFMADD231PS Y8, Y6, Y2
	VFMADD231PS Y8, Y7, Y3
	ADDQ        $16, R14
	ADDQ        $16, R8
	ADDQ        $16, R9
	ADDQ        $16, R10
	ADDQ        $16, R13
	DECQ        BX
	JNZ         batch4loop

	HSUM8(Y0, X0, X4)
	HSUM8(Y1, X1, X5)
	HSUM8(Y2, X2, X6)
	HSUM8(Y3, X3, X7)
	VMOVSS X0, (DX)
	VMOVSS X1, 4(DX)
	VMOVSS X2, 8(DX)
	VMOVSS X3, 12(DX)
	LEAQ   (SI)(AX*4), SI
	ADDQ   $16, DX
	SUBQ   $4, R11
	JMP    batch4

batch1:
	TESTQ  R11, R11
	JZ     batchdone
	VXORPS Y0, Y0, Y0
	MOVQ   SI, R8
	MOVQ   DI, R14
	MOVQ   CX, BX

batch1loop:
	VCVTPH2PS   (R14), Y8
	VCVTPH2PS   (R8), Y4
	VFMADD231PS Y8, Y4, Y0
	ADDQ        $16, R14
	ADDQ        $16, R8
	DECQ        BX
	JNZ         batch1loop

	HSUM8(Y0, X0, X4)
	VMOVSS X0, (DX)
	ADDQ   AX, SI
	ADDQ   $4, DX
	DECQ   R11
	JMP    batch1

batchdone:
	VZEROUPPER
	RET

// func f16Online(acc *uint16, v *uint16, stride int, ms, vs *float32, n, hd int)
TEXT ·f16Online(SB), NOSPLIT, $0-56
	MOVQ acc+0(FP), DI
	MOVQ v+8(FP), SI
	MOVQ stride+16(FP), AX
	MOVQ ms+24(FP), R8
	MOVQ vs+32(FP), R9
	MOVQ n+40(FP), CX
	MOVQ hd+48(FP), DX
	SHRQ $3, DX
	TESTQ CX, CX
	JZ    onlinedone

onlinepos:
	VBROADCASTSS (R9), Y15
	XORQ         BX, BX
	MOVQ         DX, R11
	MOVL         (R8), R10
	CMPL         R10, $0x3f800000
	JEQ          onlineadd
	VBROADCASTSS (R8), Y14

onlinescale:
	VCVTPH2PS   (DI)(BX*1), Y0
	VMULPS      Y14, Y0, Y0
	VCVTPS2PH   $0, Y0, X0
	VCVTPH2PS   X0, Y0
	VCVTPH2PS   (SI)(BX*1), Y1
	VFMADD231PS Y15, Y1, Y0
	VCVTPS2PH   $0, Y0, (DI)(BX*1)
	ADDQ        $16, BX
	DECQ        R11
	JNZ         onlinescale
	JMP         onlinenext

onlineadd:
	VCVTPH2PS   (DI)(BX*1), Y0
	VCVTPH2PS   (SI)(BX*1), Y1
	VFMADD231PS Y15, Y1, Y0
	VCVTPS2PH   $0, Y0, (DI)(BX*1)
	ADDQ        $16, BX
	DECQ        R11
	JNZ         onlineadd

onlinenext:
	ADDQ AX, SI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JNZ  onlinepos

onlinedone:
	VZEROUPPER
	RET
