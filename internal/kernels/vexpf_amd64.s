//go:build !purego

#include "textflag.h"
#include "vexpf_amd64.h"

// The constants of ggml_v_expf (see vexpf in float.go).
DATA expconst<>+0(SB)/4, $0x4b400000  // 0x1.8p23, the rounding shift
DATA expconst<>+4(SB)/4, $0x3fb8aa3b  // 0x1.715476p+0, log2(e)
DATA expconst<>+8(SB)/4, $0x35bfbe8e  // 0x1.7f7d1cp-20, ln2 low part
DATA expconst<>+12(SB)/4, $0x3f317200 // 0x1.62e4p-1, ln2 high part
DATA expconst<>+16(SB)/4, $0x3c072010 // 0x1.0e4020p-7
DATA expconst<>+20(SB)/4, $0x3d2b9f17 // 0x1.573e2ep-5
DATA expconst<>+24(SB)/4, $0x3e2aaf33 // 0x1.555e66p-3
DATA expconst<>+28(SB)/4, $0x3efffedb // 0x1.fffdb6p-2
DATA expconst<>+32(SB)/4, $0x3f7ffff6 // 0x1.ffffecp-1
DATA expconst<>+36(SB)/4, $0x3f800000 // 1
DATA expconst<>+40(SB)/4, $0x7fffffff // the absolute value mask
DATA expconst<>+44(SB)/4, $0x42fc0000 // 126
DATA expconst<>+48(SB)/4, $0x43400000 // 192
DATA expconst<>+52(SB)/4, $0x82000000
DATA expconst<>+56(SB)/4, $0x7f000000
GLOBL expconst<>(SB), RODATA|NOPTR, $64

// func swigluF32(dst, gate, up *float32, n int)
TEXT ·swigluF32(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   swidone

swiloop:
	VXORPS       Y0, Y0, Y0
	VSUBPS       (SI), Y0, Y0
	VEXPF
	VBROADCASTSS expconst<>+36(SB), Y9
	VADDPS       Y8, Y9, Y8
	VMOVUPS      (SI), Y0
	VDIVPS       Y8, Y0, Y0
	VMULPS       (DX), Y0, Y0
	VMOVUPS      Y0, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, DI
	DECQ         CX
	JNZ          swiloop

swidone:
	VZEROUPPER
	RET

// func softmaxF32(x *float32, n int, max float32) float64
TEXT ·softmaxF32(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS max+16(FP), Y15
	VXORPD       X0, X0, X0
	VMOVSD       X0, ret+24(FP)
	SHRQ         $3, CX
	JZ           smdone

smloop:
	VMOVUPS      (SI), Y0
	VSUBPS       Y15, Y0, Y0
	VEXPF
	VMOVUPS      Y8, (SI)
	VEXTRACTF128 $1, Y8, X1
	VADDPS       X8, X1, X1
	VMOVHLPS     X1, X1, X2
	VADDPS       X2, X1, X1
	VMOVSHDUP    X1, X2
	VADDSS       X2, X1, X1
	VCVTSS2SD    X1, X1, X1
	VMOVSD       ret+24(FP), X0
	VADDSD       X1, X0, X0
	VMOVSD       X0, ret+24(FP)
	ADDQ         $32, SI
	DECQ         CX
	JNZ          smloop

smdone:
	VZEROUPPER
	RET

// func scaleF32(x *float32, n int, s float32)
TEXT ·scaleF32(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSS s+16(FP), Y15
	SHRQ         $5, CX
	JZ           scaledone32

scaleloop32:
	VMULPS  (DI), Y15, Y0
	VMULPS  32(DI), Y15, Y1
	VMULPS  64(DI), Y15, Y2
	VMULPS  96(DI), Y15, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	DECQ    CX
	JNZ     scaleloop32

scaledone32:
	VZEROUPPER
	RET
