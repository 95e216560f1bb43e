package kernels

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkMemoryBandwidth streams a buffer much larger than the caches
// with one or two goroutines, each reading its part: the machine's read
// bandwidth, the ceiling of token generation (which reads every weight
// once per token). Each loop (see streamLoops) is a way of reading: plain
// Go, and on amd64 vector loads with one or two independent streams per
// goroutine. Run it with -benchtime=20x and take the best loop with two
// workers as the ceiling in README's performance table.
//
// On the 2-vCPU Zen 4 machine of issue 4 (quiet moments, or per-thread
// CPU time when the machine is shared) one core reads about 30–33 GB/s
// with AVX2 loads and two streams, about 10% more than AVX-512 loads and
// than software prefetching; both cores together read 55–60 GB/s, so the
// ceiling of one core is its own (outstanding misses), not the memory's.
// Huge pages (MADV_HUGEPAGE on anonymous memory) add about 7% over
// 4 KiB pages here. For the mapped weights what matters is the page
// cache: a file whose cache is in small folios (written in small pieces,
// or when memory was fragmented) costs the generation kernels 25–40% per
// token against the same file copied with large writes (dd bs=8M) or read
// into anonymous huge pages; MADV_HUGEPAGE on the file mapping changes
// nothing once the file is cached, and MADV_COLLAPSE is refused.
func BenchmarkMemoryBandwidth(b *testing.B) {
	const size = 512 << 20
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i)
	}
	for _, l := range streamLoops() {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", l.name, workers), func(b *testing.B) { streamSum(b, buf, workers, l.sum) })
		}
	}
}

// A streamLoop reads all of p (a multiple of 512 bytes) and returns a
// checksum of it.
type streamLoop struct {
	name string
	sum  func(p []byte) uint64
}

func streamLoops() []streamLoop {
	return append([]streamLoop{{"go", sumGo}}, asmStreamLoops()...)
}

// sumGo reads p eight bytes at a time into four sums.
func sumGo(p []byte) uint64 {
	var s0, s1, s2, s3 uint64
	for i := 0; i+32 <= len(p); i += 32 {
		s0 += binary.LittleEndian.Uint64(p[i:])
		s1 += binary.LittleEndian.Uint64(p[i+8:])
		s2 += binary.LittleEndian.Uint64(p[i+16:])
		s3 += binary.LittleEndian.Uint64(p[i+24:])
	}
	return s0 + s1 + s2 + s3
}

// streamSum runs sum over buf split among workers and reports, besides
// the wall-clock rate, "cpu-GB/s": the bytes over the slowest worker's own
// CPU time (where the platform measures it), which stays meaningful on a
// machine shared with other work (a worker waiting for a core is not
// charged, though the memory traffic of other processes still counts).
// With two workers it is an upper bound: workers that took turns on one
// core each had the memory to themselves.
func streamSum(b *testing.B, buf []byte, workers int, sum func([]byte) uint64) {
	b.SetBytes(int64(len(buf)))
	sums := make([]uint64, workers*8) // a cache line apart
	cpu := make([]time.Duration, workers*8)
	var total time.Duration
	for b.Loop() {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				c0 := threadCPUTime()
				sums[8*w] += sum(buf[w*len(buf)/workers : (w+1)*len(buf)/workers])
				cpu[8*w] = threadCPUTime() - c0
			})
		}
		wg.Wait()
		total += slices.Max(cpu)
	}
	if total > 0 {
		b.ReportMetric(float64(len(buf))*float64(b.N)/total.Seconds()/1e9, "cpu-GB/s")
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
