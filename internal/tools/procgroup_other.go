//go:build !unix

package tools

import (
	"os"
	"os/exec"
)

// newProcessGroup does nothing where process groups are not Unix's.
func newProcessGroup(cmd *exec.Cmd) {}

// killGroup kills the process pid (its children are not reached).
func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
