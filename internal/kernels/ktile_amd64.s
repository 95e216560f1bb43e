//go:build !purego

#include "textflag.h"

// The prompt kernels of Q4_K and Q6_K for AVX-512 VNNI (see ktile_amd64.go
// for the decoded layout). They keep, for each token and row, the eight
// int32 lanes of the generation kernels (lane l: elements 4l..4l+3 of
// every 32) and the same float32 accumulators, so that the results are
// theirs bit for bit. Lane by lane, the int32 sums of a super-block are
// made and fused into the float accumulators, which stay in registers:
//
//	AX BX      the two tokens' Q8_K rows
//	DI         offset of the current super-block in them
//	SI         the current decoded super-block
//	Z0-Z7      token 0: float accumulators of lanes 0..7 (16 rows each)
//	Z8-Z11     token 0: float accumulators of Q4_K's four lanes of mins
//	Z12-Z23    token 1: the same
//	Z24 Z25    the int32 lane being summed, tokens 0 and 1
//	Z26 Z27    quants of two sub-blocks (four per row in each int32)
//	Z28-Z31    PAIR's sums of two sub-blocks, two per token
//	R13        out, which holds d·dx (or dmin·dx) of the two tokens until
//	           the end

// ktlow16 masks the low int16 of each int32.
DATA ktlow16<>+0(SB)/4, $0x0000ffff
GLOBL ktlow16<>(SB), RODATA|NOPTR, $4

// PAIR adds to acc, for the token at T, the products of two sub-blocks'
// quants (Z26, Z27) with the four activation bytes at xa and xb times the
// sub-blocks' scales: each sum of four products fits in int16, so the two
// are packed into the halves of each int32 (VPBLENDMW with K1 =
// 0xaaaaaaaa) and VPDPWSSD applies the pair of scales (int16, at so) and
// adds, exactly. The sum of a goes into the low halves of a, whose low
// halves must be zero (the high halves do not matter); b is left with b's
// sum shifted up, low halves zero, to serve as the next PAIR's a (the
// registers swap roles from one PAIR to the next).
#define PAIR(T, xa, xb, so, a, b, acc) \
	VPXORD          b, b, b; \
	VPDPBUSD.BCST   xa(T)(DI*1), Z26, a; \
	VPDPBUSD.BCST   xb(T)(DI*1), Z27, b; \
	VPSLLD          $16, b, b; \
	VPBLENDMW       b, a, K1, a; \
	VPDPWSSD        so(SI), a, acc

// FUSE converts the lanes in Z24 and Z25 to float32 and fuses them into
// the accumulators f0 and f1: f += float(lane)·(d·dx), d·dx of the two
// tokens at 0(R13) and 64(R13).
#define FUSE(f0, f1) \
	VCVTDQ2PS   Z24, Z24; \
	VCVTDQ2PS   Z25, Z25; \
	VFMADD231PS 0(R13), Z24, f0; \
	VFMADD231PS 64(R13), Z25, f1

// SCALES stores at 0(R13) and 64(R13) the float32 vector at so(SI) times
// the dx of tokens 0 and 1, and clears Z28-Z31 for PAIR.
#define SCALES(so) \
	VMOVUPS     so(SI), Z30; \
	VMULPS.BCST (AX)(DI*1), Z30, Z31; \
	VMULPS.BCST (BX)(DI*1), Z30, Z30; \
	VMOVUPS     Z31, 0(R13); \
	VMOVUPS     Z30, 64(R13); \
	VPXORD      Z28, Z28, Z28; \
	VPXORD      Z29, Z29, Z29; \
	VPXORD      Z30, Z30, Z30; \
	VPXORD      Z31, Z31, Z31

