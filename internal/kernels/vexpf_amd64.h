// VEXPF sets Y8 to ggml_v_expf (AVX2) of the eight lanes of Y0: the same
// operations as vexpf, the overflow and underflow lanes blended in rather
// than branched to. It clobbers Y1..Y14 and needs the constants of
// expconst<> (vexpf_amd64.s).
#define VEXPF \
	VBROADCASTSS expconst<>+0(SB), Y1; \
	VBROADCASTSS expconst<>+4(SB), Y2; \
	VFMADD213PS  Y1, Y0, Y2; \
	VSUBPS       Y1, Y2, Y3; \
	VMOVAPS      Y0, Y5; \
	VBROADCASTSS expconst<>+12(SB), Y4; \
	VFNMADD231PS Y4, Y3, Y5; \
	VBROADCASTSS expconst<>+8(SB), Y4; \
	VFNMADD231PS Y4, Y3, Y5; \
	VPSLLD       $23, Y2, Y2; \
	VBROADCASTSS expconst<>+36(SB), Y6; \
	VPADDD       Y6, Y2, Y7; \
	VBROADCASTSS expconst<>+40(SB), Y6; \
	VANDPS       Y3, Y6, Y6; \
	VBROADCASTSS expconst<>+44(SB), Y1; \
	VCMPPS       $0x1e, Y1, Y6, Y1; \
	VMULPS       Y5, Y5, Y4; \
	VBROADCASTSS expconst<>+16(SB), Y8; \
	VBROADCASTSS expconst<>+20(SB), Y9; \
	VFMADD213PS  Y9, Y5, Y8; \
	VBROADCASTSS expconst<>+24(SB), Y9; \
	VBROADCASTSS expconst<>+28(SB), Y10; \
	VFMADD213PS  Y10, Y5, Y9; \
	VFMADD213PS  Y9, Y4, Y8; \
	VBROADCASTSS expconst<>+32(SB), Y10; \
	VMULPS       Y10, Y5, Y10; \
	VFMADD213PS  Y10, Y4, Y8; \
	VXORPS       Y11, Y11, Y11; \
	VCMPPS       $0x12, Y11, Y3, Y11; \
	VBROADCASTSS expconst<>+52(SB), Y12; \
	VANDPS       Y12, Y11, Y11; \
	VBROADCASTSS expconst<>+56(SB), Y12; \
	VPADDD       Y12, Y11, Y12; \
	VPSUBD       Y11, Y2, Y13; \
	VFMADD213PS  Y13, Y8, Y13; \
	VMULPS       Y12, Y13, Y13; \
	VMULPS       Y12, Y12, Y12; \
	VFMADD213PS  Y7, Y7, Y8; \
	VBLENDVPS    Y1, Y13, Y8, Y8; \
	VBROADCASTSS expconst<>+48(SB), Y14; \
	VCMPPS       $0x1e, Y14, Y6, Y14; \
	VBLENDVPS    Y14, Y12, Y8, Y8
