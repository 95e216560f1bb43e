//go:build !purego

#include "textflag.h"

// PFD is how far ahead (bytes) the Q4_K kernel prefetches the weights:
// 4 KiB streamed ~5% faster than 2 or 8 KiB on one core of the Zen 4
// machine. The Q6_K kernel does not prefetch: on weights whose page cache
// is in small folios (a file written in small pieces) prefetching cost it
// ~5%, and on large folios or huge pages it gained nothing measurable.
//
// The weights are loaded 64 bytes at a time: two 32-byte loads joined by
// VINSERTI64X4 cost the Q4_K kernel a shuffle each, and it is bound by its
// shuffles (one core, weights in the cache: 64-byte loads and the two
// independent multiply-add chains below are ~10% faster). On weights whose
// page cache was in small folios 32-byte loads had been ~3% faster; the
// engine now reads model files into huge pages.
#define PFD 4096

// Generation kernels for AVX-512 (F, BW, VL, VNNI): one activation row
// against many weight rows, 64 quants per instruction. Each super-block is
// summed exactly in int32 (VPMADDUBSW, then VPMADDWD/VPDPWSSD with the
// sub-block scales) over 16 lanes, folded to the 8 lanes of the AVX2
// generation kernels (dotQ4KG, dotQ6KG: lane l holds the same integer
// there) and from there on computed as they are, so the results equal
// theirs bit for bit.

// g5k4s<a><b>: VPSHUFB masks that widen scale byte a of each quadword to
// all words of 128-bit lanes 0–1 and byte b to lanes 2–3.
#define SMASK(name, a, b) \
	DATA name<>+0(SB)/8, $(0x8000800080008000 | a<<48 | a<<32 | a<<16 | a); \
	DATA name<>+8(SB)/8, $(0x8000800080008000 | a<<48 | a<<32 | a<<16 | a); \
	DATA name<>+16(SB)/8, $(0x8000800080008000 | a<<48 | a<<32 | a<<16 | a); \
	DATA name<>+24(SB)/8, $(0x8000800080008000 | a<<48 | a<<32 | a<<16 | a); \
	DATA name<>+32(SB)/8, $(0x8000800080008000 | b<<48 | b<<32 | b<<16 | b); \
	DATA name<>+40(SB)/8, $(0x8000800080008000 | b<<48 | b<<32 | b<<16 | b); \
	DATA name<>+48(SB)/8, $(0x8000800080008000 | b<<48 | b<<32 | b<<16 | b); \
	DATA name<>+56(SB)/8, $(0x8000800080008000 | b<<48 | b<<32 | b<<16 | b); \
	GLOBL name<>(SB), RODATA|NOPTR, $64

SMASK(g5k4s02, 0, 2)
SMASK(g5k4s13, 1, 3)
SMASK(g5k4s46, 4, 6)
SMASK(g5k4s57, 5, 7)

// g5k6i<v>: VPERMW indexes spreading scale word 4v+k over 128-bit lane k.

DATA g5k6i0<>+0(SB)/8, $0x0000000000000000
DATA g5k6i0<>+8(SB)/8, $0x0000000000000000
DATA g5k6i0<>+16(SB)/8, $0x0001000100010001
DATA g5k6i0<>+24(SB)/8, $0x0001000100010001
DATA g5k6i0<>+32(SB)/8, $0x0002000200020002
DATA g5k6i0<>+40(SB)/8, $0x0002000200020002
DATA g5k6i0<>+48(SB)/8, $0x0003000300030003
DATA g5k6i0<>+56(SB)/8, $0x0003000300030003
GLOBL g5k6i0<>(SB), RODATA|NOPTR, $64

DATA g5k6i1<>+0(SB)/8, $0x0004000400040004
DATA g5k6i1<>+8(SB)/8, $0x0004000400040004
DATA g5k6i1<>+16(SB)/8, $0x0005000500050005
DATA g5k6i1<>+24(SB)/8, $0x0005000500050005
DATA g5k6i1<>+32(SB)/8, $0x0006000600060006
DATA g5k6i1<>+40(SB)/8, $0x0006000600060006
DATA g5k6i1<>+48(SB)/8, $0x0007000700070007
DATA g5k6i1<>+56(SB)/8, $0x0007000700070007
GLOBL g5k6i1<>(SB), RODATA|NOPTR, $64

DATA g5k6i2<>+0(SB)/8, $0x0008000800080008
DATA g5k6i2<>+8(SB)/8, $0x0008000800080008
DATA g5k6i2<>+16(SB)/8, $0x0009000900090009
DATA g5k6i2<>+24(SB)/8, $0x0009000900090009
DATA g5k6i2<>+32(SB)/8, $0x000a000a000a000a
DATA g5k6i2<>+40(SB)/8, $0x000a000a000a000a
DATA g5k6i2<>+48(SB)/8, $0x000b000b000b000b
DATA g5k6i2<>+56(SB)/8, $0x000b000b000b000b
GLOBL g5k6i2<>(SB), RODATA|NOPTR, $64

