//go:build !amd64 || purego

package kernels

type tileImpl struct {
	name string
	tile func(*Tile, int)
}

func kTileImpls(k rowKernel) []tileImpl { return []tileImpl{{"tile", k.tile}} }

func kTileExact(rowKernel) func(*Tile, int) { return nil }
