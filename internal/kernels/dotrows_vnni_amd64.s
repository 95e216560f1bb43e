//go:build !purego

#include "textflag.h"

// The generation kernels of the 32-element block types (Q8_0, Q4_0, Q5_0)
// for AVX-512 VNNI (EVEX-encoded 256-bit VPDPBUSD), Q4_0 and Q5_0 with
// GFNI. As in dotrows_amd64.s, eight rows pass against one activation row,
// each row keeping a float vector accumulator: per block, the eight int32
// lanes of the block's dot (four products each), converted, are added with
// one fused multiply-add by dw·dx; the lanes are added at the end.
//
// The quants are taken as unsigned bytes u = q + o (o = 128 for Q8_0, where
// u = q XOR 0x80; o = 8 or 16 for the nibbles of Q4_0 and Q5_0, which are u
// itself) and one VPDPBUSD per row and block multiplies them by the signed
// activations, starting from −o·(the lane's four activations' sum), so
// that each lane comes out exact. GF2P8AFFINEQB with two bit matrices
// takes the low nibbles of the 16 quant bytes, broadcast to both halves,
// in the low half and the high nibbles in the high half, in one step.
//
// Rows are addressed from three pointers, row 0 (SI), row 3 (R8) and row 6
// (R9), with the stride in R13; the next eight rows, prefetched, likewise
// from R10, R11, R12. Two blocks pass per iteration.

DATA bytes80<>+0(SB)/8, $0x8080808080808080
DATA bytes80<>+8(SB)/8, $0x8080808080808080
DATA bytes80<>+16(SB)/8, $0x8080808080808080
DATA bytes80<>+24(SB)/8, $0x8080808080808080
GLOBL bytes80<>(SB), RODATA|NOPTR, $32

DATA bytes08v<>+0(SB)/8, $0x0808080808080808
DATA bytes08v<>+8(SB)/8, $0x0808080808080808
DATA bytes08v<>+16(SB)/8, $0x0808080808080808
DATA bytes08v<>+24(SB)/8, $0x0808080808080808
GLOBL bytes08v<>(SB), RODATA|NOPTR, $32

DATA bytes10v<>+0(SB)/8, $0x1010101010101010
DATA bytes10v<>+8(SB)/8, $0x1010101010101010
DATA bytes10v<>+16(SB)/8, $0x1010101010101010
DATA bytes10v<>+24(SB)/8, $0x1010101010101010
GLOBL bytes10v<>(SB), RODATA|NOPTR, $32

// nibbleMatrix: the GF2P8AFFINEQB matrices taking bits 0..3 of each byte
// (the low 16 bytes) and bits 4..7 shifted down (the high 16 bytes).
DATA nibbleMatrix<>+0(SB)/8, $0x0102040800000000
DATA nibbleMatrix<>+8(SB)/8, $0x0102040800000000
DATA nibbleMatrix<>+16(SB)/8, $0x1020408000000000
DATA nibbleMatrix<>+24(SB)/8, $0x1020408000000000
GLOBL nibbleMatrix<>(SB), RODATA|NOPTR, $32

