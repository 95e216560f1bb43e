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
// are packed into the halves of each int32 and VPDPWSSD applies the pair
// of scales (int16, at so) and adds, exactly. The sum of a goes into the low halves
// of a, whose low halves must be zero (the high halves do not matter); b
// is left with b's sum shifted up, low halves zero, to serve as the next
// PAIR's a (the registers swap roles from one PAIR to the next).
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

// MIN adds to Z24+i and Z25+... the min lane i of the two tokens:
// m[2i]·(bsum[4i]+bsum[4i+1]) + m[2i+1]·(bsum[4i+2]+bsum[4i+3]), the
// pairs (m[j], m[j]) at 4608+64j.
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

// ktnib masks the low nibble of each byte.
DATA ktnib<>+0(SB)/4, $0x0f0f0f0f
GLOBL ktnib<>(SB), RODATA|NOPTR, $4

// ktrows are the row numbers 0..15.
DATA ktrows<>+0(SB)/8, $0x0000000100000000
DATA ktrows<>+8(SB)/8, $0x0000000300000002
DATA ktrows<>+16(SB)/8, $0x0000000500000004
DATA ktrows<>+24(SB)/8, $0x0000000700000006
DATA ktrows<>+32(SB)/8, $0x0000000900000008
DATA ktrows<>+40(SB)/8, $0x0000000b0000000a
DATA ktrows<>+48(SB)/8, $0x0000000d0000000c
DATA ktrows<>+56(SB)/8, $0x0000000f0000000e
GLOBL ktrows<>(SB), RODATA|NOPTR, $64

// GATHER loads into z the 32-bit word at offset off of the current block
// of each of the 16 rows (row offsets in Z31).
#define GATHER(off, z) \
	KXNORW     K1, K1, K1; \
	VPXORD     z, z, z; \
	VPGATHERDD off(SI)(Z31*1), K1, z

// Q4QS splits the quants at off of sub-blocks 2j and 2j+1 (bytes
// 16+32j+4k of each row) into low nibbles (to dl) and high (to dh).
#define Q4QS(off, dl, dh) \
	GATHER(off, Z0); \
	VPSRLD          $4, Z0, Z1; \
	VPANDD.BCST     ktnib<>(SB), Z0, Z0; \
	VPANDD.BCST     ktnib<>(SB), Z1, Z1; \
	VMOVDQU32       Z0, dl(DI); \
	VMOVDQU32       Z1, dh(DI)

#define Q4QS8(j) \
	Q4QS(16+32*j, 1152*j, 1152*j+576); \
	Q4QS(20+32*j, 1152*j+64, 1152*j+640); \
	Q4QS(24+32*j, 1152*j+128, 1152*j+704); \
	Q4QS(28+32*j, 1152*j+192, 1152*j+768); \
	Q4QS(32+32*j, 1152*j+256, 1152*j+832); \
	Q4QS(36+32*j, 1152*j+320, 1152*j+896); \
	Q4QS(40+32*j, 1152*j+384, 1152*j+960); \
	Q4QS(44+32*j, 1152*j+448, 1152*j+1024)

// LOW6 sets z to the 6-bit field at bit sh of each lane of s.
#define LOW6(s, sh, z) \
	VPSRLD $sh, s, z; \
	VPANDD.BCST kt63<>(SB), z, z

DATA kt63<>+0(SB)/4, $63
GLOBL kt63<>(SB), RODATA|NOPTR, $4
DATA kt15<>+0(SB)/4, $15
GLOBL kt15<>(SB), RODATA|NOPTR, $4
DATA kt48<>+0(SB)/4, $48
GLOBL kt48<>(SB), RODATA|NOPTR, $4

// HIGH6 sets z to (the nibble at bit nsh of n) | (the two bits at bit
// hsh of h) << 4: a scale or min of sub-blocks 4..7.
#define HIGH6(n, nsh, h, hsh, z) \
	VPSRLD          $nsh, n, z; \
	VPANDD.BCST     kt15<>(SB), z, z; \
	VPSRLD          $(hsh-4), h, Z9; \
	VPTERNLOGD.BCST $0xf8, kt48<>(SB), Z9, z

