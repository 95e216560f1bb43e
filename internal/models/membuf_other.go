//go:build !linux && !darwin && !freebsd

package models

// allocBuffer allocates the bandwidth test's buffer on the Go heap.
func allocBuffer(size int) ([]byte, func(), error) {
	return make([]byte, size), func() {}, nil
}
