//go:build !purego

#include "textflag.h"

// The decoders of ktiledec_amd64.go: sixteen rows of K-quant super-blocks
// into the layouts of the prompt kernels (ktile_amd64.go), one int32 lane
// per row, the rows' words fetched with VPGATHERDD.

// ktlow16d masks the low int16 of each int32.
DATA ktlow16d<>+0(SB)/4, $0x0000ffff
GLOBL ktlow16d<>(SB), RODATA|NOPTR, $4

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

// The weights of a prompt's matrix product come from memory, and the
// gathers would wait for it one cache line at a time: PREFETCHROWS asks
// for all the tile's lines first, and AHEAD4 and AHEAD5 for those of the
// block four ahead (at dist; offsets 0, 64, 128 and the last ones) in each
// of the 16 rows (stride in AX) as the decoding goes (a 256 MiB sweep of
// 16 rows × 6 blocks: Q4_K 5.3→3.9 µs, Q6_K 8.2→6.6 µs).
#define AHEAD4(dist, last) \
	LEAQ       dist(SI), R8; \
	MOVQ       $16, R9; \
	PREFETCHT1 0(R8); \
	PREFETCHT1 64(R8); \
	PREFETCHT1 128(R8); \
	PREFETCHT1 last(R8); \
	ADDQ       AX, R8; \
	DECQ       R9; \
	JNZ        -6(PC)

#define AHEAD5(dist, last1, last2) \
	LEAQ       dist(SI), R8; \
	MOVQ       $16, R9; \
	PREFETCHT1 0(R8); \
	PREFETCHT1 64(R8); \
	PREFETCHT1 128(R8); \
	PREFETCHT1 last1(R8); \
	PREFETCHT1 last2(R8); \
	ADDQ       AX, R8; \
	DECQ       R9; \
	JNZ        -7(PC)

// PREFETCHROWS asks (into L2) for all 16 rows of bpb·nblocks bytes (CX
// blocks; stride in AX), before the gathers start.
#define PREFETCHROWS(bpb) \
	MOVQ       CX, R10; \
	IMULQ      $bpb, R10; \
	MOVQ       SI, R8; \
	MOVQ       $16, R9; \
	MOVQ       R10, R11; \
	PREFETCHT1 -1(R8)(R11*1); \
	SUBQ       $64, R11; \
	JA         -2(PC); \
	PREFETCHT1 (R8); \
	ADDQ       AX, R8; \
	DECQ       R9; \
	JNZ        -7(PC)

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
	PREFETCHROWS(144)

d4block:
	AHEAD4(576, 143)
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
	VPTERNLOGD.BCST $0xf8, ktlow16d<>(SB), a, Z5; \
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
	PREFETCHROWS(210)

d6block:
	AHEAD5(840, 192, 209)
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

// func prefetchRows16(w *byte, stride int, n int)
TEXT ·prefetchRows16(SB), NOSPLIT, $0-24
	MOVQ w+0(FP), SI
	MOVQ stride+8(FP), AX
	MOVQ n+16(FP), R10
	TESTQ R10, R10
	JZ   pdone
	MOVQ SI, R8
	MOVQ $16, R9
	MOVQ R10, R11
	PREFETCHT1 -1(R8)(R11*1)
	SUBQ $64, R11
	JA   -2(PC)
	PREFETCHT1 (R8)
	ADDQ AX, R8
	DECQ R9
	JNZ  -7(PC)

pdone:
	RET
