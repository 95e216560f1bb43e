package model

import (
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// swigluChunk is about the number of elements a worker claims at a time.
const swigluChunk = 4096

// swigluTask computes gate = SiLU(gate)·up over a batch, the workers
// claiming a few rows at a time (the exponentials make it worth sharing
// for a prompt). Rows are kept whole: kernels.SwiGLU's arithmetic depends
// on an element's position in its row, as ggml's does.
type swigluTask struct {
	gate, up []float32
	width    int // elements per row
	rows     int // rows per chunk
	next     atomic.Int64
}

func (t *swigluTask) Run(part, parts int) {
	n := len(t.gate)
	for {
		lo := (int(t.next.Add(1)) - 1) * t.rows * t.width
		if lo >= n {
			return
		}
		for r := lo; r < min(lo+t.rows*t.width, n); r += t.width {
			kernels.SwiGLU(t.gate[r:r+t.width], t.gate[r:r+t.width], t.up[r:r+t.width])
		}
	}
}

// swiglu sets the first n rows of width elements of gate to SiLU(gate)·up.
func (s *Sequence) swiglu(p *Pool, n, width int) {
	if n*width <= swigluChunk {
		for r := 0; r < n*width; r += width {
			kernels.SwiGLU(s.gate[r:r+width], s.gate[r:r+width], s.up[r:r+width])
		}
		return
	}
	t := &s.sw
	t.gate, t.up = s.gate[:n*width], s.up[:n*width]
	t.width, t.rows = width, max(1, swigluChunk/width)
	t.next.Store(0)
	p.Run(t)
}