DATA g5k6i3<>+0(SB)/8, $0x000c000c000c000c
DATA g5k6i3<>+8(SB)/8, $0x000c000c000c000c
DATA g5k6i3<>+16(SB)/8, $0x000d000d000d000d
DATA g5k6i3<>+24(SB)/8, $0x000d000d000d000d
DATA g5k6i3<>+32(SB)/8, $0x000e000e000e000e
DATA g5k6i3<>+40(SB)/8, $0x000e000e000e000e
DATA g5k6i3<>+48(SB)/8, $0x000f000f000f000f
DATA g5k6i3<>+56(SB)/8, $0x000f000f000f000f
GLOBL g5k6i3<>(SB), RODATA|NOPTR, $64

// Q6HALF512 handles half h of a Q6_K block (ql at lo, qh at ho, the
// activations' quants at xo): the 6-bit quants of its elements 0–63 into
// Z3 and 64–127 into Z4, multiplied by the activations in int16 pairs.
#define Q6HALF512(lo, ho, xo) \
	VMOVDQU64       lo(SI), Z1; \
	VBROADCASTI64X4 ho(SI), Z2; \
	VPSRLW          $4, Z1, Z4; \
	VPSLLVW         Z25, Z2, Z5; \
	VPSRLVW         Z26, Z2, Z6; \
	VPANDD          Z14, Z5, Z5; \
	VPANDD          Z14, Z6, Z6; \
	VPTERNLOGD      $0xec, Z15, Z5, Z1; \
	VPTERNLOGD      $0xec, Z15, Z6, Z4; \
	VPMADDUBSW      xo(DI), Z1, Z3; \
	VPMADDUBSW      64+xo(DI), Z4, Z4

// g5k6sl: VPSLLVW counts 4 (words 0–15) and 2 (16–31); g5k6sr: VPSRLVW
// counts 0 and 2.
DATA g5k6sl<>+0(SB)/8, $0x0004000400040004
DATA g5k6sl<>+8(SB)/8, $0x0004000400040004
DATA g5k6sl<>+16(SB)/8, $0x0004000400040004
DATA g5k6sl<>+24(SB)/8, $0x0004000400040004
DATA g5k6sl<>+32(SB)/8, $0x0002000200020002
DATA g5k6sl<>+40(SB)/8, $0x0002000200020002
DATA g5k6sl<>+48(SB)/8, $0x0002000200020002
DATA g5k6sl<>+56(SB)/8, $0x0002000200020002
GLOBL g5k6sl<>(SB), RODATA|NOPTR, $64

DATA g5k6sr<>+0(SB)/8, $0
DATA g5k6sr<>+8(SB)/8, $0
DATA g5k6sr<>+16(SB)/8, $0
DATA g5k6sr<>+24(SB)/8, $0
DATA g5k6sr<>+32(SB)/8, $0x0002000200020002
DATA g5k6sr<>+40(SB)/8, $0x0002000200020002
DATA g5k6sr<>+48(SB)/8, $0x0002000200020002
DATA g5k6sr<>+56(SB)/8, $0x0002000200020002
GLOBL g5k6sr<>(SB), RODATA|NOPTR, $64

// func dotQ6KRows512(w *byte, stride int, x *byte, nblocks int, out *float32, rows int)
TEXT ·dotQ6KRows512(SB), NOSPLIT, $0-48
	MOVQ         w+0(FP), DX
	MOVQ         out+32(FP), R14
	MOVQ         rows+40(FP), R13
	MOVL         $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	MOVL         $0x30303030, AX
	VPBROADCASTD AX, Z14
	VMOVDQU64    g5k6sl<>(SB), Z25
	VMOVDQU64    g5k6sr<>(SB), Z26
	VMOVDQU64    g5k6i0<>(SB), Z16
	VMOVDQU64    g5k6i1<>(SB), Z17
	VMOVDQU64    g5k6i2<>(SB), Z18
	VMOVDQU64    g5k6i3<>(SB), Z19
	TESTQ        R13, R13
	JZ           q6rdone

q6rrow:
	MOVQ   DX, SI
	MOVQ   x+16(FP), DI
	MOVQ   nblocks+24(FP), CX
	VPXORD Z12, Z12, Z12

q6rblock:

	// The scales as words (Y5); the −32 of every quant through the
	// activations' sums of 16: Y7 = 32·Σ sc·bsum.
	VPMOVSXBW 192(SI), Y5
	VPMADDWD  260(DI), Y5, Y7
	VPSLLD    $5, Y7, Y7
	VPERMW    Z5, Z16, Z20
	VPERMW    Z5, Z17, Z21
	VPERMW    Z5, Z18, Z22
	VPERMW    Z5, Z19, Z23

	Q6HALF512(0, 128, 4)
	VPMADDWD Z20, Z3, Z8
	VPDPWSSD Z21, Z4, Z8
	Q6HALF512(64, 160, 132)
	VPDPWSSD Z22, Z3, Z8
	VPDPWSSD Z23, Z4, Z8

	// Fold the 16 lanes to the AVX2 kernel's 8 (exact in int32), so that
	// the float arithmetic below is dotQ6KG's operation for operation.
	VEXTRACTI64X4 $1, Z8, Y9
	VPADDD        Y9, Y8, Y8
	VPSUBD        Y7, Y8, Y8

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
	JNZ  q6rblock

	VEXTRACTF128 $1, Y12, X0
	VADDPS       X0, X12, X12
	VPSHUFD      $0x4E, X12, X0
	VADDPS       X0, X12, X12
	VPSHUFD      $0xB1, X12, X0
	VADDPS       X0, X12, X12
	VMOVSS       X12, (R14)

	ADDQ stride+8(FP), DX
	ADDQ $4, R14
	DECQ R13
	JNZ  q6rrow

