//go:build !purego

#include "textflag.h"

// R8ROWS points R8 and R9 at rows 3 and 6 of the eight at DI, stride DX
// (rows 0..7: (DI), (DI)(DX*1), (DI)(DX*2), (R8), (DI)(DX*4), (R8)(DX*2),
// (R9), (R8)(DX*4)).
#define R8ROWS \
	LEAQ (DI)(DX*2), R8; \
	ADDQ DX, R8; \
	LEAQ (R8)(DX*2), R9; \
	ADDQ DX, R9

// MOVBLOCK copies the 34-byte block at src to dst through Y0 and AX.
#define MOVBLOCK(src, dst) \
	VMOVDQU src, Y0; \
	VMOVDQU Y0, dst

#define MOVSCALE(src, dst) \
	MOVW src, AX; \
	MOVW AX, dst

// func deinterleaveQ8_0Group(dst *byte, stride int, src *byte, nblocks int)
TEXT ·deinterleaveQ8_0Group(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  stride+8(FP), DX
	MOVQ  src+16(FP), SI
	MOVQ  nblocks+24(FP), CX
	TESTQ CX, CX
	JZ    dgdone
	R8ROWS

dgloop:
	MOVBLOCK(0(SI), (DI))
	MOVSCALE(32(SI), 32(DI))
	MOVBLOCK(34(SI), (DI)(DX*1))
	MOVSCALE(66(SI), 32(DI)(DX*1))
	MOVBLOCK(68(SI), (DI)(DX*2))
	MOVSCALE(100(SI), 32(DI)(DX*2))
	MOVBLOCK(102(SI), (R8))
	MOVSCALE(134(SI), 32(R8))
	MOVBLOCK(136(SI), (DI)(DX*4))
	MOVSCALE(168(SI), 32(DI)(DX*4))
	MOVBLOCK(170(SI), (R8)(DX*2))
	MOVSCALE(202(SI), 32(R8)(DX*2))
	MOVBLOCK(204(SI), (R9))
	MOVSCALE(236(SI), 32(R9))
	MOVBLOCK(238(SI), (R8)(DX*4))
	MOVSCALE(270(SI), 32(R8)(DX*4))
	ADDQ  $272, SI
	ADDQ  $34, DI
	ADDQ  $34, R8
	ADDQ  $34, R9
	DECQ  CX
	JNZ   dgloop
	VZEROUPPER

dgdone:
	RET

// func interleaveQ8_0Group(dst *byte, src *byte, stride int, nblocks int)
TEXT ·interleaveQ8_0Group(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), SI
	MOVQ  src+8(FP), DI
	MOVQ  stride+16(FP), DX
	MOVQ  nblocks+24(FP), CX
	TESTQ CX, CX
	JZ    igdone
	R8ROWS

igloop:
	MOVBLOCK((DI), 0(SI))
	MOVSCALE(32(DI), 32(SI))
	MOVBLOCK((DI)(DX*1), 34(SI))
	MOVSCALE(32(DI)(DX*1), 66(SI))
	MOVBLOCK((DI)(DX*2), 68(SI))
	MOVSCALE(32(DI)(DX*2), 100(SI))
	MOVBLOCK((R8), 102(SI))
	MOVSCALE(32(R8), 134(SI))
	MOVBLOCK((DI)(DX*4), 136(SI))
	MOVSCALE(32(DI)(DX*4), 168(SI))
	MOVBLOCK((R8)(DX*2), 170(SI))
	MOVSCALE(32(R8)(DX*2), 202(SI))
	MOVBLOCK((R9), 204(SI))
	MOVSCALE(32(R9), 236(SI))
	MOVBLOCK((R8)(DX*4), 238(SI))
	MOVSCALE(32(R8)(DX*4), 270(SI))
	ADDQ  $272, SI
	ADDQ  $34, DI
	ADDQ  $34, R8
	ADDQ  $34, R9
	DECQ  CX
	JNZ   igloop
	VZEROUPPER

igdone:
	RET
