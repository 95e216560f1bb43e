//go:build !purego

#include "textflag.h"

// The prompt kernels of Q4_K and Q6_K for AVX-512 VNNI (see ktile_amd64.go
// for the decoded layout). They keep, for each token and row, the eight
// int32 lanes of the generation kernels (lane l: elements 4l..4l+3 of
// every 32) and the same float32 accumulators, so that the results are
// theirs bit for bit. Registers:
//
//	AX BX CX   the three tokens' Q8_K rows
//	DI         offset of the current super-block in them
//	SI         the current decoded super-block
//	DX         the float accumulators: per token 12 vectors of 16 rows
//	Z0-Z7      token 0: the int32 lanes 0..7 of 16 rows
//	Z8-Z15     token 1
//	Z16-Z23    token 2
//	Z24-Z31    quants, scales and temporaries

// LANE adds sc·(the four quants at wo times the four activation bytes at
// xo) to lane i0, i1, i2 of the three tokens; sc (int16 in the low half of
// each int32, the high half zero) is in Z31. The products of four fit in
// int16, so VPMADDWD applies the scale exactly.
#define LANE(wo, xo, i0, i1, i2) \
	VMOVDQU32     wo(SI), Z30; \
	VPXORD        Z24, Z24, Z24; \
	VPXORD        Z25, Z25, Z25; \
	VPXORD        Z26, Z26, Z26; \
	VPDPBUSD.BCST xo(AX)(DI*1), Z30, Z24; \
	VPDPBUSD.BCST xo(BX)(DI*1), Z30, Z25; \
	VPDPBUSD.BCST xo(CX)(DI*1), Z30, Z26; \
	VPMADDWD      Z31, Z24, Z24; \
	VPMADDWD      Z31, Z25, Z25; \
	VPMADDWD      Z31, Z26, Z26; \
	VPADDD        Z24, i0, i0; \
	VPADDD        Z25, i1, i1; \
	VPADDD        Z26, i2, i2

// Q4SUB handles sub-block j of a Q4_K super-block: its 32 quants feed the
// eight lanes, four each.
#define Q4SUB(j) \
	VMOVDQU32 576*j+512(SI), Z31; \
	LANE(576*j, 4+32*j, Z0, Z8, Z16); \
	LANE(576*j+64, 8+32*j, Z1, Z9, Z17); \
	LANE(576*j+128, 12+32*j, Z2, Z10, Z18); \
	LANE(576*j+192, 16+32*j, Z3, Z11, Z19); \
	LANE(576*j+256, 20+32*j, Z4, Z12, Z20); \
	LANE(576*j+320, 24+32*j, Z5, Z13, Z21); \
	LANE(576*j+384, 28+32*j, Z6, Z14, Z22); \
	LANE(576*j+448, 32+32*j, Z7, Z15, Z23)

// FACC converts the int32 lanes i to float32 and fuses them, times the
// scale in Z31, into the accumulator at off(DX): acc = i·Z31 + acc.
#define FACC(i, off) \
	VCVTDQ2PS   i, i; \
	VFMADD213PS off(DX), Z31, i; \
	VMOVUPS     i, off(DX)

// FACC8 does FACC for the eight lanes i0..i7 of the token whose
// accumulators start at off, with the scale d (Z30) times the token's dx.
#define FACC8(T, off, i0, i1, i2, i3, i4, i5, i6, i7) \
	VMULPS.BCST (T)(DI*1), Z30, Z31; \
	FACC(i0, off); \
	FACC(i1, off+64); \
	FACC(i2, off+128); \
	FACC(i3, off+192); \
	FACC(i4, off+256); \
	FACC(i5, off+320); \
	FACC(i6, off+384); \
	FACC(i7, off+448)

// MINS4 sets m0..m3 to the four min lanes of the token at T: lane i is
// m[2i]·(bsum[4i]+bsum[4i+1]) + m[2i+1]·(bsum[4i+2]+bsum[4i+3]), the
// pairs (m[j], m[j]) in Z24+j.
#define MINS4(T, m0, m1, m2, m3) \
	VPXORD        m0, m0, m0; \
	VPXORD        m1, m1, m1; \
	VPXORD        m2, m2, m2; \
	VPXORD        m3, m3, m3; \
	VPDPWSSD.BCST 260(T)(DI*1), Z24, m0; \
	VPDPWSSD.BCST 264(T)(DI*1), Z25, m0; \
	VPDPWSSD.BCST 268(T)(DI*1), Z26, m1; \
	VPDPWSSD.BCST 272(T)(DI*1), Z27, m1; \
	VPDPWSSD.BCST 276(T)(DI*1), Z28, m2; \
	VPDPWSSD.BCST 280(T)(DI*1), Z29, m2; \
	VPDPWSSD.BCST 284(T)(DI*1), Z30, m3; \
	VPDPWSSD.BCST 288(T)(DI*1), Z31, m3

