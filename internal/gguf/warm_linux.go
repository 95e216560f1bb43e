//go:build linux

package gguf

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// warmFrom is the size from which files are warmed: model files, not the
// small ones of tests and vocabularies.
const warmFrom = 64 << 20

// mostlyCached is the fraction of a file in the page cache from which it is
// taken as cached: warm leaves it alone, readResident times its copy.
const mostlyCached = 0.75

// cachedFraction returns the fraction of the mapping data's pages that are
// in the page cache (ok false if the kernel would not say).
func cachedFraction(data []byte) (float64, bool) {
	ps := os.Getpagesize()
	vec := make([]byte, (len(data)+ps-1)/ps)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return 0, false
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return float64(n) / float64(len(vec)), true
}

// warm reads a file that is mostly absent from the page cache through it,
// sequentially, before its mapping is used. Faulted in page by page, a
// mapping fills the cache with small pages, and a model streamed from them
// generates about 8% slower than from the large folios that sequential
// reads bring in (Qwen2.5-1.5B Q4_K_M on this project's test machine: 24
// against 26 tokens/s); read from disk, one sequential pass is also faster
// than scattered faults. A file mostly cached already is left alone, and
// any error only skips the warming.
func warm(f *os.File, data []byte) {
	if len(data) < warmFrom {
		return
	}
	if c, ok := cachedFraction(data); !ok || c >= mostlyCached {
		return
	}
	buf := make([]byte, 1<<20)
	for off := int64(0); off < int64(len(data)); off += int64(len(buf)) {
		if _, err := f.ReadAt(buf, off); err != nil {
			return
		}
	}
}
