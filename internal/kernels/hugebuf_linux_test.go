package kernels

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeBuffer returns size bytes of anonymous memory aligned to 2 MiB and
// advised for transparent huge pages, as the engine reads model weights
// into (gguf.OpenResident); it is unmapped when the benchmark ends.
func hugeBuffer(tb testing.TB, size int) []byte {
	const huge = 2 << 20
	raw, err := unix.Mmap(-1, 0, size+huge, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Munmap(raw) })
	skip := int(-uintptr(unsafe.Pointer(&raw[0])) & (huge - 1))
	buf := raw[skip : skip+size : skip+size]
	unix.Madvise(buf, unix.MADV_HUGEPAGE)
	return buf
}
