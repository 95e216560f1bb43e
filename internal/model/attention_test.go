package model

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// llamaDump holds the tensors of a testdata/llamadump/dump.c file by step
// and name, as float32.
type llamaDump map[string][]float32

func readLlamaDump(t *testing.T, path string) llamaDump {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	d := llamaDump{}
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			return d
		}
		if err != nil {
			t.Fatal(err)
		}
		// "T step name... type n ne0 ne1 ne2 ne3"; the name may hold spaces.
		fs := strings.Fields(line)
		if len(fs) < 9 || fs[0] != "T" {
			t.Fatalf("%s: bad header %q", path, line)
		}
		typ, _ := strconv.Atoi(fs[len(fs)-6])
		n, _ := strconv.Atoi(fs[len(fs)-5])
		key := fs[1] + " " + strings.Join(fs[2:len(fs)-6], " ")
		size := 4
		if typ == 1 {
			size = 2
		}
		buf := make([]byte, n*size+1) // the data and a newline
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		v := make([]float32, n)
		for i := range v {
			if typ == 1 {
				v[i] = kernels.F16ToF32(binary.LittleEndian.Uint16(buf[2*i:]))
			} else {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			}
		}
		d[key] = v
	}
}

func (d llamaDump) get(t *testing.T, step int, name string) []float32 {
	t.Helper()
	v, ok := d[fmt.Sprint(step, " ", name)]
	if !ok {
		t.Fatalf("no tensor %q at step %d", name, step)
	}
	return v
}

// TestAttentionMatchesLlamaCpp gives the attention of layer 0 the queries,
// keys and values llama.cpp's AVX2 build computed and checks its output
// bit for bit against llama.cpp's (kqv_out-0): a prompt of 66 tokens in
// one batch (llama.cpp's tiled flash attention, two tiles of positions),
// then one token (the one-query kernel with an F16 query and F16
// accumulator), for head dimensions 8 (stories260K), 64 (tiny-qwen2) and,
// for the one-token step only, 128 (tiny-qwen3); and single tokens after
// 260 positions, where llama.cpp splits the cache over its threads. The dumps were recorded
// with testdata/llamadump/dump.c, the synthetic models written by
// ATELIER_SYNTH_OUT=/tmp/synth go test -run TestGreedyMatchesLlamaCpp:
//
//	W="=Qcur-0 (view),cache_k_l0,cache_v_l0,=kqv_out-0"
//	T=$(python3 -c "print(' '.join(str((i*7919)%150000+100) for i in range(67)))")
//	BATCH=66 CACHE_ROWS=67 WANT=$W ./dump BE /tmp/synth/tiny-qwen2-F16.gguf tiny-qwen2-F16.dump 67 $T
//	BATCH=66 CACHE_ROWS=67 WANT=$W MINSTEP=1 ./dump BE /tmp/synth/tiny-qwen3-Q4_K_M.gguf tiny-qwen3-Q4_K_M.dump 67 $T
//	BATCH=66 CACHE_ROWS=67 WANT=$W ./dump BE stories260K.gguf stories260K.dump 67 TOKENS
//
// where TOKENS (TOKENS96) are the first 67 (96) of the input and tokens of
// ../shared/testdata/models/stories260K.empty-prompt.greedy.json. The long
// case takes those 201 tokens three times over, cut to 262 (LONG), then
//
//	BATCH=260 CACHE_ROWS=262 WANT=$W MINSTEP=1 ./dump BE stories260K.gguf stories260K-long.dump 262 LONG
//	BATCH=30,66 CACHE_ROWS=96 WANT=$W MINSTEP=1 ./dump BE stories260K.gguf stories260K-cont.dump 96 TOKENS96
func TestAttentionMatchesLlamaCpp(t *testing.T) {
	for _, c := range []struct {
		name               string
		heads, kvHeads, hd int
		steps              []int // tokens per step
		first              int   // the first step recorded
		threads            []int
	}{
		{"stories260K", 8, 4, 8, []int{66, 1}, 0, []int{1, 2}},
		{"tiny-qwen2-F16", 4, 2, 64, []int{66, 1}, 0, []int{1, 2}},
		{"tiny-qwen3-Q4_K_M", 4, 2, 128, []int{66, 1}, 1, []int{1, 2}},
		// A batch of 66 after 30 cached positions (the tiled kernel's
		// causal mask starts mid-tile).
		{"stories260K-cont", 8, 4, 8, []int{30, 66}, 1, []int{1, 2}},
		// A token at positions 260 and 261: llama.cpp (two threads) splits
		// the 512 positions of its view of the cache in two.
		{"stories260K-long", 8, 4, 8, []int{260, 1, 1}, 1, []int{2}},
	} {
		for _, threads := range c.threads {
			t.Run(fmt.Sprint(c.name, "/threads=", threads), func(t *testing.T) {
				dump := readLlamaDump(t, filepath.Join("testdata", "attention", c.name+".dump"))
				d := &Decoder{Config: Config{
					Embd: c.heads * c.hd, Layers: 1, Heads: c.heads, KVHeads: c.kvHeads, HeadDim: c.hd,
					FFN: 8, Vocab: 8, RopeDim: c.hd, RopeBase: 10000, RopeScale: 1, RMSEps: 1e-5,
				}}
				p := NewPool(threads)
				defer p.Close()
				seq := d.NewSequence(512)
				qw, kvw := c.heads*c.hd, c.kvHeads*c.hd
				pos := 0
				for step, n := range c.steps {
					if step < c.first {
						pos += n
						continue
					}
					keys := dump.get(t, step, "cache_k_l0 (view)")
					vals := dump.get(t, step, "cache_v_l0 (view)")
					for i := range pos + n {
						seq.cache.Store(0, i, keys[i*kvw:(i+1)*kvw], vals[i*kvw:(i+1)*kvw])
					}
					copy(seq.q, dump.get(t, step, "Qcur-0 (view)")[:n*qw])
					seq.attention(p, 0, pos, n)
					want := dump.get(t, step, "kqv_out-0")
					for i, w := range want[:n*qw] {
						if got := seq.att[i]; math.Float32bits(got) != math.Float32bits(w) {
							t.Fatalf("step %d (%d tokens at %d): token %d head %d element %d: %v, llama.cpp %v",
								step, n, pos, i/qw, i%qw/c.hd, i%c.hd, got, w)
						}
					}
					pos += n
				}
			})
		}
	}
}

