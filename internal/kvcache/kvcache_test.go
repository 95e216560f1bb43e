package kvcache

import (
	"testing"

	"github.com/atelier-dev/atelier/internal/kernels"
)

func TestStoreTruncate(t *testing.T) {
	c := New(2, 4, 2, 3)
	if c.Width() != 6 || c.Capacity() != 4 || c.Len() != 0 {
		t.Fatalf("shape: width %d capacity %d len %d", c.Width(), c.Capacity(), c.Len())
	}
	k := []float32{1, 2, 3, 4, 5, 6}
	v := []float32{-1, 0.5, 1e-3, 65504, 7, 8}
	c.Store(1, 2, k, v)
	c.SetLen(3)
	keys, vals := c.Keys(1, 3), c.Values(1, 3)
	if len(keys) != 18 || len(vals) != 18 {
		t.Fatalf("lengths %d, %d", len(keys), len(vals))
	}
	for i := range k {
		if got := kernels.F16ToF32(keys[12+i]); got != k[i] {
			t.Errorf("key %d = %v, want %v", i, got, k[i])
		}
		if got, want := kernels.F16ToF32(vals[12+i]), kernels.F16ToF32(kernels.F32ToF16(v[i])); got != want {
			t.Errorf("value %d = %v, want %v (rounded to F16)", i, got, want)
		}
	}
	if c.Keys(0, 3)[12] != 0 {
		t.Error("layer 0 was written")
	}
	c.Truncate(1)
	if c.Len() != 1 {
		t.Errorf("len %d after truncate", c.Len())
	}
	for _, f := range []func(){func() { c.Truncate(2) }, func() { c.SetLen(5) }, func() { New(0, 1, 1, 1) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic on a programmer error")
				}
			}()
			f()
		}()
	}
}

func TestBytes(t *testing.T) {
	// Qwen2.5-0.5B at 8K: 24 layers, 2 KV heads of 64, F16 keys and values.
	if got, want := Bytes(24, 8192, 2, 64), int64(2*2*24*8192*2*64); got != want {
		t.Errorf("Bytes = %d, want %d", got, want)
	}
}
