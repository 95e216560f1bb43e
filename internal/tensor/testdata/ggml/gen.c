// gen.c writes golden.txt: llama.cpp's own results (ggml, as shipped in
// node-llama-cpp's prebuilt libraries) for quantizing, dequantizing and dot
// products on fixed inputs, so that the Go tests can check atelier's
// kernels against them bit for bit. Development tool only: CI never builds
// or runs it. See gen.sh.
//
// The inputs come from a small integer generator that golden_test.go
// reproduces exactly (every float is made from integers with exact or
// round-to-nearest-even conversions), so only the outputs are stored.
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 512 };

typedef void (*quant_fn)(const float *, void *, int64_t);
typedef void (*dequant_fn)(const void *, float *, int64_t);
typedef void (*dot_fn)(int, float *, size_t, const void *, size_t, const void *, size_t, int);

static void *base, *generic, *avx2;

static void *sym(void *lib, const char *name) {
	void *p = dlsym(lib, name);
	if (!p) {
		fprintf(stderr, "gen: missing symbol %s: %s\n", name, dlerror());
		exit(1);
	}
	return p;
}

static void *open_lib(const char *dir, const char *name) {
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "gen: %s\n", dlerror());
		exit(1);
	}
	return h;
}

// splitmix64
static uint64_t state;
static uint64_t next(void) {
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static float gauss(void) {
	int64_t s = 0;
	for (int k = 0; k < 4; k++) s += (int64_t)(next() >> 40);
	return (float)(s - (2LL << 24)) * (1.0f / 16777216.0f);
}

enum { D_GAUSS, D_UNIFORM, D_OUTLIERS, D_SPECIAL, D_TINY, D_HUGE, D_HALFZERO, D_TIES, ND };
static const char *dist_names[ND] = {"gauss", "uniform", "outliers", "special", "tiny", "huge", "halfzero", "ties"};

static void fill(float *x, int dist, uint64_t seed) {
	state = seed;
	for (int i = 0; i < N; i++) {
		float v;
		if (dist == D_TIES) {
			// halves, and 127 once per 32: roundings of exact ties
			v = i % 32 == 0 ? 127.0f : (float)((int)(next() >> 58) - 32) + 0.5f;
		} else if (dist == D_UNIFORM) {
			v = (float)((int32_t)(next() >> 40) - (1 << 23)) * (1.0f / 8388608.0f);
		} else {
			v = gauss();
		}
		switch (dist) {
		case D_OUTLIERS: if (i % 37 == 0) v *= 16.0f; break;
		case D_SPECIAL:
			if (i < 32) v = 0.0f;
			else if (i >= 64 && i < 96) v = 0.25f;
			else if (i >= 96 && i < 128) v = -3.0f;
			break;
		case D_TINY: v *= 1.0f / 1048576.0f; break;
		case D_HUGE: v *= 256.0f; break;
		case D_HALFZERO: if (i >= 256) v = 0.0f; break;
		}
		x[i] = v;
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 0x100000001b3ull; }
	return h;
}

static void hex(FILE *f, const char *key, const void *p, size_t n) {
	const unsigned char *b = p;
	fprintf(f, "%s ", key);
	for (size_t i = 0; i < n; i++) fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

static void bits(FILE *f, const char *key, float v) {
	uint32_t u; memcpy(&u, &v, 4);
	fprintf(f, "%s %08x\n", key, u);
}

struct wtype {
	const char *name; int id; size_t row; // bytes for N elements
	const char *quant, *dequant;          // base: reference quantizer, dequantizer
	const char *act; int act_id; size_t act_row; // activation type
	const char *act_quant_avx2;            // CPU quantizer (from the AVX2 library)
	const char *dot;                       // dot product name (vec_dot)
	int has_generic;                       // dot has a _generic variant
};

// from_float for F16/BF16/F32 rows in base and in the CPU library
static void f32_row(const float *x, void *y, int64_t n) { memcpy(y, x, 4 * n); }
static void f32_deq(const void *x, float *y, int64_t n) { memcpy(y, x, 4 * n); }

int main(int argc, char **argv) {
	if (argc != 3) { fprintf(stderr, "usage: gen LIBDIR OUT\n"); return 2; }
	base = open_lib(argv[1], "libggml-base.so");
	generic = open_lib(argv[1], "libggml-cpu-x64.so");
	avx2 = open_lib(argv[1], "libggml-cpu-haswell.so");
	((void (*)(void))sym(generic, "ggml_cpu_init"))();
	((void (*)(void))sym(avx2, "ggml_cpu_init"))();

	const struct wtype types[] = {
		{"F32", 0, 4 * N, NULL, NULL, "F32", 0, 4 * N, NULL, "ggml_vec_dot_f32", 0},
		{"F16", 1, 2 * N, "ggml_fp32_to_fp16_row", "ggml_fp16_to_fp32_row", "F16", 1, 2 * N, "ggml_cpu_fp32_to_fp16", "ggml_vec_dot_f16", 0},
		{"BF16", 30, 2 * N, "ggml_fp32_to_bf16_row_ref", "ggml_bf16_to_fp32_row", "BF16", 30, 2 * N, "ggml_cpu_fp32_to_bf16", "ggml_vec_dot_bf16", 0},
		{"Q8_0", 8, N / 32 * 34, "quantize_row_q8_0_ref", "dequantize_row_q8_0", "Q8_0", 8, N / 32 * 34, "quantize_row_q8_0", "ggml_vec_dot_q8_0_q8_0", 1},
		{"Q4_0", 2, N / 32 * 18, "quantize_row_q4_0_ref", "dequantize_row_q4_0", "Q8_0", 8, N / 32 * 34, "quantize_row_q8_0", "ggml_vec_dot_q4_0_q8_0", 1},
		{"Q4_1", 3, N / 32 * 20, "quantize_row_q4_1_ref", "dequantize_row_q4_1", "Q8_1", 9, N / 32 * 36, "quantize_row_q8_1", "ggml_vec_dot_q4_1_q8_1", 1},
		{"Q5_0", 6, N / 32 * 22, "quantize_row_q5_0_ref", "dequantize_row_q5_0", "Q8_0", 8, N / 32 * 34, "quantize_row_q8_0", "ggml_vec_dot_q5_0_q8_0", 1},
		{"Q5_1", 7, N / 32 * 24, "quantize_row_q5_1_ref", "dequantize_row_q5_1", "Q8_1", 9, N / 32 * 36, "quantize_row_q8_1", "ggml_vec_dot_q5_1_q8_1", 1},
		{"Q2_K", 10, N / 256 * 84, "quantize_row_q2_K_ref", "dequantize_row_q2_K", "Q8_K", 15, N / 256 * 292, "quantize_row_q8_K", "ggml_vec_dot_q2_K_q8_K", 1},
		{"Q3_K", 11, N / 256 * 110, "quantize_row_q3_K_ref", "dequantize_row_q3_K", "Q8_K", 15, N / 256 * 292, "quantize_row_q8_K", "ggml_vec_dot_q3_K_q8_K", 1},
		{"Q4_K", 12, N / 256 * 144, "quantize_row_q4_K_ref", "dequantize_row_q4_K", "Q8_K", 15, N / 256 * 292, "quantize_row_q8_K", "ggml_vec_dot_q4_K_q8_K", 1},
		{"Q5_K", 13, N / 256 * 176, "quantize_row_q5_K_ref", "dequantize_row_q5_K", "Q8_K", 15, N / 256 * 292, "quantize_row_q8_K", "ggml_vec_dot_q5_K_q8_K", 1},
		{"Q6_K", 14, N / 256 * 210, "quantize_row_q6_K_ref", "dequantize_row_q6_K", "Q8_K", 15, N / 256 * 292, "quantize_row_q8_K", "ggml_vec_dot_q6_K_q8_K", 1},
	};
	FILE *f = fopen(argv[2], "w");
	if (!f) { perror("gen"); return 1; }
	fprintf(f, "# llama.cpp (ggml from node-llama-cpp's prebuilt libraries) on fixed inputs; made by gen.c, see gen.sh\n");
	float w[N], x[N], deq[N];
	static unsigned char q[8 * N], xq[8 * N], xq_ref[8 * N];
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		const struct wtype *ty = &types[t];
		quant_fn quant = ty->quant ? (quant_fn)sym(base, ty->quant) : f32_row;
		dequant_fn dequant = ty->dequant ? (dequant_fn)sym(base, ty->dequant) : f32_deq;
		quant_fn actq = ty->act_quant_avx2 ? (quant_fn)sym(avx2, ty->act_quant_avx2) : f32_row;
		char name[256];
		snprintf(name, sizeof name, "%s%s", ty->dot, ty->has_generic ? "_generic" : "");
		dot_fn dot_generic = (dot_fn)sym(generic, name);
		dot_fn dot_avx2 = (dot_fn)sym(avx2, ty->dot);
		for (int d = 0; d < ND; d++) {
			fill(w, d, 1000 * (uint64_t)ty->id + d);
			fill(x, d == D_TIES ? D_TIES : D_GAUSS, 1000 * (uint64_t)ty->id + 500 + d); // ties in activations too
			uint64_t h = fnv(0xcbf29ce484222325ull, w, sizeof w);
			h = fnv(h, x, sizeof x);
			memset(q, 0, sizeof q);
			memset(xq, 0, sizeof xq);
			quant(w, q, N);
			dequant(q, deq, N);
			actq(x, xq, N);
			float sg = 0, sa = 0;
			dot_generic(N, &sg, 0, q, 0, xq, 0, 1);
			dot_avx2(N, &sa, 0, q, 0, xq, 0, 1);
			fprintf(f, "case %s %s %016llx\n", ty->name, dist_names[d], (unsigned long long)h);
			hex(f, "quant", q, ty->row);
			fprintf(f, "dequant %016llx\n", (unsigned long long)fnv(0xcbf29ce484222325ull, deq, sizeof deq));
			hex(f, "act", xq, ty->act_row);
			bits(f, "dot", sg);
			bits(f, "dot_avx2", sa);
		}
	}
	// The reference quantizers of the activation types too.
	const struct { const char *name; int id; const char *fn; size_t row; } acts[] = {
		{"Q8_1", 9, "quantize_row_q8_1_ref", N / 32 * 36},
		{"Q8_K", 15, "quantize_row_q8_K_ref", N / 256 * 292},
	};
	for (size_t t = 0; t < sizeof acts / sizeof acts[0]; t++) {
		quant_fn quant = (quant_fn)sym(base, acts[t].fn);
		for (int d = 0; d < ND; d++) {
			fill(w, d, 1000 * (uint64_t)acts[t].id + d);
			memset(xq_ref, 0, sizeof xq_ref);
			quant(w, xq_ref, N);
			fprintf(f, "ref %s %s %016llx\n", acts[t].name, dist_names[d],
				(unsigned long long)fnv(0xcbf29ce484222325ull, w, sizeof w));
			hex(f, "quant", xq_ref, acts[t].row);
		}
	}
	return fclose(f) != 0;
}
