package kernels

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// BenchmarkMemoryBandwidth streams a buffer much larger than the caches
// with two goroutines, each summing its half: the machine's read bandwidth,
// the ceiling of token generation (which reads every weight once per
// token). Run it with -benchtime=20x; its GB/s is the ceiling in README's
// performance table.
func BenchmarkMemoryBandwidth(b *testing.B) {
	const size = 512 << 20
	buf := make([]uint64, size/8)
	for i := range buf {
		buf[i] = uint64(i)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { streamSum(b, buf, workers) })
	}
}

func streamSum(b *testing.B, buf []uint64, workers int) {
	b.SetBytes(int64(8 * len(buf)))
	sums := make([]uint64, workers*8) // a cache line apart
	for b.Loop() {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				part := buf[w*len(buf)/workers : (w+1)*len(buf)/workers]
				var s0, s1, s2, s3 uint64
				for i := 0; i+4 <= len(part); i += 4 {
					s0 += part[i]
					s1 += part[i+1]
					s2 += part[i+2]
					s3 += part[i+3]
				}
				sums[8*w] = s0 + s1 + s2 + s3
			})
		}
		wg.Wait()
	}
}

// BenchmarkDotRowsStream runs each multi-row kernel the way token
// generation does: two goroutines, each through its half of a matrix far
// larger than the caches. Compare its GB/s with BenchmarkMemoryBandwidth.
func BenchmarkDotRowsStream(b *testing.B) {
	const size = 256 << 20
	const cols = 1536
	for _, k := range rowKernels() {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", k.name, workers), func(b *testing.B) {
				nb := cols / 32
				if k.k {
					nb = cols / QK_K
				}
				rb := nb * k.wBlock
				rows := size / rb &^ 127
				r := rand.New(rand.NewPCG(1, 2))
				w := make([]byte, rows*rb)
				x := make([]byte, nb*k.xBlock)
				k.fill(r, w[:64*rb], x)
				for i := 64 * rb; i < len(w); i += 64 * rb {
					copy(w[i:], w[:64*rb])
				}
				out := make([]float32, rows)
				b.SetBytes(int64(len(w)))
				for b.Loop() {
					var wg sync.WaitGroup
					for p := range workers {
						wg.Go(func() {
							for r0 := p * rows / workers; r0 < (p+1)*rows/workers; r0 += 64 {
								k.rows(out[r0:r0+64], w[r0*rb:], rb, x, nb)
							}
						})
					}
					wg.Wait()
				}
			})
		}
	}
}