// PUTPAIR stores (a | b<<16) at off(DI).
#define PUTPAIR(a, b, off) \
	VPSLLD    $16, b, Z9; \
	VPORD     a, Z9, Z9; \
	VMOVDQU32 Z9, off(DI)

// func decodeQ4KTile16(dst *byte, w *byte, stride int, nblocks int)
TEXT ·decodeQ4KTile16(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         w+8(FP), SI
	MOVQ         stride+16(FP), AX
	MOVQ         nblocks+24(FP), CX
	VPBROADCASTD AX, Z31
	VPMULLD      ktrows<>(SB), Z31, Z31
	TESTQ        CX, CX
	JZ           d4done

d4block:
	Q4QS8(0)
	Q4QS8(1)
	Q4QS8(2)
	Q4QS8(3)

	// Scales and mins: Z2, Z3, Z4 hold bytes 4..15 of each row.
	GATHER(4, Z2)
	GATHER(8, Z3)
	GATHER(12, Z4)
	LOW6(Z2, 0, Z10)
	LOW6(Z2, 8, Z11)
	LOW6(Z2, 16, Z12)
	LOW6(Z2, 24, Z13)
	HIGH6(Z4, 0, Z2, 6, Z14)
	HIGH6(Z4, 8, Z2, 14, Z15)
	HIGH6(Z4, 16, Z2, 22, Z16)
	HIGH6(Z4, 24, Z2, 30, Z17)
	PUTPAIR(Z10, Z11, 512)
	PUTPAIR(Z12, Z13, 1664)
	PUTPAIR(Z14, Z15, 2816)
	PUTPAIR(Z16, Z17, 3968)
	LOW6(Z3, 0, Z10)
	LOW6(Z3, 8, Z11)
	LOW6(Z3, 16, Z12)
	LOW6(Z3, 24, Z13)
	HIGH6(Z4, 4, Z3, 6, Z14)
	HIGH6(Z4, 12, Z3, 14, Z15)
	HIGH6(Z4, 20, Z3, 22, Z16)
	HIGH6(Z4, 28, Z3, 30, Z17)
	PUTPAIR(Z10, Z10, 4608)
	PUTPAIR(Z11, Z11, 4672)
	PUTPAIR(Z12, Z12, 4736)
	PUTPAIR(Z13, Z13, 4800)
	PUTPAIR(Z14, Z14, 4864)
	PUTPAIR(Z15, Z15, 4928)
	PUTPAIR(Z16, Z16, 4992)
	PUTPAIR(Z17, Z17, 5056)

	// d and dmin.
	GATHER(0, Z5)
	VPMOVDW   Z5, Y6
	VCVTPH2PS Y6, Z6
	VMOVUPS   Z6, 5120(DI)
	VPSRLD    $16, Z5, Z5
	VPMOVDW   Z5, Y6
	VCVTPH2PS Y6, Z6
	VMOVUPS   Z6, 5184(DI)

	ADDQ $144, SI
	ADDQ $5248, DI
	DECQ CX
	JNZ  d4block

d4done:
	VZEROUPPER
	RET

DATA kt30<>+0(SB)/4, $0x30303030
GLOBL kt30<>(SB), RODATA|NOPTR, $4
DATA ktm32<>+0(SB)/4, $-32
GLOBL ktm32<>(SB), RODATA|NOPTR, $4

// Q6OUT stores at off(DI) the quants (lo & 0x0f) | (hi & 0x30), lo and hi
// already shifted into place.
#define Q6OUT(lo, hi, off) \
	VPANDD.BCST     ktnib<>(SB), lo, Z5; \
	VPTERNLOGD.BCST $0xf8, kt30<>(SB), hi, Z5; \
	VMOVDQU32       Z5, off(DI)

// Q6QS decodes the four quants at ql offsets l0 and l1 and qh offset h of
// each row, for the four quarters of a half: sub-blocks s, s+2, s+4, s+6
// (s·320 + 64k = d).
#define Q6QS(l0, l1, h, d) \
	GATHER(l0, Z0); \
	GATHER(l1, Z1); \
	GATHER(h, Z2); \
	VPSLLD $4, Z2, Z3; \
	Q6OUT(Z0, Z3, d); \
	VPSLLD $2, Z2, Z3; \
	Q6OUT(Z1, Z3, 640+d); \
	VPSRLD $4, Z0, Z0; \
	Q6OUT(Z0, Z2, 1280+d); \
	VPSRLD $4, Z1, Z1; \
	VPSRLD $2, Z2, Z3; \
	Q6OUT(Z1, Z3, 1920+d)

// SC sets z to the int8 byte b of each lane of s, sign-extended.
#define SC(s, b, z) \
	VPSLLD $(24-8*b), s, z; \
	VPSRAD $24, z, z

// PAIR16 stores (a & 0xffff) | b<<16 at off(DI).
#define PAIR16(a, b, off) \
	VPSLLD          $16, b, Z5; \
	VPTERNLOGD.BCST $0xf8, ktlow16<>(SB), a, Z5; \
	VMOVDQU32       Z5, off(DI)

// NEG16 stores (−32·a & 0xffff) | (−32·b)<<16 at off(DI).
#define NEG16(a, b, off) \
	VPMULLD.BCST ktm32<>(SB), a, Z6; \
	VPMULLD.BCST ktm32<>(SB), b, Z7; \
	PAIR16(Z6, Z7, off)

// func decodeQ6KTile16(dst *byte, w *byte, stride int, nblocks int)
TEXT ·decodeQ6KTile16(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         w+8(FP), SI
	MOVQ         stride+16(FP), AX
	MOVQ         nblocks+24(FP), CX
	VPBROADCASTD AX, Z31
	VPMULLD      ktrows<>(SB), Z31, Z31
	TESTQ        CX, CX
	JZ           d6done

d6block:
	Q6QS(0, 32, 128, 0)
	Q6QS(4, 36, 132, 64)
	Q6QS(8, 40, 136, 128)
	Q6QS(12, 44, 140, 192)
	Q6QS(16, 48, 144, 320)
	Q6QS(20, 52, 148, 384)
	Q6QS(24, 56, 152, 448)
	Q6QS(28, 60, 156, 512)
	Q6QS(64, 96, 160, 2560)
	Q6QS(68, 100, 164, 2624)
	Q6QS(72, 104, 168, 2688)
	Q6QS(76, 108, 172, 2752)
	Q6QS(80, 112, 176, 2880)
	Q6QS(84, 116, 180, 2944)
	Q6QS(88, 120, 184, 3008)
	Q6QS(92, 124, 188, 3072)

	// Scales: sc[s] in Z10+s.
	GATHER(192, Z0)
	GATHER(196, Z1)
	GATHER(200, Z2)
	GATHER(204, Z3)
	SC(Z0, 0, Z10)
	SC(Z0, 1, Z11)
	SC(Z0, 2, Z12)
	SC(Z0, 3, Z13)
	SC(Z1, 0, Z14)
	SC(Z1, 1, Z15)
	SC(Z1, 2, Z16)
	SC(Z1, 3, Z17)
	SC(Z2, 0, Z18)
	SC(Z2, 1, Z19)
	SC(Z2, 2, Z20)
	SC(Z2, 3, Z21)
	SC(Z3, 0, Z22)
	SC(Z3, 1, Z23)
	SC(Z3, 2, Z24)
	SC(Z3, 3, Z25)
	PAIR16(Z10, Z12, 256)
	PAIR16(Z11, Z13, 576)
	PAIR16(Z14, Z16, 1536)
	PAIR16(Z15, Z17, 1856)
	PAIR16(Z18, Z20, 2816)
	PAIR16(Z19, Z21, 3136)
	PAIR16(Z22, Z24, 4096)
	PAIR16(Z23, Z25, 4416)
	NEG16(Z10, Z11, 5120)
	NEG16(Z12, Z13, 5184)
	NEG16(Z14, Z15, 5248)
	NEG16(Z16, Z17, 5312)
	NEG16(Z18, Z19, 5376)
	NEG16(Z20, Z21, 5440)
	NEG16(Z22, Z23, 5504)
	NEG16(Z24, Z25, 5568)

	// d, the high half of the word at 206.
	GATHER(206, Z0)
	VPSRLD    $16, Z0, Z0
	VPMOVDW   Z0, Y1
	VCVTPH2PS Y1, Z1
	VMOVUPS   Z1, 5632(DI)

	ADDQ $210, SI
	ADDQ $5696, DI
	DECQ CX
	JNZ  d6block

d6done:
	VZEROUPPER
	RET
