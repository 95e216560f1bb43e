//go:build !amd64 || purego

package kernels

func asmStreamLoops() []streamLoop { return nil }
