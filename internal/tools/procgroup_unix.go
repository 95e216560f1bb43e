//go:build unix

package tools

import (
	"os/exec"
	"syscall"
)

// newProcessGroup makes cmd's process the leader of a new process group,
// so that killGroup reaches the children it starts too.
func newProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the process group led by pid.
func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
