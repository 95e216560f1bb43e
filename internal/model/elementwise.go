package model

import (
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
)

// swigluSegment is the number of elements of a row a worker claims at a
// time. It is a multiple of 8: kernels.SwiGLU computes each element alone
// except for a row's last len%8, which it computes another way (as ggml
// does), so cutting a row at multiples of 8 and leaving its end to the last
// piece gives the same results as computing it whole.
const swigluSegment = 1024

// swigluTask computes gate = SiLU(gate)·up over a batch, the workers
// claiming a segment of a row at a time: the exponentials make it worth
// sharing even for one token (a row of the 1.5B model's 8960 elements
// takes one core about 15 µs, long enough for the other to fall asleep).
type swigluTask struct {
	gate, up []float32
	width    int // elements per row
	segs     int // segments per row
	next     atomic.Int64
}

func (t *swigluTask) Run(part, parts int) {
	items := len(t.gate) / t.width * t.segs
	for {
		i := int(t.next.Add(1)) - 1
		if i >= items {
			return
		}
		row, seg := i/t.segs, i%t.segs
		lo := row*t.width + seg*swigluSegment
		hi := min(lo+swigluSegment, (row+1)*t.width)
		kernels.SwiGLU(t.gate[lo:hi], t.gate[lo:hi], t.up[lo:hi])
	}
}

// swiglu sets the first n rows of width elements of gate to SiLU(gate)·up.
func (s *Sequence) swiglu(p *Pool, n, width int) {
	if n*width <= swigluSegment {
		for r := 0; r < n*width; r += width {
			kernels.SwiGLU(s.gate[r:r+width], s.gate[r:r+width], s.up[r:r+width])
		}
		return
	}
	t := &s.sw
	t.gate, t.up = s.gate[:n*width], s.up[:n*width]
	t.width, t.segs = width, (width+swigluSegment-1)/swigluSegment
	t.next.Store(0)
	p.Run(t)
}
