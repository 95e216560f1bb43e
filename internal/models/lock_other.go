//go:build !(linux || darwin || freebsd)

package models

import "os"

// lockPartial does not lock on this system.
func lockPartial(f *os.File, name string) error { return nil }
