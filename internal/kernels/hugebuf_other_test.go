//go:build !linux

package kernels

import "testing"

// hugeBuffer returns size bytes of ordinary memory: huge pages are only
// asked for on Linux.
func hugeBuffer(tb testing.TB, size int) []byte { return make([]byte, size) }