// benchShape is a model's attention shape for BenchmarkAttention.
type benchShape struct {
	name               string
	heads, kvHeads, hd int
}

var (
	qwen05Attention = benchShape{"qwen2.5-0.5b", 14, 2, 64}
	qwen15Attention = benchShape{"qwen2.5-1.5b", 12, 2, 128}
)

// benchAttention measures the attention of one layer of a model of the
// shape sh for n new tokens after ctx cached positions of random keys and
// values, on a pool of threads workers: with layers > 1, each of that many
// layers in turn (the cache mostly out of the processor's caches, as in
// generation), reporting the time per layer.
func benchAttention(b *testing.B, sh benchShape, ctx, n, threads, layers int) {
	c := Config{Embd: sh.heads * sh.hd, Layers: layers, Heads: sh.heads, KVHeads: sh.kvHeads, HeadDim: sh.hd, FFN: 8, Vocab: 8, RopeDim: sh.hd, RopeBase: 1e6, RopeScale: 1, RMSEps: 1e-6}
	d := &Decoder{Config: c}
	p := NewPool(threads)
	defer p.Close()
	seq := d.NewSequence(ctx + n)
	r := rand.New(rand.NewPCG(1, 2))
	k := make([]float32, c.KVHeads*c.HeadDim)
	v := make([]float32, c.KVHeads*c.HeadDim)
	for i := range ctx + n {
		for j := range k {
			k[j], v[j] = float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		for l := range layers {
			seq.cache.Store(l, i, k, v)
		}
	}
	for i := range seq.q[:n*c.Heads*c.HeadDim] {
		seq.q[i] = float32(r.NormFloat64())
	}
	for b.Loop() {
		for l := range layers {
			seq.attention(p, l, ctx, n)
		}
	}
	if layers > 1 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*layers), "ns/layer")
	}
}

// BenchmarkAttention measures one layer's attention: one token after 512,
// 1024 and 4096 positions (generation after a long prompt) for the
// Qwen2.5-0.5B and 1.5B shapes, and batches for the 0.5B shape, on one
// worker (the work itself) and two (as generation runs on two cores).
func BenchmarkAttention(b *testing.B) {
	for _, c := range []struct {
		sh     benchShape
		ctx, n int
	}{
		{qwen05Attention, 511, 1}, {qwen05Attention, 1023, 1}, {qwen05Attention, 4095, 1},
		{qwen15Attention, 511, 1}, {qwen15Attention, 1023, 1}, {qwen15Attention, 4095, 1},
		{qwen05Attention, 1024, 32}, {qwen05Attention, 0, 128}, {qwen05Attention, 4096, 128},
	} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/ctx=%d/n=%d/threads=%d", c.sh.name, c.ctx, c.n, threads), func(b *testing.B) {
				benchAttention(b, c.sh, c.ctx, c.n, threads, 1)
			})
		}
	}
	// Generation after a long prompt: 24 layers' caches (the 0.5B model's),
	// 48 MiB at 4096 positions.
	for _, ctx := range []int{2047, 4095} {
		b.Run(fmt.Sprintf("%s/ctx=%d/n=1/threads=2/layers=24", qwen05Attention.name, ctx), func(b *testing.B) {
			benchAttention(b, qwen05Attention, ctx, 1, 2, 24)
		})
	}
}