// lane0: eight vectors, vector r holding r in every lane (VPERMPS indices).
DATA lane0<>+0(SB)/8, $0x0000000000000000
DATA lane0<>+8(SB)/8, $0x0000000000000000
DATA lane0<>+16(SB)/8, $0x0000000000000000
DATA lane0<>+24(SB)/8, $0x0000000000000000
DATA lane0<>+32(SB)/8, $0x0000000100000001
DATA lane0<>+40(SB)/8, $0x0000000100000001
DATA lane0<>+48(SB)/8, $0x0000000100000001
DATA lane0<>+56(SB)/8, $0x0000000100000001
DATA lane0<>+64(SB)/8, $0x0000000200000002
DATA lane0<>+72(SB)/8, $0x0000000200000002
DATA lane0<>+80(SB)/8, $0x0000000200000002
DATA lane0<>+88(SB)/8, $0x0000000200000002
DATA lane0<>+96(SB)/8, $0x0000000300000003
DATA lane0<>+104(SB)/8, $0x0000000300000003
DATA lane0<>+112(SB)/8, $0x0000000300000003
DATA lane0<>+120(SB)/8, $0x0000000300000003
DATA lane0<>+128(SB)/8, $0x0000000400000004
DATA lane0<>+136(SB)/8, $0x0000000400000004
DATA lane0<>+144(SB)/8, $0x0000000400000004
DATA lane0<>+152(SB)/8, $0x0000000400000004
DATA lane0<>+160(SB)/8, $0x0000000500000005
DATA lane0<>+168(SB)/8, $0x0000000500000005
DATA lane0<>+176(SB)/8, $0x0000000500000005
DATA lane0<>+184(SB)/8, $0x0000000500000005
DATA lane0<>+192(SB)/8, $0x0000000600000006
DATA lane0<>+200(SB)/8, $0x0000000600000006
DATA lane0<>+208(SB)/8, $0x0000000600000006
DATA lane0<>+216(SB)/8, $0x0000000600000006
DATA lane0<>+224(SB)/8, $0x0000000700000007
DATA lane0<>+232(SB)/8, $0x0000000700000007
DATA lane0<>+240(SB)/8, $0x0000000700000007
DATA lane0<>+248(SB)/8, $0x0000000700000007
GLOBL lane0<>(SB), RODATA|NOPTR, $256

// VPROLOGUE loads the arguments, points R8, R9 at rows 3 and 6 and R10,
// R11, R12 at rows 8, 11 and 14, loads the constants and zeroes the
// accumulators Y0..Y7.
#define VPROLOGUE \
	MOVQ    w+0(FP), SI; \
	MOVQ    stride+8(FP), R13; \
	MOVQ    x+16(FP), DI; \
	MOVQ    nblocks+24(FP), CX; \
	MOVQ    out+32(FP), DX; \
	LEAQ    (SI)(R13*2), R8; \
	ADDQ    R13, R8; \
	LEAQ    (R8)(R13*2), R9; \
	ADDQ    R13, R9; \
	LEAQ    (SI)(R13*8), R10; \
	LEAQ    (R8)(R13*8), R11; \
	LEAQ    (R9)(R13*8), R12; \
	VMOVDQU nibbleMatrix<>(SB), Y11; \
	VMOVDQU64 lane0<>(SB), Y24; \
	VMOVDQU64 lane0<>+32(SB), Y25; \
	VMOVDQU64 lane0<>+64(SB), Y26; \
	VMOVDQU64 lane0<>+96(SB), Y27; \
	VMOVDQU64 lane0<>+128(SB), Y28; \
	VMOVDQU64 lane0<>+160(SB), Y29; \
	VMOVDQU64 lane0<>+192(SB), Y30; \
	VMOVDQU64 lane0<>+224(SB), Y31; \
	VXORPS  Y0, Y0, Y0; \
	VXORPS  Y1, Y1, Y1; \
	VXORPS  Y2, Y2, Y2; \
	VXORPS  Y3, Y3, Y3; \
	VXORPS  Y4, Y4, Y4; \
	VXORPS  Y5, Y5, Y5; \
	VXORPS  Y6, Y6, Y6; \
	VXORPS  Y7, Y7, Y7

// VXBLOCK loads the activation block at xo(DI): quants in Y15, dx in every
// lane of Y14, and Y13 = −o·(the sum of each lane's four quants), Y16
// holding o in every byte.
#define VXBLOCK(xo) \
	VMOVDQU      xo+2(DI), Y15; \
	MOVWLZX      xo(DI), AX; \
	VMOVD        AX, X14; \
	VCVTPH2PS    X14, X14; \
	VBROADCASTSS X14, Y14; \
	VPXOR        Y13, Y13, Y13; \
	VPDPBUSD     Y15, Y16, Y13; \
	VPXOR        Y9, Y9, Y9; \
	VPSUBD       Y13, Y9, Y13

