package models

import (
	"strings"
)

// How fast a model will run is estimated from two machine figures:
//
//   - Generating a token reads every weight once, so generation is bound by
//     memory bandwidth: tokens/s ≈ BandwidthEfficiency × bandwidth / bytes
//     read per token, and the bytes read per token are about the GGUF
//     file's size (the KV cache read at a short context is small beside
//     it). The bandwidth is measured (MeasureBandwidth) or, when that is not
//     wanted, guessed from the platform (PlatformBandwidth).
//   - Reading a prompt works on many tokens per pass over the weights, so it
//     is bound by arithmetic: tokens/s ≈ cores × SIMD lanes × 2 (a fused
//     multiply-add) × AssumedClockHz × PromptEfficiency / (2 × parameters),
//     a matrix multiplication doing one multiply-add per weight and token.
//
// Both are estimates for choosing a model, not measurements: `atelier bench`
// measures a model on this machine.
const (
	// BandwidthEfficiency is the share of the memory bandwidth that token
	// generation reaches.
	BandwidthEfficiency = 0.8
	// DefaultMinGenTPS is the generation speed, in tokens per second, the
	// recommended model must be expected to reach: below it an agent's
	// answers crawl.
	DefaultMinGenTPS = 10.0
	// AssumedClockHz stands in for the CPU's clock, which systems do not
	// report reliably (virtual machines, turbo, power saving).
	AssumedClockHz = 3e9
	// PromptEfficiency is the multiply-adds per SIMD lane and clock cycle
	// that prompt processing reaches, counting one single-precision FMA as
	// 1: above 1 because the kernels' 8-bit integer dot products do several
	// multiplies per lane, below their peak because of attention, norms,
	// memory stalls and thread barriers. It is a rough figure, not yet
	// calibrated against `atelier bench`.
	PromptEfficiency = 1.5
)

// Speed is an estimate of how fast a model runs on a machine.
type Speed struct {
	Generate float64 // tokens per second while generating
	Prompt   float64 // tokens per second while reading a prompt
}

// Params estimates the number of weights of a model of this shape: the
// token embeddings and, per layer, the attention projections and the
// three feed-forward matrices (norms and biases are negligible; an untied
// output matrix, where a model has one, is not counted).
func (s Shape) Params() int64 {
	embd, hd := int64(s.Embd), int64(s.HeadDim)
	attn := embd*int64(s.Heads)*hd*2 + embd*int64(s.KVHeads)*hd*2
	ffn := 3 * embd * int64(s.FFN)
	return int64(s.Vocab)*embd + int64(s.Layers)*(attn+ffn)
}

// SIMDBits is the width of the widest vector unit the kernels can use, in
// bits: 512 for AVX-512, 256 for AVX/AVX2, 128 for SSE and NEON, 64 (a
// plain register) when none is known.
func (m Machine) SIMDBits() int {
	bits := 64
	for _, f := range m.SIMD {
		f = strings.ToUpper(f)
		switch {
		case strings.HasPrefix(f, "AVX-512") || strings.HasPrefix(f, "AVX512"):
			bits = max(bits, 512)
		case strings.HasPrefix(f, "AVX"):
			bits = max(bits, 256)
		case strings.HasPrefix(f, "SSE") || strings.HasPrefix(f, "SSSE") || f == "NEON" || f == "ASIMD" || strings.HasPrefix(f, "SVE"):
			bits = max(bits, 128)
		}
	}
	return bits
}

// cores is the number of cores that compute: physical ones when known.
func (m Machine) cores() int {
	switch {
	case m.PhysicalCores > 0:
		return m.PhysicalCores
	case m.LogicalCores > 0:
		return m.LogicalCores
	}
	return 1
}

// MemBandwidth returns the memory read bandwidth in bytes per second to
// plan with: the measured one when there is one, else the platform's
// estimate.
func (m Machine) MemBandwidth() (bytesPerSec float64, measured bool) {
	if m.Bandwidth > 0 {
		return m.Bandwidth, true
	}
	return PlatformBandwidth(m), false
}

// Figures for PlatformBandwidth, in bytes per second: what one core can
// stream by itself, and what the memory system of a laptop or desktop (two
// channels), of a workstation or server (four and more) and of Apple's
// chips delivers to the CPU cores together.
const (
	perCoreX86       = 8e9
	perCoreARM       = 8e9
	perCoreOther     = 4e9
	desktopMemory    = 40e9
	serverMemory     = 120e9
	serverCores      = 16 // more physical cores than this: a server's memory
	appleMemory      = 60e9
	appleProMemory   = 120e9
	appleMaxMemory   = 200e9
	appleUltraMemory = 400e9
)

// PlatformBandwidth guesses the memory bandwidth from what the system says
// about itself, for when measuring is not wanted: Apple's chips by tier
// (the share of the unified memory's bandwidth the CPU cores reach);
// elsewhere the cores' combined streaming rate, capped by a typical memory
// system for that many cores. It errs low rather than high, so the
// recommendation errs towards a model that answers quickly.
func PlatformBandwidth(m Machine) float64 {
	if m.OS == "darwin" && m.Arch == "arm64" {
		switch cpu := m.CPUModel; {
		case strings.Contains(cpu, "Ultra"):
			return appleUltraMemory
		case strings.Contains(cpu, "Max"):
			return appleMaxMemory
		case strings.Contains(cpu, "Pro"):
			return appleProMemory
		}
		return appleMemory
	}
	perCore := perCoreOther
	switch m.Arch {
	case "amd64", "386":
		perCore = perCoreX86
	case "arm64":
		perCore = perCoreARM
	}
	limit := desktopMemory
	if m.cores() > serverCores {
		limit = serverMemory
	}
	return min(perCore*float64(m.cores()), limit)
}

// EstimateSpeed estimates how fast a model of shape s whose file takes
// size bytes runs on m.
func EstimateSpeed(m Machine, s Shape, size int64) Speed {
	var sp Speed
	bw, _ := m.MemBandwidth()
	if size > 0 {
		sp.Generate = BandwidthEfficiency * bw / float64(size)
	}
	if p := s.Params(); p > 0 {
		flops := float64(m.cores()) * float64(m.SIMDBits()/32) * 2 * AssumedClockHz * PromptEfficiency
		sp.Prompt = flops / (2 * float64(p))
	}
	return sp
}
