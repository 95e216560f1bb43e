// gen prints the golden of TestSinCosF32 and TestExpf: FNV-1a hashes of
// glibc's sincosf (bits of the input, the sine, the cosine) over RoPE
// angles (pos·scale^j in float32 for positions 0..4095, the scales printed
// in hex) and over random float32 bit patterns, and of its expf (bits of
// the input and the result) over random float32 bit patterns and random
// values in [-105, 95). Run on x86-64 with FMA (glibc picks its FMA
// variant), against the libm llama.cpp's CPU backend links:
//
//	gcc -O1 gen.c -o gen -lm && ./gen > golden.txt
#define _GNU_SOURCE // sincosf
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t h;
static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static void add(uint32_t v) {
    for (int i = 0; i < 4; i++) { h ^= (v >> (8 * i)) & 0xff; h *= 1099511628211ULL; }
}
static void emit(float x) { float s, c; sincosf(x, &s, &c); add(bits(x)); add(bits(s)); add(bits(c)); }

int main(void) {
    float bases[] = {10000, 500000, 1000000};
    int dims[] = {8, 64, 128};
    for (int bi = 0; bi < 3; bi++) for (int di = 0; di < 3; di++) {
        float sc = powf(bases[bi], -2.0f / dims[di]);
        h = 14695981039346656037ULL;
        for (int pos = 0; pos < 4096; pos++) {
            float th = (float)pos;
            for (int j = 0; j < dims[di] / 2; j++) { emit(th); th *= sc; }
        }
        printf("rope %d %08x %016llx\n", dims[di], bits(sc), (unsigned long long)h);
    }
    h = 14695981039346656037ULL;
    uint64_t r = 88172645463325252ULL;
    int n = 0;
    for (int i = 0; i < 2000000; i++) {
        r ^= r << 13; r ^= r >> 7; r ^= r << 17;
        uint32_t u = (uint32_t)(r >> 32);
        float x; memcpy(&x, &u, 4);
        if (isnan(x) || isinf(x)) continue;
        emit(x);
        n++;
    }
    printf("random %d %016llx\n", n, (unsigned long long)h);
    h = 14695981039346656037ULL;
    r = 88172645463325252ULL;
    for (int i = 0; i < 4000000; i++) {
        r ^= r << 13; r ^= r >> 7; r ^= r << 17;
        float x;
        if (i % 2) { uint32_t u = (uint32_t)(r >> 32); memcpy(&x, &u, 4); }
        else x = (float)((double)(r >> 11) / 9007199254740992.0 * 200.0 - 105.0);
        add(bits(x));
        add(bits(expf(x)));
    }
    printf("expf 4000000 %016llx\n", (unsigned long long)h);
    return 0;
}
