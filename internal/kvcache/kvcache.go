// Package kvcache holds the keys and values of the attention layers for the
// positions a model has seen, so each new token attends to the past without
// recomputing it.
package kvcache

import (
	"fmt"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// Cache stores, for each layer, the key and value vectors of every position
// up to its capacity, as F16 (the default of llama.cpp, half the memory of
// F32). Keys and values of one position are contiguous: KVHeads×HeadDim
// halves.
type Cache struct {
	layers, capacity, width int
	k, v                    [][]uint16 // per layer: capacity × width
	n                       int        // positions filled
}

// New returns a cache for layers×capacity positions of kvHeads×headDim.
func New(layers, capacity, kvHeads, headDim int) *Cache {
	if layers <= 0 || capacity <= 0 || kvHeads <= 0 || headDim <= 0 {
		panic(fmt.Sprintf("kvcache: bad shape %d×%d×%d×%d", layers, capacity, kvHeads, headDim))
	}
	w := kvHeads * headDim
	c := &Cache{layers: layers, capacity: capacity, width: w}
	c.k = make([][]uint16, layers)
	c.v = make([][]uint16, layers)
	for l := range layers {
		c.k[l] = make([]uint16, capacity*w)
		c.v[l] = make([]uint16, capacity*w)
	}
	return c
}

// Bytes returns the memory the cache holds.
func Bytes(layers, capacity, kvHeads, headDim int) int64 {
	return 2 * 2 * int64(layers) * int64(capacity) * int64(kvHeads) * int64(headDim)
}

// Capacity returns the number of positions the cache can hold.
func (c *Cache) Capacity() int { return c.capacity }

// Len returns the number of positions filled.
func (c *Cache) Len() int { return c.n }

// Truncate forgets the positions from n on, keeping a common prefix.
func (c *Cache) Truncate(n int) {
	if n < 0 || n > c.n {
		panic(fmt.Sprintf("kvcache: truncate to %d of %d", n, c.n))
	}
	c.n = n
}

// SetLen records that positions up to n are filled (after Store).
func (c *Cache) SetLen(n int) {
	if n < 0 || n > c.capacity {
		panic(fmt.Sprintf("kvcache: length %d beyond capacity %d", n, c.capacity))
	}
	c.n = n
}

// Store writes the key and value of position pos in layer l, rounding to F16.
func (c *Cache) Store(l, pos int, k, v []float32) {
	off := pos * c.width
	kd := c.k[l][off : off+c.width]
	vd := c.v[l][off : off+c.width]
	for i := range kd {
		kd[i] = kernels.F32ToF16(k[i])
		vd[i] = kernels.F32ToF16(v[i])
	}
}

// Keys returns the F16 keys of layer l for positions [0, n): position p
// starts at p*Width().
func (c *Cache) Keys(l, n int) []uint16 { return c.k[l][:n*c.width] }

// Values returns the F16 values of layer l for positions [0, n).
func (c *Cache) Values(l, n int) []uint16 { return c.v[l][:n*c.width] }

// Width returns the number of halves of one position: KVHeads×HeadDim.
func (c *Cache) Width() int { return c.width }