q6rdone:
	VZEROUPPER
	RET

// func dotQ4KRows512(w *byte, stride int, x *byte, nblocks int, out *float32, rows int)
//
// x is prepared by prepQ4KX: per block q4kPrepBlock bytes, the quants in
// sub-block order 0 2 1 3 4 6 5 7, then the eight sums of 32 quants
// (int16) and the scale (float32).
TEXT ·dotQ4KRows512(SB), NOSPLIT, $0-48
	MOVQ    w+0(FP), DX
	MOVQ    out+32(FP), R14
	MOVQ    rows+40(FP), R13
	MOVL    $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	VMOVDQU64 g5k4s02<>(SB), Z16
	VMOVDQU64 g5k4s13<>(SB), Z17
	VMOVDQU64 g5k4s46<>(SB), Z18
	VMOVDQU64 g5k4s57<>(SB), Z19
	TESTQ   R13, R13
	JZ      q4rdone

q4rrow:
	MOVQ    DX, SI
	MOVQ    x+16(FP), DI
	MOVQ    nblocks+24(FP), CX
	VPXORD  Z12, Z12, Z12
	VXORPS  X13, X13, X13

q4rblock:
	PREFETCHT0 PFD(SI)
	PREFETCHT0 PFD+64(SI)
	PREFETCHT0 PFD+128(SI)

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

	// d·dx and dmin·dx.
	VMOVD        (SI), X6
	VCVTPH2PS    X6, X6
	VBROADCASTSS 272(DI), X7
	VMULPS       X7, X6, X6
	VBROADCASTSS X6, Y9
	VPERMILPS    $0x55, X6, X10

	// Mins times the sub-block sums of the activations, into X13.
	VMOVQ      R11, X11
	VPMOVZXBW  X11, X11
	VPMADDWD   256(DI), X11, X11
	VCVTDQ2PS  X11, X11
	VFMADD231PS X11, X10, X13

	// Scales as words: Z21 (sub-blocks 0, 2), Z22 (1, 3), Z23 (4, 6),
	// Z24 (5, 7).
	VPBROADCASTQ AX, Z20
	VPSHUFB      Z16, Z20, Z21
	VPSHUFB      Z17, Z20, Z22
	VPSHUFB      Z18, Z20, Z23
	VPSHUFB      Z19, Z20, Z24

	VMOVDQU64    16(SI), Z1
	VMOVDQU64    80(SI), Z2
	VPSRLW     $4, Z1, Z3
	VPSRLW     $4, Z2, Z4
	VPANDD     Z15, Z1, Z1
	VPANDD     Z15, Z2, Z2
	VPANDD     Z15, Z3, Z3
	VPANDD     Z15, Z4, Z4
	VPMADDUBSW (DI), Z1, Z1
	VPMADDUBSW 64(DI), Z3, Z3
	VPMADDUBSW 128(DI), Z2, Z2
	VPMADDUBSW 192(DI), Z4, Z4
	// Two chains of multiply-adds, joined (exact in int32).
	VPMADDWD   Z21, Z1, Z8
	VPMADDWD   Z22, Z3, Z5
	VPDPWSSD   Z23, Z2, Z8
	VPDPWSSD   Z24, Z4, Z5
	VPADDD     Z5, Z8, Z8

	// Fold the 16 lanes to the AVX2 kernel's 8 (exact in int32), so that
	// the float arithmetic below is dotQ4KG's operation for operation.
	VEXTRACTI64X4 $1, Z8, Y7
	VPADDD        Y7, Y8, Y8
	VCVTDQ2PS     Y8, Y8
	VFMADD231PS   Y8, Y9, Y12

	ADDQ $144, SI
	ADDQ $320, DI
	DECQ CX
	JNZ  q4rblock

	VEXTRACTF128 $1, Y12, X0
	VADDPS       X0, X12, X12
	VSUBPS       X13, X12, X12
	VPSHUFD      $0x4E, X12, X0
	VADDPS       X0, X12, X12
	VPSHUFD      $0xB1, X12, X0
	VADDPS       X0, X12, X12
	VMOVSS       X12, (R14)

	ADDQ stride+8(FP), DX
	ADDQ $4, R14
	DECQ R13
	JNZ  q4rrow

q4rdone:
	VZEROUPPER
	RET
