package kernels

import (
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
	const workers = 2
	buf := make([]uint64, size/8)
	for i := range buf {
		buf[i] = uint64(i)
	}
	b.SetBytes(size)
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
