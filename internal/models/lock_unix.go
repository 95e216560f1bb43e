//go:build linux || darwin || freebsd

package models

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockPartial takes an exclusive lock on a partial download, so that two
// pulls of the same file cannot write it at once. The lock goes with the
// file descriptor, also when the process dies.
func lockPartial(f *os.File, name string) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return fmt.Errorf("models: another atelier is downloading %s right now; wait for it to finish: %w", name, ErrBusy)
	}
	// Any other error means the file system cannot lock: go on unlocked.
	return nil
}
