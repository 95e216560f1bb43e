package gguf

import (
	"encoding/binary"
	"sync/atomic"
)

// fileState is what a File's lazily decoded values need to know of it.
type fileState struct {
	closed atomic.Bool // the mapping is gone
}

// lazyStrings is the length from which string arrays stay encoded.
const lazyStrings = 1024

// A stringArray is an array of strings left encoded in the file's bytes
// (a length as uint64, then the bytes, for each) and decoded when asked
// for: vocabularies hold a few hundred thousand strings that a caller
// reading only the tensors never needs, and whose decoded copy would stay
// on the heap as long as the file is open. Parse checked the lengths.
type stringArray struct {
	raw   []byte
	n     int
	state *fileState
}

// at returns string i, walking the lengths before it.
func (a *stringArray) at(i int) string {
	if a.state != nil && a.state.closed.Load() {
		panic("gguf: metadata string array read after its file was closed")
	}
	q := 0
	for range i {
		q += 8 + int(binary.LittleEndian.Uint64(a.raw[q:]))
	}
	l := int(binary.LittleEndian.Uint64(a.raw[q:]))
	return string(a.raw[q+8 : q+8+l])
}

// decode returns the strings, sharing one allocation for their bytes.
func (a *stringArray) decode() []string {
	if a.state != nil && a.state.closed.Load() {
		panic("gguf: metadata string array read after its file was closed")
	}
	blob := string(a.raw)
	out := make([]string, a.n)
	q := 0
	for i := range out {
		l := int(binary.LittleEndian.Uint64(a.raw[q:]))
		out[i] = blob[q+8 : q+8+l]
		q += 8 + l
	}
	return out
}