// FACC4 does FACC for the four min lanes of a token with dmin (Z12)
// times its dx; it uses Z31 as FACC8 does, so the mins' pairs must be
// used up.
#define FACC4(T, off, m0, m1, m2, m3) \
	VMULPS.BCST (T)(DI*1), Z12, Z31; \
	FACC(m0, off); \
	FACC(m1, off+64); \
	FACC(m2, off+128); \
	FACC(m3, off+192)

#define ZERO8(a0, a1, a2, a3, a4, a5, a6, a7) \
	VPXORD a0, a0, a0; \
	VPXORD a1, a1, a1; \
	VPXORD a2, a2, a2; \
	VPXORD a3, a3, a3; \
	VPXORD a4, a4, a4; \
	VPXORD a5, a5, a5; \
	VPXORD a6, a6, a6; \
	VPXORD a7, a7, a7

#define ZEROLANES \
	ZERO8(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7); \
	ZERO8(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15); \
	ZERO8(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

// LOAD8 loads the eight vectors at wo into Z24-Z31.
#define LOAD8(wo) \
	VMOVDQU32 wo(SI), Z24; \
	VMOVDQU32 64+wo(SI), Z25; \
	VMOVDQU32 128+wo(SI), Z26; \
	VMOVDQU32 192+wo(SI), Z27; \
	VMOVDQU32 256+wo(SI), Z28; \
	VMOVDQU32 320+wo(SI), Z29; \
	VMOVDQU32 384+wo(SI), Z30; \
	VMOVDQU32 448+wo(SI), Z31

// ZEROACC clears the float accumulators of the three tokens (n vectors
// each, at 768-byte intervals) from Z0 (zero).
#define ZEROACC(off) \
	VMOVUPS Z0, off(DX); \
	VMOVUPS Z0, 768+off(DX); \
	VMOVUPS Z0, 1536+off(DX)

#define ZEROACC12 \
	VPXORD Z0, Z0, Z0; \
	ZEROACC(0); \
	ZEROACC(64); \
	ZEROACC(128); \
	ZEROACC(192); \
	ZEROACC(256); \
	ZEROACC(320); \
	ZEROACC(384); \
	ZEROACC(448); \
	ZEROACC(512); \
	ZEROACC(576); \
	ZEROACC(640); \
	ZEROACC(704)

// SUMLANES writes to off(R13) the sum of the accumulators of a token at
// a(DX) as the generation kernels add their lanes: v_i = acc_i + acc_{i+4}
// (less mins_i, if withmins is VSUBPS), then (v0+v2) + (v1+v3).
#define SUMLANES(a, off, withmins) \
	VMOVUPS a(DX), Z0; \
	VMOVUPS 64+a(DX), Z1; \
	VMOVUPS 128+a(DX), Z2; \
	VMOVUPS 192+a(DX), Z3; \
	VADDPS  256+a(DX), Z0, Z0; \
	VADDPS  320+a(DX), Z1, Z1; \
	VADDPS  384+a(DX), Z2, Z2; \
	VADDPS  448+a(DX), Z3, Z3; \
	withmins(512+a, Z0); \
	withmins(576+a, Z1); \
	withmins(640+a, Z2); \
	withmins(704+a, Z3); \
	VADDPS  Z2, Z0, Z0; \
	VADDPS  Z3, Z1, Z1; \
	VADDPS  Z1, Z0, Z0; \
	VMOVUPS Z0, off(R13)

#define SUBMINS(m, v) VSUBPS m(DX), v, v
#define NOMINS(m, v)

// TOKENS loads the three token pointers from the array at R13.
#define TOKENS \
	MOVQ 0(R13), AX; \
	MOVQ 8(R13), BX; \
	MOVQ 16(R13), CX

// func dotQ4KTileVNNI(w *byte, x *[3]*byte, nblocks int, acc *[576]float32, out *[48]float32)
TEXT ·dotQ4KTileVNNI(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), R13
	MOVQ nblocks+16(FP), R12
	MOVQ acc+24(FP), DX
	TOKENS
	XORQ DI, DI
	ZEROACC12
	TESTQ R12, R12
	JZ    q4tdone
	ZEROLANES

q4tblock:
	Q4SUB(0)
	Q4SUB(1)
	Q4SUB(2)
	Q4SUB(3)
	Q4SUB(4)
	Q4SUB(5)
	Q4SUB(6)
	Q4SUB(7)

	VMOVUPS 5120(SI), Z30
	FACC8(AX, 0, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	FACC8(BX, 768, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	FACC8(CX, 1536, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

	LOAD8(4608)
	MINS4(AX, Z0, Z1, Z2, Z3)
	MINS4(BX, Z4, Z5, Z6, Z7)
	MINS4(CX, Z8, Z9, Z10, Z11)
	VMOVUPS 5184(SI), Z12
	FACC4(AX, 512, Z0, Z1, Z2, Z3)
	FACC4(BX, 1280, Z4, Z5, Z6, Z7)
	FACC4(CX, 2048, Z8, Z9, Z10, Z11)
	ZEROLANES

	ADDQ $5248, SI
	ADDQ $292, DI
	DECQ R12
	JNZ  q4tblock

q4tdone:
	MOVQ out+32(FP), R13
	SUMLANES(0, 0, SUBMINS)
	SUMLANES(768, 64, SUBMINS)
	SUMLANES(1536, 128, SUBMINS)
	VZEROUPPER
	RET

// Q6SUB handles sub-block s of a Q6_K super-block: its 16 quants feed
// lanes 4(s%2)..4(s%2)+3, four each; h0..h2 are the first of those lanes
// of the three tokens.
#define Q6SUB(s, a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3) \
	VMOVDQU32 320*s+256(SI), Z31; \
	LANE(320*s, 4+16*s, a0, b0, c0); \
	LANE(320*s+64, 8+16*s, a1, b1, c1); \
	LANE(320*s+128, 12+16*s, a2, b2, c2); \
	LANE(320*s+192, 16+16*s, a3, b3, c3)

#define Q6EVEN(s) Q6SUB(s, Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11, Z16, Z17, Z18, Z19)
#define Q6ODD(s) Q6SUB(s, Z4, Z5, Z6, Z7, Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23)

// NEG8 adds to the lanes l of the token at T −32·(sc[2l]·bsum[2l] +
// sc[2l+1]·bsum[2l+1]), the pairs (−32·sc[2l], −32·sc[2l+1]) in Z24+l.
#define NEG8(T, i0, i1, i2, i3, i4, i5, i6, i7) \
	VPDPWSSD.BCST 260(T)(DI*1), Z24, i0; \
	VPDPWSSD.BCST 264(T)(DI*1), Z25, i1; \
	VPDPWSSD.BCST 268(T)(DI*1), Z26, i2; \
	VPDPWSSD.BCST 272(T)(DI*1), Z27, i3; \
	VPDPWSSD.BCST 276(T)(DI*1), Z28, i4; \
	VPDPWSSD.BCST 280(T)(DI*1), Z29, i5; \
	VPDPWSSD.BCST 284(T)(DI*1), Z30, i6; \
	VPDPWSSD.BCST 288(T)(DI*1), Z31, i7

// func dotQ6KTileVNNI(w *byte, x *[3]*byte, nblocks int, acc *[576]float32, out *[48]float32)
TEXT ·dotQ6KTileVNNI(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ x+8(FP), R13
	MOVQ nblocks+16(FP), R12
	MOVQ acc+24(FP), DX
	TOKENS
	XORQ DI, DI
	ZEROACC12
	TESTQ R12, R12
	JZ    q6tdone
	ZEROLANES

q6tblock:
	LOAD8(5120)
	NEG8(AX, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	NEG8(BX, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	NEG8(CX, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

	Q6EVEN(0)
	Q6ODD(1)
	Q6EVEN(2)
	Q6ODD(3)
	Q6EVEN(4)
	Q6ODD(5)
	Q6EVEN(6)
	Q6ODD(7)
	Q6EVEN(8)
	Q6ODD(9)
	Q6EVEN(10)
	Q6ODD(11)
	Q6EVEN(12)
	Q6ODD(13)
	Q6EVEN(14)
	Q6ODD(15)

	VMOVUPS 5632(SI), Z30
	FACC8(AX, 0, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	FACC8(BX, 768, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	FACC8(CX, 1536, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	ZEROLANES

	ADDQ $5696, SI
	ADDQ $292, DI
	DECQ R12
	JNZ  q6tblock

q6tdone:
	MOVQ out+32(FP), R13
	SUMLANES(0, 0, NOMINS)
	SUMLANES(768, 64, NOMINS)
	SUMLANES(1536, 128, NOMINS)
	VZEROUPPER
	RET
