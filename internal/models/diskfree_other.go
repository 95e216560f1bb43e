//go:build !(linux || darwin || freebsd)

package models

import (
	"errors"
	"fmt"
)

// DiskFree is not known on this system.
func DiskFree(dir string) (uint64, error) {
	return 0, fmt.Errorf("models: free space of %s: %w", dir, errors.ErrUnsupported)
}
