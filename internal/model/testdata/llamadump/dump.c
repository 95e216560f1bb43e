// dump runs llama.cpp's prebuilt CPU backend on a model one token at a time
// (or first batches of tokens in one llama_decode call each, their sizes
// in $BATCH separated by commas, as steps 0, 1, ..., then the others one
// at a time) and writes every intermediate tensor (or those whose
// name contains one of the comma-separated substrings of $WANT, from step
// $MINSTEP on; with $CACHE_ROWS, of the KV cache only the whole buffers,
// cut to their first $CACHE_ROWS rows)
// to a file: a line "T step name type n ne0..ne3", the raw data, a newline. It made stories260K.empty-prompt.logits.f32
// (WANT=result_output, all 200 tokens of the empty-prompt golden, the
// float32 logits of each step concatenated) and is how atelier's arithmetic
// was matched to llama.cpp's operation by operation. Not part of the build.
//
// Build against node-llama-cpp's binaries (../shared/peer after npm install;
// the llama.cpp sources are in node_modules/node-llama-cpp/llama/
// gitRelease.bundle, `git clone` it for the headers), with only
// libggml-cpu-haswell.so in BACKEND_DIR to get the AVX2 build:
//
//	B=node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
//	gcc -O1 -I$SRC/include -I$SRC/ggml/include dump.c -o dump -L$B \
//	    -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so -Wl,-rpath,$B
//	WANT=result_output ./dump BACKEND_DIR MODEL.gguf OUT N TOKEN...
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llama.h"
#include "ggml.h"
#include "ggml-backend.h"

static FILE *out;
static int step;
static const char *want;
static int minstep;

static long cache_rows;

// wanted reports whether name contains one of the comma-separated
// substrings of $WANT (or equals one written with a leading '=').
static bool wanted(const char *name) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", want);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (tok[0] == '=' ? strcmp(name, tok + 1) == 0 : strstr(name, tok) != NULL) return true;
    }
    return false;
}

static bool cb(struct ggml_tensor *t, bool ask, void *ud) {
    if (ask) return true;
    if (t->type != GGML_TYPE_F32 && t->type != GGML_TYPE_F16) return true;
    if (!ggml_is_contiguous(t)) return true;
    if (want && !wanted(t->name)) return true;
    if (step < minstep) return true;
    size_t n = ggml_nelements(t);
    long ne1 = t->ne[1];
    if (cache_rows > 0 && strncmp(t->name, "cache_", 6) == 0) {
        if (t->ne[2] != 1) return true; // a view of the cache for attention
        if (ne1 > cache_rows) {
            ne1 = cache_rows; // the whole cache buffer: its first rows only
            n = t->ne[0] * ne1;
        }
    }
    fprintf(out, "T %d %s %d %zu %ld %ld %ld %ld\n", step, t->name, t->type, n, t->ne[0], ne1, t->ne[2], t->ne[3]);
    fwrite(t->data, n * ggml_type_size(t->type), 1, out);
    fprintf(out, "\n");
    return true;
}

int main(int argc, char **argv) {
    // argv: backend-dir model out ntokens tok...
    want = getenv("WANT"); if (getenv("MINSTEP")) minstep = atoi(getenv("MINSTEP"));
    if (getenv("CACHE_ROWS")) cache_rows = atol(getenv("CACHE_ROWS"));
    ggml_backend_load_all_from_path(argv[1]);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *m = llama_model_load_from_file(argv[2], mp);
    if (!m) { fprintf(stderr, "load failed\n"); return 1; }
    out = fopen(argv[3], "wb");
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 2048; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_seq_max = 1;
    cp.n_threads = 2; cp.n_threads_batch = 2;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    cp.cb_eval = cb; cp.cb_eval_user_data = NULL;
    struct llama_context *ctx = llama_init_from_model(m, cp);
    int nt = atoi(argv[4]);
    int first = 0, nbatch = 0;
    for (char *b = getenv("BATCH"); b && *b; nbatch++) {
        // the next batch of tokens in one llama_decode call (one step)
        int nb = atoi(b);
        llama_token *toks = malloc(nb * sizeof *toks);
        for (int i = 0; i < nb; i++) toks[i] = atoi(argv[5 + first + i]);
        step = nbatch;
        struct llama_batch bt = llama_batch_get_one(toks, nb);
        if (llama_decode(ctx, bt)) { fprintf(stderr, "decode failed\n"); return 1; }
        free(toks);
        first += nb;
        b = strchr(b, ',');
        if (b) b++;
    }
    for (int i = first; i < nt; i++) {
        llama_token tok = atoi(argv[5 + i]);
        step = i - first + nbatch;
        struct llama_batch b = llama_batch_get_one(&tok, 1);
        if (llama_decode(ctx, b)) { fprintf(stderr, "decode failed\n"); return 1; }
    }
    fclose(out);
    return 0;
}
