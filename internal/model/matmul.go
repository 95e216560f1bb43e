package model

import (
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/kernels"
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
	quant quantTask
}

func (a *activations) reset(src []float32) {
	a.src = src
	a.valid = [2]bool{}
}

// get returns the activations as n rows of cols elements in type t,
// converting them on the pool's workers when there are several rows.
func (a *activations) get(p *Pool, t tensor.Type, n, cols int) (rows []byte, stride int) {
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
	q := &a.quant
	q.t, q.n, q.cols, q.stride = t, n, cols, stride
	q.src, q.dst = a.src, a.buf[slot][:n*stride]
	q.next.Store(0)
	if n > 1 {
		p.Run(q)
	} else {
		q.Run(0, 1)
	}
	a.typ[slot], a.valid[slot] = t, true
	return q.dst, stride
}

// quantTask converts rows of activations, the workers claiming rows.
type quantTask struct {
	t               tensor.Type
	n, cols, stride int
	src             []float32
	dst             []byte
	next            atomic.Int64
}

func (q *quantTask) Run(part, parts int) {
	for {
		i := int(q.next.Add(1)) - 1
		if i >= q.n {
			return
		}
		if err := tensor.QuantizeActivations(q.t, q.dst[i*q.stride:(i+1)*q.stride], q.src[i*q.cols:(i+1)*q.cols]); err != nil {
			panic(err) // the type was checked at load
		}
	}
}

// matmulTask computes up to three matrices against the same n input rows.
// The output rows of all of them, in slices of tileRows, are claimed by the
// workers a run of slices at a time, so a worker the system delays does
// not hold up the others.
type matmulTask struct {
	n, count int
	mats     [3]matOut
	xs       [3][]byte
	strides  [3]int
	start    [4]int // first slice of each matrix; start[count] = all slices
	minRun   int    // the fewest slices a one-token claim takes
	next     atomic.Int64
	scratch  []kernels.TileScratch // per part
}

// Rows per slice: for a batch, a tile whose weights stay in the core's
// cache while every token of the batch passes by, claimed one at a time.
// For one token, a claim takes a run of slices that shrinks with the work
// left (guided scheduling): a quarter of it per part at first, long runs
// on which the prefetchers stay on one stream, and at the end at least
// genTailBytes of weights, so that the workers finish within a few
// microseconds of each other.
const (
	tileRows     = 16
	genTailBytes = 32 << 10
)

// matmul computes out = m · x for each matrix, for n input rows of x.
func (s *Sequence) matmul(p *Pool, n int, x []float32, mats ...matOut) {
	t := &s.mm
	s.acts.reset(x)
	t.n, t.count = n, len(mats)
	cols := len(x) / n
	for i, m := range mats {
		if m.m.Cols != cols {
			panic("model: matmul shape mismatch " + m.m.Name)
		}
		t.mats[i] = m
		t.xs[i], t.strides[i] = s.acts.get(p, tensor.DotType(m.m.Type), n, cols)
		t.start[i+1] = t.start[i] + (m.m.Rows+tileRows-1)/tileRows
	}
	t.minRun = max(1, genTailBytes/(tileRows*mats[0].m.RowBytes()))
	t.next.Store(0)
	if len(t.scratch) < p.Size() {
		t.scratch = make([]kernels.TileScratch, p.Size())
	}
	p.Run(t)
}

// claim returns the next run of slices [u0, u1) for a worker, empty when
// none is left.
func (t *matmulTask) claim(parts int) (u0, u1 int) {
	total := t.start[t.count]
	for {
		u0 = int(t.next.Load())
		if u0 >= total {
			return 0, 0
		}
		run := 1
		if t.n == 1 {
			run = max(t.minRun, (total-u0)/(2*parts))
		}
		u1 = min(u0+run, total)
		if t.next.CompareAndSwap(int64(u0), int64(u1)) {
			return u0, u1
		}
	}
}

func (t *matmulTask) Run(part, parts int) {
	for {
		u0, u1 := t.claim(parts)
		if u0 == u1 {
			return
		}
		for j := 0; u0 < u1; j++ {
			if u0 >= t.start[j+1] {
				continue
			}
			e := min(u1, t.start[j+1])
			r0, r1 := (u0-t.start[j])*tileRows, min((e-t.start[j])*tileRows, t.mats[j].m.Rows)
			t.rows(j, r0, r1, part)
			u0 = e
		}
	}
}

// rows computes rows r0..r1 of matrix j for every token (r0 a multiple of
// tileRows, so of the eight rows interleaved Q8_0 matrices group).
func (t *matmulTask) rows(j, r0, r1, part int) {
	m, out := t.mats[j].m, t.mats[j].out
	x, stride := t.xs[j], t.strides[j]
	rb := m.RowBytes()
	w := m.Data[r0*rb : r1*rb]
	if t.n == 1 {
		if m.interleaved {
			kernels.DotRowsQ8_0R8(out[r0:r1], w, x[:stride], m.Cols/kernels.QK8_0)
			return
		}
		tensor.DotRows(m.Type, m.Cols, out[r0:r1], w, rb, x[:stride])
		return
	}
	if m.interleaved {
		tile := kernels.Tile{Out: out[r0:], OutStride: m.Rows, W: w, Stride: rb, Rows: r1 - r0, X: x, XStride: stride, Tokens: t.n, Scratch: &t.scratch[part]}
		kernels.DotTileQ8_0R8(&tile, m.Cols/kernels.QK8_0)
		return
	}
	tensor.DotTile(m.Type, m.Cols, out[r0:], m.Rows, w, rb, r1-r0, x, stride, t.n, &t.scratch[part])
}
