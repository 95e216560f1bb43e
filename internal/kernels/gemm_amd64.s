//go:build !purego

#include "textflag.h"

// C[m×n] += A[m×k]·B[k×n] as ggml's simd_gemm computes it on AVX2: every
// element of C is loaded, gets one fused multiply-add per k in order, and
// is stored back. Blocks of four rows (A's rows at SI, AX bytes apart, R13
// = 3·AX; C's at DI, BX bytes apart) by 16 or 8 columns (at byte offset
// R10), then single rows; B's rows are BX bytes apart from DX.

// The k loop bodies: B's row at R14, A's column at R12.
#define STEP4_16 \
	VMOVUPS      (R14), Y8; \
	VMOVUPS      32(R14), Y9; \
	VBROADCASTSS (R12), Y10; \
	VFMADD231PS  Y10, Y8, Y0; \
	VFMADD231PS  Y10, Y9, Y1; \
	VBROADCASTSS (R12)(AX*1), Y11; \
	VFMADD231PS  Y11, Y8, Y2; \
	VFMADD231PS  Y11, Y9, Y3; \
	VBROADCASTSS (R12)(AX*2), Y12; \
	VFMADD231PS  Y12, Y8, Y4; \
	VFMADD231PS  Y12, Y9, Y5; \
	VBROADCASTSS (R12)(R13*1), Y13; \
	VFMADD231PS  Y13, Y8, Y6; \
	VFMADD231PS  Y13, Y9, Y7

#define STEP4_8 \
	VMOVUPS      (R14), Y8; \
	VBROADCASTSS (R12), Y10; \
	VFMADD231PS  Y10, Y8, Y0; \
	VBROADCASTSS (R12)(AX*1), Y11; \
	VFMADD231PS  Y11, Y8, Y2; \
	VBROADCASTSS (R12)(AX*2), Y12; \
	VFMADD231PS  Y12, Y8, Y4; \
	VBROADCASTSS (R12)(R13*1), Y13; \
	VFMADD231PS  Y13, Y8, Y6

#define STEP1_16 \
	VBROADCASTSS (R12), Y10; \
	VFMADD231PS  (R14), Y10, Y0; \
	VFMADD231PS  32(R14), Y10, Y1

#define STEP1_8 \
	VBROADCASTSS (R12), Y10; \
	VFMADD231PS  (R14), Y10, Y0

// KLOOP runs step over the CX values of k.
#define KLOOP(step, label) \
	LEAQ (DX)(R10*1), R14; \
	MOVQ SI, R12; \
	MOVQ CX, R11; \
label: \
	step; \
	ADDQ $4, R12; \
	ADDQ BX, R14; \
	DECQ R11; \
	JNZ  label

// func gemmF32(c, a, b *float32, m, k, n int)
TEXT ·gemmF32(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ m+24(FP), R9
	MOVQ k+32(FP), CX
	MOVQ n+40(FP), R8
	MOVQ CX, AX
	SHLQ $2, AX
	MOVQ R8, BX
	SHLQ $2, BX
	LEAQ (AX)(AX*2), R13

rows4:
	CMPQ R9, $4
	JLT  rows1
	XORQ R10, R10

cols4x16:
	LEAQ 64(R10), R11
	CMPQ R11, BX
	JGT  cols4x8
	LEAQ    (DI)(R10*1), R11
	LEAQ    (R11)(BX*2), R12
	VMOVUPS (R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS (R11)(BX*1), Y2
	VMOVUPS 32(R11)(BX*1), Y3
	VMOVUPS (R12), Y4
	VMOVUPS 32(R12), Y5
	VMOVUPS (R12)(BX*1), Y6
	VMOVUPS 32(R12)(BX*1), Y7
	KLOOP(STEP4_16, k4x16)
	LEAQ    (DI)(R10*1), R11
	LEAQ    (R11)(BX*2), R12
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	VMOVUPS Y2, (R11)(BX*1)
	VMOVUPS Y3, 32(R11)(BX*1)
	VMOVUPS Y4, (R12)
	VMOVUPS Y5, 32(R12)
	VMOVUPS Y6, (R12)(BX*1)
	VMOVUPS Y7, 32(R12)(BX*1)
	ADDQ    $64, R10
	JMP     cols4x16

cols4x8:
	CMPQ    R10, BX
	JGE     next4
	LEAQ    (DI)(R10*1), R11
	LEAQ    (R11)(BX*2), R12
	VMOVUPS (R11), Y0
	VMOVUPS (R11)(BX*1), Y2
	VMOVUPS (R12), Y4
	VMOVUPS (R12)(BX*1), Y6
	KLOOP(STEP4_8, k4x8)
	LEAQ    (DI)(R10*1), R11
	LEAQ    (R11)(BX*2), R12
	VMOVUPS Y0, (R11)
	VMOVUPS Y2, (R11)(BX*1)
	VMOVUPS Y4, (R12)
	VMOVUPS Y6, (R12)(BX*1)
	ADDQ    $32, R10
	JMP     cols4x8

next4:
	LEAQ (SI)(AX*4), SI
	LEAQ (DI)(BX*4), DI
	SUBQ $4, R9
	JMP  rows4

rows1:
	TESTQ R9, R9
	JZ    gemmdone
	XORQ  R10, R10

cols1x16:
	LEAQ    64(R10), R11
	CMPQ    R11, BX
	JGT     cols1x8
	VMOVUPS (DI)(R10*1), Y0
	VMOVUPS 32(DI)(R10*1), Y1
	KLOOP(STEP1_16, k1x16)
	VMOVUPS Y0, (DI)(R10*1)
	VMOVUPS Y1, 32(DI)(R10*1)
	ADDQ    $64, R10
	JMP     cols1x16

cols1x8:
	CMPQ    R10, BX
	JGE     next1
	VMOVUPS (DI)(R10*1), Y0
	KLOOP(STEP1_8, k1x8)
	VMOVUPS Y0, (DI)(R10*1)
	ADDQ    $32, R10
	JMP     cols1x8

next1:
	ADDQ AX, SI
	ADDQ BX, DI
	DECQ R9
	JMP  rows1

gemmdone:
	VZEROUPPER
	RET
