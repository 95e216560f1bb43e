package model

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/kernels"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// ErrUnsupported is wrapped by every error for a file the engine cannot run:
// unknown architecture, missing tensor, wrong shape, unsupported type.
var ErrUnsupported = errors.New("model not supported")

// Matrix is a weight matrix of Rows rows of Cols elements, stored in the
// GGUF file's own type (its bytes are a slice of the file's). A Q8_0
// matrix read into the process's own memory has its rows interleaved by
// eight (kernels.InterleaveQ8_0), the same bytes in another order: Data's
// rows r0..r1 for r0 a multiple of eight are still Data[r0*rb:r1*rb].
type Matrix struct {
	Name        string
	Type        tensor.Type
	Rows, Cols  int
	Data        []byte
	rowBytes    int
	interleaved bool // Q8_0 rows interleaved by eight
}

// Row returns the bytes of row r in the file's order (a copy when the
// rows are interleaved).
func (m *Matrix) Row(r int) []byte { return m.rowInto(nil, r) }

// rowInto returns row r, copied into buf (grown as needed) when the rows
// are interleaved.
func (m *Matrix) rowInto(buf []byte, r int) []byte {
	if !m.interleaved {
		return m.Data[r*m.rowBytes : (r+1)*m.rowBytes]
	}
	if cap(buf) < m.rowBytes {
		buf = make([]byte, m.rowBytes)
	}
	buf = buf[:m.rowBytes]
	kernels.RowQ8_0R8(buf, m.Data, m.Rows, m.Cols/kernels.QK8_0, r)
	return buf
}

// RowBytes returns the size of one row in bytes.
func (m *Matrix) RowBytes() int { return m.rowBytes }

// Loader fetches tensors from a GGUF file and checks their shapes, so an
// architecture reads as the list of its weights.
type Loader struct {
	f       *gguf.File
	mats    map[string]*Matrix // by tensor name: one Matrix per tensor
	pending []*Matrix          // Q8_0 matrices to interleave (finish)
}

// NewLoader returns a loader reading f.
func NewLoader(f *gguf.File) *Loader { return &Loader{f: f, mats: map[string]*Matrix{}} }

// File returns the GGUF file.
func (l *Loader) File() *gguf.File { return l.f }

// Has reports whether the file holds tensor name.
func (l *Loader) Has(name string) bool { _, ok := l.f.Tensor(name); return ok }

// Matrix returns tensor name as a matrix of rows×cols (GGUF dims [cols, rows]).
func (l *Loader) Matrix(name string, rows, cols int) (*Matrix, error) {
	t, ok := l.f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("%w: tensor %q missing", ErrUnsupported, name)
	}
	if len(t.Dims) != 2 || t.Dims[0] != int64(cols) || t.Dims[1] != int64(rows) {
		return nil, fmt.Errorf("%w: tensor %q has shape %v, want [%d %d]", ErrUnsupported, name, t.Dims, cols, rows)
	}
	if !tensor.CanCompute(t.Type) {
		return nil, fmt.Errorf("%w: tensor %q has type %v, which the engine cannot compute with", ErrUnsupported, name, t.Type)
	}
	rb, ok := t.Type.RowBytes(int64(cols))
	if !ok {
		return nil, fmt.Errorf("%w: tensor %q: rows of %d are not whole %v blocks", ErrUnsupported, name, cols, t.Type)
	}
	if m := l.mats[name]; m != nil {
		return m, nil
	}
	m := &Matrix{Name: name, Type: t.Type, Rows: rows, Cols: cols, Data: l.f.TensorData(t), rowBytes: int(rb)}
	if t.Type == tensor.Q8_0 && rows >= 8 && kernels.InterleavesQ8_0() {
		if data, ok := l.f.MutableTensorData(t); ok {
			m.Data = data
			l.pending = append(l.pending, m)
		}
	}
	l.mats[name] = m
	return m, nil
}

// finish lays out the weights for the kernels when the file's data is the
// process's own (gguf.File.MutableTensorData): Q8_0 matrices get their
// rows interleaved by eight, which the generation kernels read as one
// stream (kernels.InterleaveQ8_0). Then the file is sealed read-only.
func (l *Loader) finish() error {
	var (
		wg   sync.WaitGroup
		next atomic.Int64 // the workers claim matrices
	)
	for range min(runtime.NumCPU(), 4, len(l.pending)) {
		wg.Go(func() {
			var tmp []byte
			for i := int(next.Add(1)) - 1; i < len(l.pending); i = int(next.Add(1)) - 1 {
				m := l.pending[i]
				if cap(tmp) < 8*m.rowBytes {
					tmp = make([]byte, 8*m.rowBytes)
				}
				kernels.InterleaveQ8_0(m.Data, m.Rows, m.Cols/kernels.QK8_0, tmp)
				m.interleaved = true
			}
		})
	}
	wg.Wait()
	l.pending = nil
	if err := l.f.Seal(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	return nil
}

// Vector returns tensor name, n elements, as float32 (norm weights and
// biases are small, so they are converted once).
func (l *Loader) Vector(name string, n int) ([]float32, error) {
	t, ok := l.f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("%w: tensor %q missing", ErrUnsupported, name)
	}
	if t.Elements() != int64(n) || (len(t.Dims) != 1 && !(len(t.Dims) == 2 && t.Dims[1] == 1)) {
		return nil, fmt.Errorf("%w: tensor %q has shape %v, want [%d]", ErrUnsupported, name, t.Dims, n)
	}
	if rb, ok := t.Type.RowBytes(int64(n)); !ok || rb != t.Size || !tensor.CanCompute(t.Type) {
		return nil, fmt.Errorf("%w: tensor %q of type %v cannot be read as a vector", ErrUnsupported, name, t.Type)
	}
	v := make([]float32, n)
	if err := tensor.Dequantize(t.Type, v, l.f.TensorData(t)); err != nil {
		return nil, fmt.Errorf("%w: tensor %q: %v", ErrUnsupported, name, err)
	}
	return v, nil
}
