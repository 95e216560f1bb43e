package gguf

import (
	"runtime/debug"
	"testing"

	"github.com/atelier-dev/atelier/internal/testshared"
)

// TestMutableTensorData checks which readings of a file let a model
// rewrite its tensors in place: a mapping never (its bytes are the page
// cache's), OpenReadAll's and OpenResident's copies until Seal, after
// which the resident copy faults on writing.
func TestMutableTensorData(t *testing.T) {
	path := testshared.Path(t, "testdata/models/stories260K.gguf")
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			f, err := o.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ti, ok := f.Tensor("blk.0.attn_q.weight")
			if !ok {
				t.Fatal("no blk.0.attn_q.weight")
			}
			if f.Modified() {
				t.Fatal("a file just opened reports itself modified")
			}
			data, ok := f.MutableTensorData(ti)
			if f.Modified() != ok {
				t.Fatalf("Modified() = %v after MutableTensorData gave %v", f.Modified(), ok)
			}
			switch {
			case o.name == "mmap" && ok:
				t.Fatal("a mapped file's tensors are mutable")
			case o.name == "readall" && !ok:
				t.Fatal("OpenReadAll's tensors are not mutable")
			}
			if ok {
				data[0] ^= 0xff
				if got := f.TensorData(ti)[0]; got != data[0] {
					t.Fatalf("a write to the mutable data is not seen by TensorData: %#x, wrote %#x", got, data[0])
				}
				data[0] ^= 0xff
			}
			if err := f.Seal(); err != nil {
				t.Fatal(err)
			}
			if err := f.Seal(); err != nil {
				t.Fatalf("second Seal: %v", err)
			}
			if _, ok := f.MutableTensorData(ti); ok {
				t.Fatal("tensors still mutable after Seal")
			}
			if ok && f.seal == nil && o.name == "resident" && f.release != nil {
				// The copy was sealed: writing to it must fault.
				old := debug.SetPanicOnFault(true)
				defer debug.SetPanicOnFault(old)
				faulted := func() (faulted bool) {
					defer func() { faulted = recover() != nil }()
					data[1] ^= 0xff
					return false
				}()
				if !faulted {
					t.Fatal("writing to a sealed resident copy did not fault")
				}
			}
		})
	}
}
