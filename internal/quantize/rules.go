// Package quantize converts a model's weights to another GGML type, choosing
// the type of each tensor as llama.cpp's quantizer does for the mixed types
// (Q4_K_M, Q5_K_M), so that files made here look like the files people run.
package quantize

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/atelier-dev/atelier/internal/tensor"
)

// FileType is a target of conversion, named as llama.cpp names them.
type FileType struct {
	Name string
	// Base is the type of most matrices; More the type of the tensors
	// that get more bits (attn_v, ffn_down in some layers, output).
	Base, More tensor.Type
	// ID is the value of general.file_type (llama_ftype).
	ID uint32
}

// FileTypes returns the supported targets, by name.
func FileTypes() map[string]FileType {
	return map[string]FileType{
		"F32":    {"F32", tensor.F32, tensor.F32, 0},
		"F16":    {"F16", tensor.F16, tensor.F16, 1},
		"Q4_0":   {"Q4_0", tensor.Q4_0, tensor.Q4_0, 2},
		"Q8_0":   {"Q8_0", tensor.Q8_0, tensor.Q8_0, 7},
		"Q5_0":   {"Q5_0", tensor.Q5_0, tensor.Q5_0, 8},
		"Q4_K_M": {"Q4_K_M", tensor.Q4_K, tensor.Q6_K, 15},
		"Q5_K_M": {"Q5_K_M", tensor.Q5_K, tensor.Q6_K, 17},
		"Q6_K":   {"Q6_K", tensor.Q6_K, tensor.Q6_K, 18},
	}
}

// ParseFileType returns the target named name (case-insensitive).
func ParseFileType(name string) (FileType, error) {
	ft, ok := FileTypes()[strings.ToUpper(name)]
	if !ok {
		return FileType{}, fmt.Errorf("quantize: unknown type %q (F32, F16, Q8_0, Q4_0, Q5_0, Q4_K_M, Q5_K_M, Q6_K)", name)
	}
	return ft, nil
}

var blockIndex = regexp.MustCompile(`^blk\.(\d+)\.`)

// useMoreBits says which layers of n get the larger type in the mixed
// types: the first and last eighth, and every third in between.
func useMoreBits(i, n int) bool {
	return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2
}

// TypeFor returns the type tensor name (dims in GGUF order) gets in ft, in
// a model of layers blocks whose output projection is tied to the token
// embeddings or not. Vectors (norms, biases) stay F32; a row length that is
// not a whole number of 256-element super-blocks falls back from a K-quant
// to a 32-element type, as llama.cpp does.
func TypeFor(ft FileType, name string, dims []int64, layers int, tied bool) tensor.Type {
	if len(dims) < 2 || !strings.HasSuffix(name, ".weight") || name == "rope_freqs.weight" {
		return tensor.F32
	}
	if strings.Contains(name, "_norm.") {
		return tensor.F32
	}
	t := ft.Base
	if ft.More != ft.Base {
		switch {
		case name == "output.weight", tied && name == "token_embd.weight":
			t = ft.More
		case strings.Contains(name, "attn_v.weight"), strings.Contains(name, "ffn_down.weight"):
			if m := blockIndex.FindStringSubmatch(name); m != nil {
				if i, err := strconv.Atoi(m[1]); err == nil && useMoreBits(i, layers) {
					t = ft.More
				}
			}
		}
	}
	if dims[0]%int64(t.BlockSize()) != 0 {
		switch t {
		case tensor.Q4_K:
			t = tensor.Q5_0
		case tensor.Q5_K:
			t = tensor.Q5_1
		case tensor.Q6_K:
			t = tensor.Q8_0
		}
		if dims[0]%int64(t.BlockSize()) != 0 {
			t = tensor.F16
		}
	}
	return t
}
