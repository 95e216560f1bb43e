//go:build !purego

package kernels

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestRepackQ5_0Blocks(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(5, 5))
	const nb = 37
	src := make([]byte, nb*BlockQ5_0)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	want := make([]byte, nb*BlockQ8_0)
	got := make([]byte, nb*BlockQ8_0)
	repackQ5_0(want, nb*BlockQ8_0, src, nb*BlockQ5_0, 1, nb)
	repackQ5_0Blocks(&got[0], &src[0], nb)
	if !bytes.Equal(got, want) {
		t.Fatalf("repack differs:\n got %x\nwant %x", got[:68], want[:68])
	}
}
