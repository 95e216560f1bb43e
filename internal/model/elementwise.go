package model

import (
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// swigluChunk is the number of elements a worker claims at a time.
const swigluChunk = 4096

// swigluTask computes gate = SiLU(gate)·up over a batch, the workers
// claiming chunks (the exponentials make it worth sharing for a prompt).
type swigluTask struct {
	gate, up []float32
	next     atomic.Int64
}

func (t *swigluTask) Run(part, parts int) {
	n := len(t.gate)
	for {
		lo := (int(t.next.Add(1)) - 1) * swigluChunk
		if lo >= n {
			return
		}
		hi := min(lo+swigluChunk, n)
		kernels.SwiGLU(t.gate[lo:hi], t.gate[lo:hi], t.up[lo:hi])
	}
}

// swiglu sets the first n elements of gate to SiLU(gate)·up.
func (s *Sequence) swiglu(p *Pool, n int) {
	if n <= swigluChunk {
		kernels.SwiGLU(s.gate[:n], s.gate[:n], s.up[:n])
		return
	}
	t := &s.sw
	t.gate, t.up = s.gate[:n], s.up[:n]
	t.next.Store(0)
	p.Run(t)
}
