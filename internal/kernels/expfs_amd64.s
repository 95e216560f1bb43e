//go:build !purego

#include "textflag.h"

// func expf4(dst, x *float32, n int, c *[6]float64, tab *[32]uint64)
//
// expf's main path (expf_glibc.go) for four floats at a time in float64:
// z = x·32/ln2, kd = z + shift, r = z - (kd - shift), s = 2**(k/32) from
// the table and k's bits, then (C0·r + C1)·r² + (C2·r + 1) with the same
// fused multiply-adds, times s, rounded to float32.
TEXT ·expf4(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         c+24(FP), R8
	MOVQ         tab+32(FP), DX
	VBROADCASTSD 0(R8), Y10  // 32/ln2
	VBROADCASTSD 8(R8), Y11  // shift
	VBROADCASTSD 16(R8), Y12 // C0
	VBROADCASTSD 24(R8), Y13 // C1
	VBROADCASTSD 32(R8), Y14 // C2
	VBROADCASTSD 40(R8), Y15 // 1
	SHRQ         $2, CX

exploop:
	VCVTPS2PD   (SI), Y0
	VMULPD      Y10, Y0, Y0     // z
	VADDPD      Y11, Y0, Y1     // kd = z + shift; its low bits are k
	VSUBPD      Y11, Y1, Y2     // kd - shift
	VSUBPD      Y2, Y0, Y0      // r = z - kd
	VPSLLQ      $59, Y1, Y3
	VPSRLQ      $59, Y3, Y3     // k % 32
	VPCMPEQQ    Y4, Y4, Y4
	VPXOR       Y5, Y5, Y5
	VPGATHERQQ  Y4, (DX)(Y3*8), Y5
	VPSLLQ      $47, Y1, Y6
	VPADDQ      Y6, Y5, Y5      // s
	VMOVAPD     Y12, Y7
	VFMADD213PD Y13, Y0, Y7     // C0·r + C1
	VMULPD      Y0, Y0, Y8      // r²
	VMOVAPD     Y15, Y9
	VFMADD231PD Y14, Y0, Y9     // C2·r + 1
	VFMADD231PD Y8, Y7, Y9      // (C0·r + C1)·r² + (C2·r + 1)
	VMULPD      Y5, Y9, Y9
	VCVTPD2PSY  Y9, X9
	VMOVUPS     X9, (DI)
	ADDQ        $16, SI
	ADDQ        $16, DI
	DECQ        CX
	JNZ         exploop
	VZEROUPPER
	RET
