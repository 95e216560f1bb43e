package quantize

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/tensor"
)

// Convert writes to out a copy of in with its weights converted to ft: the
// metadata is kept (general.file_type updated) and each tensor gets the type
// TypeFor chooses. The file is written atomically.
func Convert(in *gguf.File, out string, ft FileType) error {
	b := gguf.NewBuilder()
	for _, kv := range in.KV {
		b.Set(kv.Key, kv.Value)
	}
	b.Set("general.file_type", ft.ID)
	layers := 0
	if n, ok := in.Uint(in.Architecture() + ".block_count"); ok {
		layers = int(n)
	}
	_, hasOutput := in.Tensor("output.weight")
	for i := range in.Tensors {
		t := &in.Tensors[i]
		typ := TypeFor(ft, t.Name, t.Dims, layers, !hasOutput)
		data, err := Tensor(in.TensorData(t), t.Type, typ, t.Dims)
		if err != nil {
			return fmt.Errorf("quantize: tensor %q: %w", t.Name, err)
		}
		if err := b.AddTensor(t.Name, typ, t.Dims, data); err != nil {
			return fmt.Errorf("quantize: %w", err)
		}
	}
	return b.WriteFile(out)
}

// Tensor converts the rows of a tensor of type from (dims in GGUF order)
// to type to, in parallel over rows. Data already of type to is returned
// as is.
func Tensor(data []byte, from, to tensor.Type, dims []int64) ([]byte, error) {
	if from == to {
		return data, nil
	}
	if !tensor.CanCompute(from) {
		return nil, fmt.Errorf("cannot read type %v", from)
	}
	cols := dims[0]
	rows := int64(1)
	for _, d := range dims[1:] {
		rows *= d
	}
	inRow, ok1 := from.RowBytes(cols)
	outRow, ok2 := to.RowBytes(cols)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("rows of %d elements do not fit %v", cols, to)
	}
	out := make([]byte, rows*outRow)
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, cols)
			for r := int64(w); r < rows; r += int64(workers) {
				if err := tensor.Dequantize(from, buf, data[r*inRow:(r+1)*inRow]); err != nil {
					errs[w] = err
					return
				}
				if err := tensor.Quantize(to, out[r*outRow:(r+1)*outRow], buf); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
