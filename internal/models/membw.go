package models

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The memory bandwidth test: a buffer much larger than the CPU's caches is
// written once (so that its pages are real, not the shared zero page), then
// every core reads its own stretch of it over and over, one 8-byte word per
// 64-byte cache line (the memory moves whole lines, so that moves every
// byte while keeping the loop far from compute-bound), for a few short
// rounds. The fastest round's bytes per second is the result: other
// programs on a busy machine can only slow a round down.
const (
	// BandwidthBuffer is the size of the test's buffer: several times the
	// last-level cache of ordinary CPUs (8–64 MiB).
	BandwidthBuffer = 256 << 20
	// BandwidthTime is how long the reading lasts in all.
	BandwidthTime = 100 * time.Millisecond

	bandwidthRounds = 4
	cacheLine       = 64
	readBlock       = 1 << 20 // bytes between looks at the clock
)

// MeasureBandwidth measures this machine's memory read bandwidth, in bytes
// per second, with all cores reading a buffer of size bytes for about d.
func MeasureBandwidth(size int, d time.Duration) (float64, error) {
	// One stretch of whole blocks for each core, or fewer cores for a
	// small buffer.
	workers := min(runtime.GOMAXPROCS(0), size/readBlock)
	if workers < 1 {
		return 0, fmt.Errorf("models: a bandwidth test buffer of %d bytes is too small; it takes at least %d", size, readBlock)
	}
	chunk := size / workers / readBlock * readBlock
	buf, release, err := allocBuffer(chunk * workers)
	if err != nil {
		return 0, fmt.Errorf("models: bandwidth test buffer: %w", err)
	}
	defer release()

	parts := make([][]byte, workers)
	var wg sync.WaitGroup
	for i := range parts {
		parts[i] = buf[i*chunk : (i+1)*chunk]
		wg.Go(func() {
			for j := 0; j < len(parts[i]); j += cacheLine {
				binary.LittleEndian.PutUint64(parts[i][j:], uint64(j)|1)
			}
		})
	}
	wg.Wait()

	var sink atomic.Uint64
	best := 0.0
	round := max(d/bandwidthRounds, time.Millisecond)
	for range bandwidthRounds {
		var total atomic.Int64
		start := time.Now()
		deadline := start.Add(round)
		for _, p := range parts {
			wg.Go(func() {
				var n int64
				var s uint64
				for off := 0; ; off = (off + readBlock) % len(p) {
					s += touchLines(p[off : off+readBlock])
					n += readBlock
					if time.Now().After(deadline) {
						break
					}
				}
				total.Add(n)
				sink.Add(s)
			})
		}
		wg.Wait()
		if rate := float64(total.Load()) / time.Since(start).Seconds(); rate > best {
			best = rate
		}
	}
	runtime.KeepAlive(sink.Load())
	return best, nil
}

// touchLines reads one word of every cache line of b (whose length is a
// multiple of 8 lines) and returns their sum.
func touchLines(b []byte) uint64 {
	var s0, s1, s2, s3 uint64
	for len(b) >= 8*cacheLine {
		s0 += binary.LittleEndian.Uint64(b[0*cacheLine:])
		s1 += binary.LittleEndian.Uint64(b[1*cacheLine:])
		s2 += binary.LittleEndian.Uint64(b[2*cacheLine:])
		s3 += binary.LittleEndian.Uint64(b[3*cacheLine:])
		s0 += binary.LittleEndian.Uint64(b[4*cacheLine:])
		s1 += binary.LittleEndian.Uint64(b[5*cacheLine:])
		s2 += binary.LittleEndian.Uint64(b[6*cacheLine:])
		s3 += binary.LittleEndian.Uint64(b[7*cacheLine:])
		b = b[8*cacheLine:]
	}
	return s0 + s1 + s2 + s3
}

// MeasureBandwidth measures the memory bandwidth (see the package-level
// MeasureBandwidth) and records it in m.Bandwidth. The buffer is
// BandwidthBuffer, or an eighth of the available memory when that is less
// (but not under 32 MiB).
func (m *Machine) MeasureBandwidth() error {
	size := BandwidthBuffer
	if m.RAMAvailable > 0 {
		size = int(min(uint64(size), max(m.RAMAvailable/8, 32<<20)))
	}
	bw, err := MeasureBandwidth(size, BandwidthTime)
	if err != nil {
		return err
	}
	m.Bandwidth = bw
	return nil
}
