package model

import (
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

// matmulTask computes up to three matrices against the same n input rows;
// the output rows of all of them are split over the workers.
type matmulTask struct {
	n, count int
	mats     [3]matOut
	xs       [3][]byte
	strides  [3]int
	total    int
}

// matmul computes out = m · x for each matrix, for n input rows of x.
func (s *Sequence) matmul(p *Pool, n int, x []float32, mats ...matOut) {
	t := &s.mm
	s.acts.reset(x)
	t.n, t.count, t.total = n, len(mats), 0
	cols := len(x) / n
	for i, m := range mats {
		if m.m.Cols != cols {
			panic("model: matmul shape mismatch " + m.m.Name)
		}
		t.mats[i] = m
		t.xs[i], t.strides[i] = s.acts.get(tensor.DotType(m.m.Type), n, cols)
		t.total += m.m.Rows
	}
	p.Run(t)
}

// tileRows is the number of weight rows computed against every token of a
// batch before moving on: their bytes stay in the core's cache while the
// activations stream by, so a prompt reads the weights from memory once.
const tileRows = 16

func (t *matmulTask) Run(part, parts int) {
	lo, hi := Split(t.total, part, parts, 8)
	base := 0
	for j := 0; j < t.count && lo < hi; j++ {
		m := t.mats[j].m
		if lo >= base+m.Rows {
			base += m.Rows
			continue
		}
		r0, r1 := lo-base, min(hi-base, m.Rows)
		t.rows(j, r0, r1)
		lo = base + r1
		base += m.Rows
	}
}

// rows computes rows r0..r1 of matrix j for every token.
func (t *matmulTask) rows(j, r0, r1 int) {
	m, out := t.mats[j].m, t.mats[j].out
	x, stride := t.xs[j], t.strides[j]
	rb := m.RowBytes()
	tile := r1 - r0
	if t.n > 1 {
		tile = tileRows
	}
	for a := r0; a < r1; a += tile {
		b := min(a+tile, r1)
		w := m.Data[a*rb : b*rb]
		for i := range t.n {
			tensor.DotRows(m.Type, m.Cols, out[i*m.Rows+a:i*m.Rows+b], w, rb, x[i*stride:(i+1)*stride])
		}
	}
}
