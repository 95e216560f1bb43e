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
// goroutine; each runs over memory in huge pages (as the engine reads
// model files into, gguf.OpenResident) and over the Go heap's. Run it with
// -benchtime=10x and take the best loop with two workers as the ceiling
// in README's performance table.
//
// On the 2-vCPU Zen 4 VM of issue 4 the ceiling is not one number: the
// same loops, and the Q8_0 generation kernel with them, read 29–33 GB/s
// with two workers for minutes at a time and 45–52 GB/s at others, from
// one process to the next (each process's figures agree among themselves;
// the host's other guests, presumably). Compare engines only within one
// run, alternating. The VM's memory is nested-paged, so TLB misses are
// dear: streaming from 4 KiB pages (the Go heap, or a page cache filled in
// small pieces) is what made the huge-page reading of model files worth
// its copy.
func BenchmarkMemoryBandwidth(b *testing.B) {
	const size = 512 << 20
	bufs := []struct {
		name string
		p    []byte
	}{{"huge", hugeBuffer(b, size)}, {"heap", make([]byte, size)}}
	for _, buf := range bufs {
		for i := range buf.p {
			buf.p[i] = byte(i)
		}
	}
	for _, buf := range bufs {
		for _, l := range streamLoops() {
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/workers=%d", buf.name, l.name, workers), func(b *testing.B) { streamSum(b, buf.p, workers, l.sum) })
			}
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
// larger than the caches, in huge pages; and Q8_0 on rows interleaved by
// eight, as the engine reads them from memory it owns. Compare its GB/s with
// BenchmarkMemoryBandwidth's huge-page loops in the same run.
func BenchmarkDotRowsStream(b *testing.B) {
	const size = 256 << 20
	const cols = 1536
	type stream struct {
		name        string
		k           rowKernel
		interleaved bool // Q8_0 rows interleaved by eight, as the engine lays them out
	}
	var streams []stream
	for _, k := range rowKernels() {
		streams = append(streams, stream{k.name, k, false})
	}
	streams = append(streams, stream{"Q8_0-interleaved", rowKernels()[0], true})
	for _, s := range streams {
		k := s.k
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", s.name, workers), func(b *testing.B) {
				nb := cols / 32
				if k.k {
					nb = cols / QK_K
				}
				rb := nb * k.wBlock
				rows := size / rb &^ 127
				r := rand.New(rand.NewPCG(1, 2))
				w := hugeBuffer(b, rows*rb)
				x := make([]byte, nb*k.xBlock)
				k.fill(r, w[:64*rb], x)
				if s.interleaved {
					InterleaveQ8_0(w[:64*rb], 64, nb, make([]byte, 8*rb))
				}
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
								if s.interleaved {
									DotRowsQ8_0R8(out[r0:r0+64], w[r0*rb:(r0+64)*rb], x, nb)
								} else {
									k.rows(out[r0:r0+64], w[r0*rb:], rb, x, nb)
								}
							}
						})
					}
					wg.Wait()
				}
			})
		}
	}
}
