//go:build !unix

package gguf

import (
	"errors"
	"os"
)

// mapFile is not available on this platform; Open falls back to reading
// the file into memory.
func mapFile(f *os.File, size int) (data []byte, release func() error, err error) {
	return nil, nil, errors.New("gguf: memory mapping not supported on this platform")
}
