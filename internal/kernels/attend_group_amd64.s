//go:build !purego

#include "textflag.h"

// Grouped-query attention kernels for AVX2 with F16C and FMA: the query
// heads sharing one KV head handled together, each key and value row
// widened once per group (per three queries for the scores), each head's
// arithmetic that of dotF16Heads and f16Online in f16rows_amd64.s.

// GKROW widens 32 halves of the row at SI (offset BX) into Y12..Y15.
#define GKROW \
	VCVTPH2PS (SI)(BX*1), Y12; \
	VCVTPH2PS 16(SI)(BX*1), Y13; \
	VCVTPH2PS 32(SI)(BX*1), Y14; \
	VCVTPH2PS 48(SI)(BX*1), Y15

// GQFMA accumulates the widened row times 32 floats of the query at Q
// (offset 2·BX) into a0..a3, as ggml_vec_dot_f16's four accumulators.
#define GQFMA(Q, a0, a1, a2, a3) \
	VFMADD231PS (Q)(BX*2), Y12, a0; \
	VFMADD231PS 32(Q)(BX*2), Y13, a1; \
	VFMADD231PS 64(Q)(BX*2), Y14, a2; \
	VFMADD231PS 96(Q)(BX*2), Y15, a3

// GREDUCE adds a0..a3 as GGML_F32x8_REDUCE does (as REDUCE in
// f16rows_amd64.s) and stores the float32 at dst.
#define GREDUCE(a0, a1, a2, a3, x0, x1, dst) \
	VADDPS       a2, a0, a0; \
	VADDPS       a3, a1, a1; \
	VADDPS       a1, a0, a0; \
	VEXTRACTF128 $1, a0, x1; \
	VADDPS       x1, x0, x0; \
	VHADDPS      x0, x0, x0; \
	VHADDPS      x0, x0, x0; \
	VMOVSS       x0, dst

// func dotF16Group(w *byte, stride int, q *float32, n int, out *float32, rows, heads int)
TEXT ·dotF16Group(SB), NOSPLIT, $0-56
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	MOVQ n+24(FP), CX
	MOVQ CX, R13
	SHLQ $2, R13          // bytes of one query
	SHLQ $1, CX           // bytes of one row's halves
	MOVQ rows+40(FP), R12
	SHLQ $2, R12          // bytes of one head's outputs
	XORQ R11, R11         // this row's output offset

grow:
	LEAQ (SI)(AX*8), DI   // eight rows on, to prefetch
	MOVQ out+32(FP), DX
	ADDQ R11, DX
	MOVQ q+16(FP), R8
	MOVQ heads+48(FP), R14

