package model

import (
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// matOut is one matrix of a matmul and where its output goes.
type matOut struct {
	m   *Matrix
	out []float32
}

// activations are the input rows of a matmul converted once to the type the
// weights' dot products take, per type (a mixed file may need two).
type activations struct {
	src   []float32
	typ   [2]tensor.Type
	buf   [2][]byte
	valid [2]bool
}

func (a *activations) reset(src []float32) {
	a.src = src
	a.valid = [2]bool{}
}

// get returns the activations as n rows of cols elements in type t.
func (a *activations) get(t tensor.Type, n, cols int) (rows []byte, stride int) {
	rb, _ := t.RowBytes(int64(cols))
	stride = int(rb)
	slot := 0
	switch {
	case a.valid[0] && a.typ[0] == t:
		return a.buf[0][:n*stride], stride
	case a.valid[1] && a.typ[1] == t:
		return a.buf[1][:n*stride], stride
	case a.valid[0]:
		slot = 1
	}
	if cap(a.buf[slot]) < n*stride {
		a.buf[slot] = make([]byte, n*stride)
	}
	buf := a.buf[slot][:n*stride]
	for i := range n {
		if err := tensor.QuantizeActivations(t, buf[i*stride:(i+1)*stride], a.src[i*cols:(i+1)*cols]); err != nil {
			panic(err) // the type was checked at load
		}
	}
	a.typ[slot], a.valid[slot] = t, true
	return buf, stride
}

// matmulTask computes up to three matrices against the same n input rows.
// The output rows of all of them are cut into chunks that the workers
// claim one at a time, so a worker the system delays does not hold up the
// others.
type matmulTask struct {
	n, count int
	mats     [3]matOut
	xs       [3][]byte
	strides  [3]int
	chunk    int    // rows per chunk, a multiple of 8
	chunks   [3]int // chunks per matrix
	total    int    // chunks in all
	next     atomic.Int64
}

// Rows per chunk: for one token, enough rows to amortise claiming a chunk;
// for a batch, a tile whose weights stay in the core's cache while every
// token of the batch passes by.
const (
	chunkRows = 64
	tileRows  = 16
)

// matmul computes out = m · x for each matrix, for n input rows of x.
func (s *Sequence) matmul(p *Pool, n int, x []float32, mats ...matOut) {
	t := &s.mm
	s.acts.reset(x)
	t.n, t.count, t.total = n, len(mats), 0
	t.chunk = chunkRows
	if n > 1 {
		t.chunk = tileRows
	}
	cols := len(x) / n
	for i, m := range mats {
		if m.m.Cols != cols {
			panic("model: matmul shape mismatch " + m.m.Name)
		}
		t.mats[i] = m
		t.xs[i], t.strides[i] = s.acts.get(tensor.DotType(m.m.Type), n, cols)
		t.chunks[i] = (m.m.Rows + t.chunk - 1) / t.chunk
		t.total += t.chunks[i]
	}
	t.next.Store(0)
	p.Run(t)
}

func (t *matmulTask) Run(part, parts int) {
	for {
		c := int(t.next.Add(1)) - 1
		if c >= t.total {
			return
		}
		j := 0
		for c >= t.chunks[j] {
			c -= t.chunks[j]
			j++
		}
		r0 := c * t.chunk
		t.rows(j, r0, min(r0+t.chunk, t.mats[j].m.Rows))
	}
}

// rows computes rows r0..r1 of matrix j for every token.
func (t *matmulTask) rows(j, r0, r1 int) {
	m, out := t.mats[j].m, t.mats[j].out
	x, stride := t.xs[j], t.strides[j]
	rb := m.RowBytes()
	w := m.Data[r0*rb : r1*rb]
	for i := range t.n {
		tensor.DotRows(m.Type, m.Cols, out[i*m.Rows+r0:i*m.Rows+r1], w, rb, x[i*stride:(i+1)*stride])
	}
}
