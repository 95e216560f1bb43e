//go:build !linux

package gguf

import "os"

// residentFits reports false: huge pages are only asked for on Linux.
func residentFits(size int64) bool { return false }

// readResident is not used where residentFits is false.
func readResident(f *os.File, size int) (data []byte, release func() error, err error) {
	return nil, nil, nil
}

// sealResident is not used where readResident copies nothing.
func sealResident(data []byte) error { return nil }