gpass3:
	CMPQ   R14, $3
	JLT    gpass2
	LEAQ   (R8)(R13*1), R9
	LEAQ   (R9)(R13*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	XORQ   BX, BX

gloop3:
	PREFETCHT0 (DI)(BX*1)
	GKROW
	GQFMA(R8, Y0, Y1, Y2, Y3)
	GQFMA(R9, Y4, Y5, Y6, Y7)
	GQFMA(R10, Y8, Y9, Y10, Y11)
	ADDQ $64, BX
	CMPQ BX, CX
	JLT  gloop3

	GREDUCE(Y0, Y1, Y2, Y3, X0, X12, (DX))
	GREDUCE(Y4, Y5, Y6, Y7, X4, X13, (DX)(R12*1))
	GREDUCE(Y8, Y9, Y10, Y11, X8, X14, (DX)(R12*2))
	LEAQ (DX)(R12*2), DX
	ADDQ R12, DX
	LEAQ (R10)(R13*1), R8
	SUBQ $3, R14
	JMP  gpass3

gpass2:
	CMPQ   R14, $2
	JLT    gpass1
	LEAQ   (R8)(R13*1), R9
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   BX, BX

gloop2:
	PREFETCHT0 (DI)(BX*1)
	GKROW
	GQFMA(R8, Y0, Y1, Y2, Y3)
	GQFMA(R9, Y4, Y5, Y6, Y7)
	ADDQ $64, BX
	CMPQ BX, CX
	JLT  gloop2

	GREDUCE(Y0, Y1, Y2, Y3, X0, X12, (DX))
	GREDUCE(Y4, Y5, Y6, Y7, X4, X13, (DX)(R12*1))
	JMP gnextrow          // two heads were the last

gpass1:
	TESTQ  R14, R14
	JZ     gnextrow
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   BX, BX

gloop1:
	PREFETCHT0 (DI)(BX*1)
	GKROW
	GQFMA(R8, Y0, Y1, Y2, Y3)
	ADDQ $64, BX
	CMPQ BX, CX
	JLT  gloop1

	GREDUCE(Y0, Y1, Y2, Y3, X0, X12, (DX))

gnextrow:
	ADDQ AX, SI
	ADDQ $4, R11
	CMPQ R11, R12
	JLT  grow
	VZEROUPPER
	RET

// GSCALE rescales eight halves of the accumulator at R13 (offset off) by
// Y8, rounds them to halves, then adds the widened values vr times Y9 and
// stores them rounded (f16Online's onlinescale).
#define GSCALE(off, vr) \
	VCVTPH2PS   off(R13), Y10; \
	VMULPS      Y8, Y10, Y10; \
	VCVTPS2PH   $0, Y10, X10; \
	VCVTPH2PS   X10, Y10; \
	VFMADD231PS Y9, vr, Y10; \
	VCVTPS2PH   $0, Y10, X10; \
	VMOVDQU     X10, off(R13)

// GADD adds the widened values vr times Y9 to eight halves of the
// accumulator at R13 (offset off), rounded (f16Online's onlineadd).
#define GADD(off, vr) \
	VCVTPH2PS   off(R13), Y10; \
	VFMADD231PS Y9, vr, Y10; \
	VCVTPS2PH   $0, Y10, X10; \
	VMOVDQU     X10, off(R13)

// func f16OnlineGroup(acc, v *uint16, stride int, ms, vs *float32, npos, heads, hd int)
TEXT ·f16OnlineGroup(SB), NOSPLIT, $0-64
	MOVQ acc+0(FP), DI
	MOVQ v+8(FP), SI
	MOVQ stride+16(FP), AX
	MOVQ ms+24(FP), R8
	MOVQ vs+32(FP), R9
	SUBQ R8, R9           // vs - ms
	MOVQ npos+40(FP), CX
	MOVQ CX, R10
	SHLQ $2, R10          // bytes of one head's weights
	MOVQ heads+48(FP), DX
	MOVQ hd+56(FP), BX
	SHLQ $1, BX           // bytes of one head's accumulator

opos:
	XORQ R11, R11         // offset of this chunk of 64 halves

ochunk:
	LEAQ       (SI)(AX*8), R13 // eight positions on, to prefetch
	PREFETCHT0 (R13)(R11*1)
	PREFETCHT0 64(R13)(R11*1)
	VCVTPH2PS  (SI)(R11*1), Y0
	VCVTPH2PS 16(SI)(R11*1), Y1
	VCVTPH2PS 32(SI)(R11*1), Y2
	VCVTPH2PS 48(SI)(R11*1), Y3
	VCVTPH2PS 64(SI)(R11*1), Y4
	VCVTPH2PS 80(SI)(R11*1), Y5
	VCVTPH2PS 96(SI)(R11*1), Y6
	VCVTPH2PS 112(SI)(R11*1), Y7
	LEAQ      (DI)(R11*1), R13
	MOVQ      R8, R14
	MOVQ      DX, R12

ohead:
	VBROADCASTSS (R14)(R9*1), Y9
	CMPL         (R14), $0x3f800000
	JEQ          oadd
	VBROADCASTSS (R14), Y8
	GSCALE(0, Y0)
	GSCALE(16, Y1)
	GSCALE(32, Y2)
	GSCALE(48, Y3)
	GSCALE(64, Y4)
	GSCALE(80, Y5)
	GSCALE(96, Y6)
	GSCALE(112, Y7)
	JMP          onexthead

oadd:
	GADD(0, Y0)
	GADD(16, Y1)
	GADD(32, Y2)
	GADD(48, Y3)
	GADD(64, Y4)
	GADD(80, Y5)
	GADD(96, Y6)
	GADD(112, Y7)

onexthead:
	ADDQ BX, R13
	ADDQ R10, R14
	DECQ R12
	JNZ  ohead
	ADDQ $128, R11
	CMPQ R11, BX
	JLT  ochunk
	ADDQ AX, SI
	ADDQ $4, R8
	DECQ CX
	JNZ  opos
	VZEROUPPER
	RET