// VSCALES sets Y12 to the eight rows' dw·dx for the block at offset o of
// each row.
#define VSCALES(o) \
	VPINSRW   $0, o(SI), X12, X12; \
	VPINSRW   $1, o(SI)(R13*1), X12, X12; \
	VPINSRW   $2, o(SI)(R13*2), X12, X12; \
	VPINSRW   $3, o(R8), X12, X12; \
	VPINSRW   $4, o(SI)(R13*4), X12, X12; \
	VPINSRW   $5, o(R8)(R13*2), X12, X12; \
	VPINSRW   $6, o(R9), X12, X12; \
	VPINSRW   $7, o(R8)(R13*4), X12, X12; \
	VCVTPH2PS X12, Y12; \
	VMULPS    Y14, Y12, Y12

// VDOT adds the block of row r, its unsigned quants in Y8, to acc with the
// scale in lane r of Y12 (idx holding r in every lane).
#define VDOT(idx, acc) \
	VMOVDQA     Y13, Y10; \
	VPDPBUSD    Y15, Y8, Y10; \
	VCVTDQ2PS   Y10, Y10; \
	VPERMPS     Y12, idx, Y9; \
	VFMADD231PS Y9, Y10, acc

// Row loaders: the quants of the block at offset o of the row at p as
// unsigned bytes in Y8.
#define VQ8_0(o, p) \
	VPXORD o+2 p, Y16, Y8

#define VQ4_0(o, p) \
	VBROADCASTI128 o+2 p, Y8; \
	VGF2P8AFFINEQB $0, Y11, Y8, Y8

#define VQ5_0(o, p) \
	VBROADCASTI128 o+6 p, Y8; \
	VGF2P8AFFINEQB $0, Y11, Y8, Y8; \
	KMOVD          o+2 p, K1; \
	VPADDB         Y16, Y8, K1, Y8

// VBLOCK adds the block at offset o of the eight rows (activations at
// xo(DI)).
#define VBLOCK(LOAD, o, xo) \
	VXBLOCK(xo); \
	VSCALES(o); \
	LOAD(o, (SI)); \
	VDOT(Y24, Y0); \
	LOAD(o, (SI)(R13*1)); \
	VDOT(Y25, Y1); \
	LOAD(o, (SI)(R13*2)); \
	VDOT(Y26, Y2); \
	LOAD(o, (R8)); \
	VDOT(Y27, Y3); \
	LOAD(o, (SI)(R13*4)); \
	VDOT(Y28, Y4); \
	LOAD(o, (R8)(R13*2)); \
	VDOT(Y29, Y5); \
	LOAD(o, (R9)); \
	VDOT(Y30, Y6); \
	LOAD(o, (R8)(R13*4)); \
	VDOT(Y31, Y7)

// VPREFETCH asks for the block at offset o of the eight rows that follow.
#define VPREFETCH(o) \
	PREFETCHT1 o(R10); \
	PREFETCHT1 o(R10)(R13*1); \
	PREFETCHT1 o(R10)(R13*2); \
	PREFETCHT1 o(R11); \
	PREFETCHT1 o(R10)(R13*4); \
	PREFETCHT1 o(R11)(R13*2); \
	PREFETCHT1 o(R12); \
	PREFETCHT1 o(R11)(R13*4)

#define VADVANCE(n) \
	ADDQ $n, SI; \
	ADDQ $n, R8; \
	ADDQ $n, R9; \
	ADDQ $n, R10; \
	ADDQ $n, R11; \
	ADDQ $n, R12; \
	ADDQ $68, DI; \
	SUBQ $2, CX

// HSUMF adds the eight float lanes of each accumulator Y0..Y7 into lane r
// of Y1 and stores it to out.
#define HSUMF \
	VHADDPS    Y1, Y0, Y0; \
	VHADDPS    Y3, Y2, Y2; \
	VHADDPS    Y5, Y4, Y4; \
	VHADDPS    Y7, Y6, Y6; \
	VHADDPS    Y2, Y0, Y0; \
	VHADDPS    Y6, Y4, Y4; \
	VPERM2F128 $0x20, Y4, Y0, Y1; \
	VPERM2F128 $0x31, Y4, Y0, Y2; \
	VADDPS     Y2, Y1, Y1; \
	VMOVUPS    Y1, (DX)