// SUMLANES adds the accumulators of a token as the generation kernels add
// their lanes, v_i = a_i + a_{i+4} (less mins_i: sub is VSUBPS or NOSUB),
// then (v0+v2) + (v1+v3), and stores the 16 results at off(R13).
#define SUMLANES(a0, a1, a2, a3, a4, a5, a6, a7, m0, m1, m2, m3, sub, off) \
	VADDPS  a4, a0, a0; \
	VADDPS  a5, a1, a1; \
	VADDPS  a6, a2, a2; \
	VADDPS  a7, a3, a3; \
	sub(m0, a0); \
	sub(m1, a1); \
	sub(m2, a2); \
	sub(m3, a3); \
	VADDPS  a2, a0, a0; \
	VADDPS  a3, a1, a1; \
	VADDPS  a1, a0, a0; \
	VMOVUPS a0, off(R13)

#define SUB(m, a) VSUBPS m, a, a
#define NOSUB(m, a)

// ZERO12 clears twelve registers.
#define ZERO12(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
	VPXORD a0, a0, a0; \
	VPXORD a1, a1, a1; \
	VPXORD a2, a2, a2; \
	VPXORD a3, a3, a3; \
	VPXORD a4, a4, a4; \
	VPXORD a5, a5, a5; \
	VPXORD a6, a6, a6; \
	VPXORD a7, a7, a7; \
	VPXORD a8, a8, a8; \
	VPXORD a9, a9, a9; \
	VPXORD a10, a10, a10; \
	VPXORD a11, a11, a11

