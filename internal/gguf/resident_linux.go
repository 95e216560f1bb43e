//go:build linux

package gguf

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on amd64 and arm64 (4K
// base pages).
const hugePage = 2 << 20

// residentFits reports whether a file of size bytes should be read into
// huge pages: transparent huge pages are not switched off, and the memory
// the kernel reports available covers the copy with room to spare (the
// file's own page cache counts as available: the kernel can drop it).
func residentFits(size int64) bool {
	thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !thpUsable(string(thp)) {
		return false
	}
	meminfo, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return false
	}
	avail, ok := memAvailable(meminfo)
	return ok && avail >= size+size/8+256<<20
}

// thpUsable reports whether the transparent_hugepage/enabled setting
// ("always [madvise] never") lets an madvise'd mapping have huge pages.
func thpUsable(setting string) bool {
	return strings.Contains(setting, "[always]") || strings.Contains(setting, "[madvise]")
}

// memAvailable returns MemAvailable from /proc/meminfo's text, in bytes.
func memAvailable(meminfo []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemAvailable:" && f[2] == "kB" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err == nil && kb >= 0
		}
	}
	return 0, false
}

// readResident reads size bytes of f into an anonymous private mapping
// aligned to hugePage and advised for transparent huge pages, in 8 MiB
// pieces on two goroutines (zeroing the pages and copying them costs CPU
// time, not only the disk's or page cache's). It returns nil data and no
// error when the memory cannot be had, or comes too slowly, so that the
// caller maps the file instead.
func readResident(f *os.File, size int) (data []byte, release func() error, err error) {
	limit := copyLimit{after: slowCopyAfter, bytesPerSec: slowCopyRate}
	if !fileCached(f, size) {
		// Read from the disk, the copy goes at the disk's pace, and
		// mapping the file would have to read it as well (warm): only a
		// crawl no disk of today explains gives way to the mapping, which
		// then reads on from what the copy brought into the cache.
		limit = copyLimit{after: time.Second, bytesPerSec: slowDiskRate}
	}
	return readResidentFrom(f, size, limit)
}

// fileCached reports whether most of f's first size bytes are in the page
// cache (true when that cannot be told).
func fileCached(f *os.File, size int) bool {
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return true
	}
	defer unix.Munmap(m)
	c, ok := cachedFraction(m)
	return !ok || c >= mostlyCached
}

// readResident gives up when, after slowCopyAfter, it has copied slower
// than slowCopyRate bytes per second. Ordinarily the copy runs at 4–10
// GB/s; on this project's test VM, right after another process freed its
// memory, 0.7–1.4 GB/s (the host backing the guest's pages again), which is
// still worth it; but at times a 1.5 GiB file took 10–30 s (13–150 MB/s)
// where mapping it takes milliseconds. A file mostly absent from the page
// cache is held to slowDiskRate after a second instead, below the pace of
// any disk that would be worth waiting for.
const (
	slowCopyAfter = 500 * time.Millisecond
	slowCopyRate  = 384 << 20
	slowDiskRate  = 64 << 20
)

// A copyLimit abandons a copy that after the given time has gone slower
// than bytesPerSec; the zero copyLimit never does.
type copyLimit struct {
	after       time.Duration
	bytesPerSec float64
}

// tooSlow reports whether done bytes in elapsed time fall below the limit.
func (l copyLimit) tooSlow(done int64, elapsed time.Duration) bool {
	return l.bytesPerSec > 0 && elapsed > l.after && float64(done) < l.bytesPerSec*elapsed.Seconds()
}

// readResidentFrom is readResident reading from r, abandoning the copy
// when limit says it is too slow.
func readResidentFrom(r io.ReaderAt, size int, limit copyLimit) (data []byte, release func() error, err error) {
	n := (size + hugePage - 1) &^ (hugePage - 1)
	raw, err := unix.Mmap(-1, 0, n+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, nil
	}
	skip := int(-uintptr(unsafe.Pointer(&raw[0])) & (hugePage - 1))
	buf := raw[skip : skip+n : skip+n]
	unix.Madvise(buf, unix.MADV_HUGEPAGE) // only advice: small pages still work
	const piece = 8 << 20
	var (
		wg         sync.WaitGroup
		next, done atomic.Int64
		stop, slow atomic.Bool
		mu         sync.Mutex
		rerr       error
		start      = time.Now()
	)
	for range 2 {
		wg.Go(func() {
			for !stop.Load() {
				off := int(next.Add(piece)) - piece
				if off >= size {
					return
				}
				if _, err := r.ReadAt(buf[off:min(off+piece, size)], int64(off)); err != nil {
					mu.Lock()
					rerr = err
					mu.Unlock()
					stop.Store(true)
					return
				}
				if limit.tooSlow(done.Add(int64(min(piece, size-off))), time.Since(start)) {
					slow.Store(true)
					stop.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if rerr != nil || slow.Load() {
		unix.Munmap(raw)
		return nil, nil, rerr
	}
	return buf[:size:size], func() error { return unix.Munmap(raw) }, nil
}

// sealResident makes readResident's copy read-only (File.Seal).
func sealResident(data []byte) error {
	return unix.Mprotect(data, unix.PROT_READ)
}