// func dotQ8_0Rows8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)
//
// dotQ8_0Rows8 with VPDPBUSD.
TEXT ·dotQ8_0Rows8VNNI(SB), NOSPLIT, $0-40
	VPROLOGUE
	VMOVDQU64 bytes80<>(SB), Y16
	CMPQ      CX, $2
	JLT       vq80tail

vq80loop:
	VPREFETCH(0)
	VBLOCK(VQ8_0, 0, 0)
	VPREFETCH(34)
	VBLOCK(VQ8_0, 34, 34)
	VADVANCE(68)
	CMPQ CX, $2
	JGE  vq80loop

vq80tail:
	TESTQ CX, CX
	JZ    vq80done
	VPREFETCH(0)
	VBLOCK(VQ8_0, 0, 0)

vq80done:
	HSUMF
	VZEROUPPER
	RET

// VADVANCE8 moves on n bytes of interleaved rows (8n of the stream) and
// n bytes of activations, two blocks.
#define VADVANCE8(n) \
	ADDQ $(8*n), SI; \
	ADDQ $(8*n), R8; \
	ADDQ $(8*n), R9; \
	ADDQ $68, DI; \
	SUBQ $2, CX

// func dotQ8_0R8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)
//
// dotQ8_0Rows8VNNI on interleaved rows (stride 34, the second block of a
// pair 8·34 bytes on), without prefetching.
TEXT ·dotQ8_0R8VNNI(SB), NOSPLIT, $0-40
	VPROLOGUE
	VMOVDQU64 bytes80<>(SB), Y16
	CMPQ      CX, $2
	JLT       vr80tail

vr80loop:
	VBLOCK(VQ8_0, 0, 0)
	VBLOCK(VQ8_0, 272, 34)
	VADVANCE8(68)
	CMPQ CX, $2
	JGE  vr80loop

vr80tail:
	TESTQ CX, CX
	JZ    vr80done
	VBLOCK(VQ8_0, 0, 0)

vr80done:
	HSUMF
	VZEROUPPER
	RET

// func dotQ4_0Rows8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)
//
// dotQ4_0Rows8 with VPDPBUSD, the nibbles split by GF2P8AFFINEQB.
TEXT ·dotQ4_0Rows8VNNI(SB), NOSPLIT, $0-40
	VPROLOGUE
	VMOVDQU64 bytes08v<>(SB), Y16
	CMPQ      CX, $2
	JLT       vq40tail

vq40loop:
	VPREFETCH(0)
	VBLOCK(VQ4_0, 0, 0)
	VPREFETCH(18)
	VBLOCK(VQ4_0, 18, 34)
	VADVANCE(36)
	CMPQ CX, $2
	JGE  vq40loop

vq40tail:
	TESTQ CX, CX
	JZ    vq40done
	VPREFETCH(0)
	VBLOCK(VQ4_0, 0, 0)

vq40done:
	HSUMF
	VZEROUPPER
	RET

// func dotQ5_0Rows8VNNI(w *byte, stride int, x *byte, nblocks int, out *float32)
//
// dotQ5_0Rows8 with VPDPBUSD, the nibbles split by GF2P8AFFINEQB and the
// fifth bits (qh) added as 16 under a mask.
TEXT ·dotQ5_0Rows8VNNI(SB), NOSPLIT, $0-40
	VPROLOGUE
	VMOVDQU64 bytes10v<>(SB), Y16
	CMPQ      CX, $2
	JLT       vq50tail

vq50loop:
	VPREFETCH(0)
	VBLOCK(VQ5_0, 0, 0)
	VPREFETCH(22)
	VBLOCK(VQ5_0, 22, 34)
	VADVANCE(44)
	CMPQ CX, $2
	JGE  vq50loop

vq50tail:
	TESTQ CX, CX
	JZ    vq50done
	VPREFETCH(0)
	VBLOCK(VQ5_0, 0, 0)

vq50done:
	HSUMF
	VZEROUPPER
	RET
