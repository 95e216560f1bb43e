package model

import (
	"errors"
	"fmt"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// ErrUnsupported is wrapped by every error for a file the engine cannot run:
// unknown architecture, missing tensor, wrong shape, unsupported type.
var ErrUnsupported = errors.New("model not supported")

// Matrix is a weight matrix of Rows rows of Cols elements, stored in the
// GGUF file's own type (its bytes are a slice of the mapped file).
type Matrix struct {
	Name       string
	Type       tensor.Type
	Rows, Cols int
	Data       []byte
	rowBytes   int
}

// Row returns the bytes of row r.
func (m *Matrix) Row(r int) []byte { return m.Data[r*m.rowBytes : (r+1)*m.rowBytes] }

// RowBytes returns the size of one row in bytes.
func (m *Matrix) RowBytes() int { return m.rowBytes }

// Loader fetches tensors from a GGUF file and checks their shapes, so an
// architecture reads as the list of its weights.
type Loader struct {
	f *gguf.File
}

// NewLoader returns a loader reading f.
func NewLoader(f *gguf.File) *Loader { return &Loader{f: f} }

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
	return &Matrix{Name: name, Type: t.Type, Rows: rows, Cols: cols, Data: l.f.TensorData(t), rowBytes: int(rb)}, nil
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
