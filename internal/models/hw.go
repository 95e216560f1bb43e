package models

import (
	"runtime"
	"strings"

	"golang.org/x/sys/cpu"
)

// Machine is what `atelier hw` reports about this computer. Zero values
// mean "unknown".
type Machine struct {
	OS, Arch      string
	RAMTotal      uint64 // bytes
	RAMAvailable  uint64 // bytes the system could give a new program without swapping
	CPUModel      string
	PhysicalCores int
	LogicalCores  int
	SIMD          []string // vector instruction sets the kernels can use
	ModelsDir     string
	DiskFree      uint64   // bytes free where models are kept
	GPUs          []string // detected only; atelier computes on the CPU
	// Bandwidth is the memory read bandwidth in bytes per second, all
	// cores streaming, as MeasureBandwidth found it; 0 when not measured
	// (MemBandwidth then estimates it from the platform).
	Bandwidth float64
}

// Detect looks at this machine. modelsDir is where models are kept (for the
// free disk space); it need not exist yet. It reads what the system reports
// and measures nothing: MeasureBandwidth adds the memory bandwidth.
func Detect(modelsDir string) Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, LogicalCores: runtime.NumCPU(), ModelsDir: modelsDir, SIMD: simd()}
	detectSystem(&m)
	if m.PhysicalCores == 0 {
		m.PhysicalCores = m.LogicalCores
	}
	if modelsDir != "" {
		if n, err := DiskFree(existingAncestor(modelsDir)); err == nil {
			m.DiskFree = n
		}
	}
	return m
}

// simd lists the vector features that matter for inference.
func simd() []string {
	var out []string
	add := func(ok bool, name string) {
		if ok {
			out = append(out, name)
		}
	}
	switch runtime.GOARCH {
	case "amd64", "386":
		add(cpu.X86.HasSSE3, "SSE3")
		add(cpu.X86.HasSSSE3, "SSSE3")
		add(cpu.X86.HasSSE41, "SSE4.1")
		add(cpu.X86.HasSSE42, "SSE4.2")
		add(cpu.X86.HasAVX, "AVX")
		add(cpu.X86.HasAVX2, "AVX2")
		add(cpu.X86.HasFMA, "FMA")
		add(cpu.X86.HasF16C, "F16C")
		add(cpu.X86.HasAVXVNNI, "AVX-VNNI")
		add(cpu.X86.HasAVX512F, "AVX-512F")
		add(cpu.X86.HasAVX512BW, "AVX-512BW")
		add(cpu.X86.HasAVX512VNNI, "AVX-512VNNI")
		add(cpu.X86.HasAVX512BF16, "AVX-512BF16")
	case "arm64":
		add(cpu.ARM64.HasASIMD, "NEON")
		add(cpu.ARM64.HasASIMDHP, "FP16")
		add(cpu.ARM64.HasASIMDDP, "DOTPROD")
		add(cpu.ARM64.HasI8MM, "I8MM")
		add(cpu.ARM64.HasSVE, "SVE")
		add(cpu.ARM64.HasSVE2, "SVE2")
	}
	return out
}

// SIMDString joins the SIMD features for display.
func (m Machine) SIMDString() string {
	if len(m.SIMD) == 0 {
		return "none detected"
	}
	return strings.Join(m.SIMD, " ")
}
