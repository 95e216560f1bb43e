//go:build !linux

package kernels

import "time"

// threadCPUTime returns 0: the thread's CPU time is not measured here.
func threadCPUTime() time.Duration { return 0 }
