//go:build linux

package gguf

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
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
// error when the memory cannot be had, so that the caller maps the file.
func readResident(f *os.File, size int) (data []byte, release func() error, err error) {
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
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		rerr error
	)
	for range 2 {
		wg.Go(func() {
			for {
				mu.Lock()
				off := next
				next += piece
				failed := rerr != nil
				mu.Unlock()
				if off >= size || failed {
					return
				}
				if _, err := f.ReadAt(buf[off:min(off+piece, size)], int64(off)); err != nil {
					mu.Lock()
					rerr = err
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if rerr != nil {
		unix.Munmap(raw)
		return nil, nil, rerr
	}
	if err := unix.Mprotect(buf, unix.PROT_READ); err != nil {
		unix.Munmap(raw)
		return nil, nil, err
	}
	return buf[:size:size], func() error { return unix.Munmap(raw) }, nil
}
