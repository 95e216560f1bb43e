//go:build linux || darwin || freebsd

package models

import "golang.org/x/sys/unix"

// allocBuffer maps anonymous memory for the bandwidth test, outside the Go
// heap, so that it goes back to the system at once when released. It uses
// ordinary pages, as the model files atelier maps do: huge pages would read
// faster (the prefetchers stop at page boundaries) than the weights will.
func allocBuffer(size int) ([]byte, func(), error) {
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { unix.Munmap(b) }, nil
}
