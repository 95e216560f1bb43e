//go:build !purego

#include "textflag.h"

// Streaming reads for BenchmarkMemoryBandwidth: each function reads s
// streams of n bytes (stream k at p + k·n, n a multiple of 256), 256 bytes
// of each stream per pass, and returns a checksum so the loads stay.
// The P forms also prefetch pf bytes ahead in every stream.

#define LDY(r) \
	VPADDQ (r), Y0, Y0; \
	VPADDQ 32(r), Y1, Y1; \
	VPADDQ 64(r), Y2, Y2; \
	VPADDQ 96(r), Y3, Y3; \
	VPADDQ 128(r), Y0, Y0; \
	VPADDQ 160(r), Y1, Y1; \
	VPADDQ 192(r), Y2, Y2; \
	VPADDQ 224(r), Y3, Y3

#define LDZ(r) \
	VPADDQ (r), Z0, Z0; \
	VPADDQ 64(r), Z1, Z1; \
	VPADDQ 128(r), Z2, Z2; \
	VPADDQ 192(r), Z3, Z3

#define PF(r) \
	PREFETCHT0 (r)(R9*1); \
	PREFETCHT0 64(r)(R9*1); \
	PREFETCHT0 128(r)(R9*1); \
	PREFETCHT0 192(r)(R9*1)

#define PROLOGUE \
	MOVQ p+0(FP), SI; \
	MOVQ n+8(FP), CX; \
	MOVQ s+16(FP), R10; \
	MOVQ pf+24(FP), R9; \
	VPXORQ Z0, Z0, Z0; \
	VPXORQ Z1, Z1, Z1; \
	VPXORQ Z2, Z2, Z2; \
	VPXORQ Z3, Z3, Z3; \
	LEAQ (SI)(CX*1), DI; \
	LEAQ (DI)(CX*1), R11; \
	LEAQ (R11)(CX*1), R12; \
	SHRQ $8, CX

#define EPILOGUE \
	VPADDQ Z1, Z0, Z0; \
	VPADDQ Z3, Z2, Z2; \
	VPADDQ Z2, Z0, Z0; \
	VEXTRACTI64X4 $1, Z0, Y1; \
	VPADDQ Y1, Y0, Y0; \
	VEXTRACTI128 $1, Y0, X1; \
	VPADDQ X1, X0, X0; \
	VMOVQ X0, AX; \
	MOVQ AX, ret+32(FP); \
	VZEROUPPER; \
	RET

// func streamY(p *byte, n, s, pf int) uint64
TEXT ·streamY(SB), NOSPLIT, $0-40
	PROLOGUE
	CMPQ R10, $2
	JEQ  y2
	JGT  y4
y1:
	LDY(SI)
	ADDQ $256, SI
	DECQ CX
	JNZ  y1
	EPILOGUE
y2:
	LDY(SI)
	LDY(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  y2
	EPILOGUE
y4:
	LDY(SI)
	LDY(DI)
	LDY(R11)
	LDY(R12)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $256, R11
	ADDQ $256, R12
	DECQ CX
	JNZ  y4
	EPILOGUE

// func streamZ(p *byte, n, s, pf int) uint64
TEXT ·streamZ(SB), NOSPLIT, $0-40
	PROLOGUE
	CMPQ R10, $2
	JEQ  z2
	JGT  z4
z1:
	LDZ(SI)
	ADDQ $256, SI
	DECQ CX
	JNZ  z1
	EPILOGUE
z2:
	LDZ(SI)
	LDZ(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  z2
	EPILOGUE
z4:
	LDZ(SI)
	LDZ(DI)
	LDZ(R11)
	LDZ(R12)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $256, R11
	ADDQ $256, R12
	DECQ CX
	JNZ  z4
	EPILOGUE

// func streamYP(p *byte, n, s, pf int) uint64
TEXT ·streamYP(SB), NOSPLIT, $0-40
	PROLOGUE
	CMPQ R10, $2
	JEQ  yp2
	JGT  yp4
yp1:
	PF(SI)
	LDY(SI)
	ADDQ $256, SI
	DECQ CX
	JNZ  yp1
	EPILOGUE
yp2:
	PF(SI)
	PF(DI)
	LDY(SI)
	LDY(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  yp2
	EPILOGUE
yp4:
	PF(SI)
	PF(DI)
	PF(R11)
	PF(R12)
	LDY(SI)
	LDY(DI)
	LDY(R11)
	LDY(R12)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $256, R11
	ADDQ $256, R12
	DECQ CX
	JNZ  yp4
	EPILOGUE