// START loads the arguments and clears the accumulators.
#define START \
	MOVQ  w+0(FP), SI; \
	MOVQ  x+8(FP), R13; \
	MOVQ  nblocks+16(FP), R12; \
	MOVQ  0(R13), AX; \
	MOVQ  8(R13), BX; \
	MOVQ  out+24(FP), R13; \
	XORQ  DI, DI; \
	MOVL  $0xaaaaaaaa, R9; \
	KMOVD R9, K1; \
	ZERO12(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	ZERO12(Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

// FINISH stores the two tokens' results.
#define FINISH(sub) \
	SUMLANES(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, sub, 0); \
	SUMLANES(Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, sub, 64); \
	VZEROUPPER

// Q4PAIR adds sub-blocks j and j+1 of lane l to Z24 and Z25.
#define Q4PAIR(j, l, a0, b0, a1, b1) \
	VMOVDQU32 576*j+64*l(SI), Z26; \
	VMOVDQU32 576*j+576+64*l(SI), Z27; \
	PAIR(AX, 4+32*j+4*l, 36+32*j+4*l, 576*j+512, a0, b0, Z24); \
	PAIR(BX, 4+32*j+4*l, 36+32*j+4*l, 576*j+512, a1, b1, Z25)

// Q4LANE sums lane l of a Q4_K super-block and fuses it into f0, f1.
#define Q4LANE(l, f0, f1) \
	VPXORD Z24, Z24, Z24; \
	VPXORD Z25, Z25, Z25; \
	Q4PAIR(0, l, Z28, Z29, Z30, Z31); \
	Q4PAIR(2, l, Z29, Z28, Z31, Z30); \
	Q4PAIR(4, l, Z28, Z29, Z30, Z31); \
	Q4PAIR(6, l, Z29, Z28, Z31, Z30); \
	FUSE(f0, f1)

// MIN sums the min lane i of the two tokens in Z24 and Z25,
// m[2i]·(bsum[4i]+bsum[4i+1]) + m[2i+1]·(bsum[4i+2]+bsum[4i+3]) with the
// pairs (m[j], m[j]) at 4608+64j, and fuses them into f0, f1.
#define MIN(i, f0, f1) \
	VPXORD       Z24, Z24, Z24; \
	VPXORD       Z25, Z25, Z25; \
	VPBROADCASTD 260+8*i(AX)(DI*1), Z28; \
	VPBROADCASTD 264+8*i(AX)(DI*1), Z29; \
	VPDPWSSD     4608+128*i(SI), Z28, Z24; \
	VPDPWSSD     4672+128*i(SI), Z29, Z24; \
	VPBROADCASTD 260+8*i(BX)(DI*1), Z28; \
	VPBROADCASTD 264+8*i(BX)(DI*1), Z29; \
	VPDPWSSD     4608+128*i(SI), Z28, Z25; \
	VPDPWSSD     4672+128*i(SI), Z29, Z25; \
	FUSE(f0, f1)

// func dotQ4KTileVNNI(w *byte, x *[2]*byte, nblocks int, out *[32]float32)
TEXT ·dotQ4KTileVNNI(SB), NOSPLIT, $0-32
	START
	TESTQ R12, R12
	JZ    q4tdone

q4tblock:
	SCALES(5120)
	Q4LANE(0, Z0, Z12)
	Q4LANE(1, Z1, Z13)
	Q4LANE(2, Z2, Z14)
	Q4LANE(3, Z3, Z15)
	Q4LANE(4, Z4, Z16)
	Q4LANE(5, Z5, Z17)
	Q4LANE(6, Z6, Z18)
	Q4LANE(7, Z7, Z19)
	SCALES(5184)
	MIN(0, Z8, Z20)
	MIN(1, Z9, Z21)
	MIN(2, Z10, Z22)
	MIN(3, Z11, Z23)

	ADDQ $5248, SI
	ADDQ $292, DI
	DECQ R12
	JNZ  q4tblock

q4tdone:
	FINISH(SUB)
	RET

// Q6PAIR adds sub-blocks s and s+2, quants 4k..4k+3, to Z24 and Z25.
#define Q6PAIR(s, k, a0, b0, a1, b1) \
	VMOVDQU32 320*s+64*k(SI), Z26; \
	VMOVDQU32 320*s+640+64*k(SI), Z27; \
	PAIR(AX, 4+16*s+4*k, 36+16*s+4*k, 320*s+256, a0, b0, Z24); \
	PAIR(BX, 4+16*s+4*k, 36+16*s+4*k, 320*s+256, a1, b1, Z25)

// Q6LANE sums lane l (sub-blocks s0, s0+2, s0+4, ... of its parity, quants
// 4k..4k+3 of each) of a Q6_K super-block, starting from the −32 of its
// quants, −32·(sc[2l]·bsum[2l] + sc[2l+1]·bsum[2l+1]) with the pairs
// (−32·sc[2l], −32·sc[2l+1]) at 5120+64l, and fuses it into f0, f1.
#define Q6LANE(l, k, s0, s1, s2, s3, f0, f1) \
	VPXORD       Z24, Z24, Z24; \
	VPXORD       Z25, Z25, Z25; \
	VPBROADCASTD 260+4*l(AX)(DI*1), Z26; \
	VPBROADCASTD 260+4*l(BX)(DI*1), Z27; \
	VPDPWSSD     5120+64*l(SI), Z26, Z24; \
	VPDPWSSD     5120+64*l(SI), Z27, Z25; \
	Q6PAIR(s0, k, Z28, Z29, Z30, Z31); \
	Q6PAIR(s1, k, Z29, Z28, Z31, Z30); \
	Q6PAIR(s2, k, Z28, Z29, Z30, Z31); \
	Q6PAIR(s3, k, Z29, Z28, Z31, Z30); \
	FUSE(f0, f1)

// func dotQ6KTileVNNI(w *byte, x *[2]*byte, nblocks int, out *[32]float32)
TEXT ·dotQ6KTileVNNI(SB), NOSPLIT, $0-32
	START
	TESTQ R12, R12
	JZ    q6tdone

q6tblock:
	SCALES(5632)
	Q6LANE(0, 0, 0, 4, 8, 12, Z0, Z12)
	Q6LANE(1, 1, 0, 4, 8, 12, Z1, Z13)
	Q6LANE(2, 2, 0, 4, 8, 12, Z2, Z14)
	Q6LANE(3, 3, 0, 4, 8, 12, Z3, Z15)
	Q6LANE(4, 0, 1, 5, 9, 13, Z4, Z16)
	Q6LANE(5, 1, 1, 5, 9, 13, Z5, Z17)
	Q6LANE(6, 2, 1, 5, 9, 13, Z6, Z18)
	Q6LANE(7, 3, 1, 5, 9, 13, Z7, Z19)

	ADDQ $5696, SI
	ADDQ $292, DI
	DECQ R12
	JNZ  q6tblock

q6tdone:
	FINISH(NOSUB)
	RET
