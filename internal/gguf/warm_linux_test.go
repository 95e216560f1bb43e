package gguf

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestWarm maps a file absent from the page cache (a sparse one, dropped
// from the cache first) and checks that mapping it read it through.
func TestWarm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size := warmFrom + 1<<20
	if err := f.Truncate(int64(size)); err != nil {
		t.Fatal(err)
	}
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	if got := resident(t, f, size); got > 0.5 {
		t.Skipf("the page cache kept %.0f%% of the file", 100*got)
	}
	data, release, err := mapFile(f, size)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if got := resident(t, f, size); got < 0.75 {
		t.Errorf("after mapping, %.0f%% of the file is cached; want it read through", 100*got)
	}
	_ = data
}

// resident returns the fraction of f's first size bytes in the page cache.
func resident(t *testing.T, f *os.File, size int) float64 {
	t.Helper()
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	ps := os.Getpagesize()
	vec := make([]byte, (size+ps-1)/ps)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(size), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return float64(n) / float64(len(vec))
}
