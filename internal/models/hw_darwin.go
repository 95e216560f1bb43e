package models

import "golang.org/x/sys/unix"

// detectSystem reads memory and CPU facts through sysctl. macOS does not
// say how much memory is available without counting its caches, so half of
// the total stands in for it.
func detectSystem(m *Machine) {
	if n, err := unix.SysctlUint64("hw.memsize"); err == nil {
		m.RAMTotal, m.RAMAvailable = n, n/2
	}
	if s, err := unix.Sysctl("machdep.cpu.brand_string"); err == nil {
		m.CPUModel = s
	}
	if n, err := unix.SysctlUint32("hw.physicalcpu"); err == nil {
		m.PhysicalCores = int(n)
	}
}
