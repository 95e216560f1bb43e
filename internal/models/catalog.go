// Package models knows which open-weight models atelier recommends, where
// they live on the Hugging Face hub, how to download them safely, where they
// are kept on this machine, and whether this machine can run them.
//
// Nothing in this package talks to the network except Puller.Pull.
package models

import (
	"errors"
	"fmt"
	"strings"
)

// Shape is what the memory estimate needs to know about a model's
// architecture: the figures come from each model's config.json as published
// by its authors.
type Shape struct {
	Layers  int // transformer blocks
	Embd    int // hidden size
	FFN     int // feed-forward (intermediate) size
	Heads   int // attention (query) heads
	KVHeads int // key/value heads (grouped-query attention)
	HeadDim int // size of one attention head
	Context int // trained context length, in tokens
	Vocab   int // vocabulary size
}

// File is one published GGUF file of a catalog model.
type File struct {
	Quant string // llama.cpp file type, upper case: "Q4_K_M", "Q8_0"
	Name  string // file name in the repository
	// Size is the file's size in bytes as the hub lists it (the hub shows
	// three significant figures; the download itself uses the exact size the
	// hub sends).
	Size int64
}

// Model is one entry of the built-in catalog.
type Model struct {
	Name        string // short name: "qwen2.5-coder:1.5b"
	Description string
	Repo        string // "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF"
	Files       []File // the first is the default quantization
	Shape       Shape
	License     string // SPDX-like identifier as shown on the hub
	Tools       bool   // trained for tool calls (function calling)
}

// DefaultQuant is the quantization pull picks when a name does not say.
const DefaultQuant = "Q4_K_M"

// Default returns the model's default file.
func (m Model) Default() File { return m.Files[0] }

// File returns the model's file of a quantization (case-insensitive).
func (m Model) File(quant string) (File, bool) {
	for _, f := range m.Files {
		if strings.EqualFold(f.Quant, quant) {
			return f, true
		}
	}
	return File{}, false
}

// Tag is the model's short name with a quantization, as `pull` accepts it:
// "qwen2.5-coder:1.5b-q8_0".
func (m Model) Tag(f File) string {
	return m.Name + "-" + strings.ToLower(f.Quant)
}

// ErrUnknownModel is returned for a name the catalog does not know.
var ErrUnknownModel = errors.New("unknown model")

// Lookup finds a catalog model by short name, with an optional quantization
// suffix: "qwen2.5-coder:1.5b" gives the default file, "qwen2.5-coder:1.5b-q8_0"
// the Q8_0 one.
func Lookup(name string) (Model, File, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, m := range Catalog() {
		if n == m.Name {
			return m, m.Default(), nil
		}
		if rest, ok := strings.CutPrefix(n, m.Name+"-"); ok {
			if f, ok := m.File(rest); ok {
				return m, f, nil
			}
			return Model{}, File{}, fmt.Errorf("models: %s has no %s file; it comes as %s: %w",
				m.Name, strings.ToUpper(rest), quantList(m), ErrUnknownModel)
		}
	}
	return Model{}, File{}, fmt.Errorf("models: %q is not in the catalog (`atelier hw` lists it) nor of the form hf.co/ORG/REPO:QUANT or hf.co/ORG/REPO/FILE.gguf: %w", name, ErrUnknownModel)
}

func quantList(m Model) string {
	qs := make([]string, len(m.Files))
	for i, f := range m.Files {
		qs[i] = strings.ToLower(f.Quant)
	}
	return strings.Join(qs, ", ")
}

// byRepoFile finds the catalog model and file published as repo/file.
func byRepoFile(repo, file string) (Model, File, bool) {
	for _, m := range Catalog() {
		if !strings.EqualFold(m.Repo, repo) {
			continue
		}
		for _, f := range m.Files {
			if strings.EqualFold(f.Name, file) {
				return m, f, true
			}
		}
	}
	return Model{}, File{}, false
}

// Names returns the catalog's short names in catalog order.
func Names() []string {
	c := Catalog()
	out := make([]string, len(c))
	for i, m := range c {
		out[i] = m.Name
	}
	return out
}

const (
	mb = 1_000_000
	gb = 1_000_000_000
)

// Catalog returns the built-in list of recommended models. It is built anew
// on each call, so callers may modify what they get.
//
// Sources: repository and file names, listed sizes and licenses are as shown
// on each repository's "Files and versions" page on the Hugging Face hub;
// shapes are from each base model's config.json. Sizes only ever feed the
// memory and speed estimates: a download uses the exact size and checksum
// the hub sends, and a file name the repository no longer has is looked up
// by quantization in its file list.
//
// Figures marked "unconfirmed" could not be checked against the
// repository's own page (the stored copies consulted were other
// publishers' quantizations of the same models):
//
//   - qwen2.5-coder 0.5B: the sizes of Qwen's own files of the same
//     architecture (Qwen2.5-0.5B-Instruct), from memory. Other publishers'
//     Q4_K_M and Q8_0 of this model are 398 MB and 531 MB (they store the
//     tied output matrix once), so these figures err large.
//   - qwen2.5-coder 3B Q8_0: QuantFactory's file, whose Q4_K_M (2.10 GB)
//     matches Qwen's own, so the same converter.
//   - Qwen3 0.6B and 8B Q4_K_M: worked out from the parameter counts at
//     Q4_K_M's mix of types beside the confirmed Q8_0 files (another
//     publisher's Qwen3-8B-Q8_0 is 8.71 GB too). The names follow the
//     repositories' confirmed Q8_0 names; whether ggml-org publishes a
//     Q4_K_M of Qwen3 0.6B at all is unconfirmed (pull then lists the
//     quantizations the repository has).
//
// Llama 3.2 3B and SmolLM2 360M were confirmed on bartowski's pages.
func Catalog() []Model {
	return []Model{
		{
			Name:        "qwen2.5-coder:0.5b",
			Description: "Qwen2.5-Coder 0.5B Instruct: tiny coding model",
			Repo:        "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491 * mb}, // unconfirmed: see above
				{"Q8_0", "qwen2.5-coder-0.5b-instruct-q8_0.gguf", 676 * mb},     // unconfirmed: see above
			},
			Shape:   Shape{Layers: 24, Embd: 896, FFN: 4864, Heads: 14, KVHeads: 2, HeadDim: 64, Context: 32768, Vocab: 151936},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen2.5-coder:1.5b",
			Description: "Qwen2.5-Coder 1.5B Instruct: small coding model, the default",
			Repo:        "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 986 * mb},
				{"Q8_0", "qwen2.5-coder-1.5b-instruct-q8_0.gguf", 1650 * mb},
			},
			Shape:   Shape{Layers: 28, Embd: 1536, FFN: 8960, Heads: 12, KVHeads: 2, HeadDim: 128, Context: 32768, Vocab: 151936},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen2.5-coder:3b",
			Description: "Qwen2.5-Coder 3B Instruct: coding model (research license)",
			Repo:        "Qwen/Qwen2.5-Coder-3B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "qwen2.5-coder-3b-instruct-q4_k_m.gguf", 2100 * mb},
				{"Q8_0", "qwen2.5-coder-3b-instruct-q8_0.gguf", 3620 * mb}, // unconfirmed: see above
			},
			Shape:   Shape{Layers: 36, Embd: 2048, FFN: 11008, Heads: 16, KVHeads: 2, HeadDim: 128, Context: 32768, Vocab: 151936},
			License: "qwen-research",
			Tools:   true,
		},
		{
			Name:        "qwen2.5-coder:7b",
			Description: "Qwen2.5-Coder 7B Instruct: strong coding model for 16 GB machines",
			Repo:        "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "qwen2.5-coder-7b-instruct-q4_k_m.gguf", 4680 * mb},
				{"Q8_0", "qwen2.5-coder-7b-instruct-q8_0.gguf", 8100 * mb},
			},
			Shape:   Shape{Layers: 28, Embd: 3584, FFN: 18944, Heads: 28, KVHeads: 4, HeadDim: 128, Context: 32768, Vocab: 152064},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen2.5-coder:14b",
			Description: "Qwen2.5-Coder 14B Instruct: the largest coding model here, for 32 GB machines",
			Repo:        "Qwen/Qwen2.5-Coder-14B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "qwen2.5-coder-14b-instruct-q4_k_m.gguf", 8990 * mb},
				{"Q8_0", "qwen2.5-coder-14b-instruct-q8_0.gguf", 15700 * mb},
			},
			Shape:   Shape{Layers: 48, Embd: 5120, FFN: 13824, Heads: 40, KVHeads: 8, HeadDim: 128, Context: 32768, Vocab: 152064},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen3:0.6b",
			Description: "Qwen3 0.6B: tiny general model with thinking mode",
			Repo:        "ggml-org/Qwen3-0.6B-GGUF",
			Files: []File{
				{"Q4_K_M", "Qwen3-0.6B-Q4_K_M.gguf", 484 * mb}, // unconfirmed: see above
				{"Q8_0", "Qwen3-0.6B-Q8_0.gguf", 805 * mb},
			},
			Shape:   Shape{Layers: 28, Embd: 1024, FFN: 3072, Heads: 16, KVHeads: 8, HeadDim: 128, Context: 40960, Vocab: 151936},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen3:1.7b",
			Description: "Qwen3 1.7B: small general model with thinking mode",
			Repo:        "ggml-org/Qwen3-1.7B-GGUF",
			Files: []File{
				{"Q4_K_M", "Qwen3-1.7B-Q4_K_M.gguf", 1280 * mb},
				{"Q8_0", "Qwen3-1.7B-Q8_0.gguf", 2170 * mb},
			},
			Shape:   Shape{Layers: 28, Embd: 2048, FFN: 6144, Heads: 16, KVHeads: 8, HeadDim: 128, Context: 40960, Vocab: 151936},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen3:4b",
			Description: "Qwen3 4B: general model with thinking mode",
			Repo:        "ggml-org/Qwen3-4B-GGUF",
			Files: []File{
				{"Q4_K_M", "Qwen3-4B-Q4_K_M.gguf", 2500 * mb},
				{"Q8_0", "Qwen3-4B-Q8_0.gguf", 4280 * mb},
			},
			Shape:   Shape{Layers: 36, Embd: 2560, FFN: 9728, Heads: 32, KVHeads: 8, HeadDim: 128, Context: 40960, Vocab: 151936},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "qwen3:8b",
			Description: "Qwen3 8B: general model with thinking mode for 16 GB machines",
			Repo:        "ggml-org/Qwen3-8B-GGUF",
			Files: []File{
				{"Q4_K_M", "Qwen3-8B-Q4_K_M.gguf", 5030 * mb}, // unconfirmed: see above
				{"Q8_0", "Qwen3-8B-Q8_0.gguf", 8710 * mb},
			},
			Shape:   Shape{Layers: 36, Embd: 4096, FFN: 12288, Heads: 32, KVHeads: 8, HeadDim: 128, Context: 40960, Vocab: 151936},
			License: "apache-2.0",
			Tools:   true,
		},
		{
			Name:        "llama3.2:1b",
			Description: "Llama 3.2 1B Instruct: small general model, long context",
			Repo:        "bartowski/Llama-3.2-1B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "Llama-3.2-1B-Instruct-Q4_K_M.gguf", 808 * mb},
				{"Q8_0", "Llama-3.2-1B-Instruct-Q8_0.gguf", 1320 * mb},
			},
			Shape:   Shape{Layers: 16, Embd: 2048, FFN: 8192, Heads: 32, KVHeads: 8, HeadDim: 64, Context: 131072, Vocab: 128256},
			License: "llama3.2",
			Tools:   true,
		},
		{
			Name:        "llama3.2:3b",
			Description: "Llama 3.2 3B Instruct: general model, long context",
			Repo:        "bartowski/Llama-3.2-3B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "Llama-3.2-3B-Instruct-Q4_K_M.gguf", 2020 * mb},
				{"Q8_0", "Llama-3.2-3B-Instruct-Q8_0.gguf", 3420 * mb},
			},
			Shape:   Shape{Layers: 28, Embd: 3072, FFN: 8192, Heads: 24, KVHeads: 8, HeadDim: 128, Context: 131072, Vocab: 128256},
			License: "llama3.2",
			Tools:   true,
		},
		{
			Name:        "smollm2:360m",
			Description: "SmolLM2 360M Instruct: very small chat model for old machines",
			Repo:        "bartowski/SmolLM2-360M-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "SmolLM2-360M-Instruct-Q4_K_M.gguf", 271 * mb},
				{"Q8_0", "SmolLM2-360M-Instruct-Q8_0.gguf", 386 * mb},
			},
			Shape:   Shape{Layers: 32, Embd: 960, FFN: 2560, Heads: 15, KVHeads: 5, HeadDim: 64, Context: 8192, Vocab: 49152},
			License: "apache-2.0",
			// Its chat template has no tool section.
			Tools: false,
		},
		{
			Name:        "smollm2:1.7b",
			Description: "SmolLM2 1.7B Instruct: small chat model",
			Repo:        "bartowski/SmolLM2-1.7B-Instruct-GGUF",
			Files: []File{
				{"Q4_K_M", "SmolLM2-1.7B-Instruct-Q4_K_M.gguf", 1060 * mb},
				{"Q8_0", "SmolLM2-1.7B-Instruct-Q8_0.gguf", 1820 * mb},
			},
			Shape:   Shape{Layers: 24, Embd: 2048, FFN: 8192, Heads: 32, KVHeads: 32, HeadDim: 64, Context: 8192, Vocab: 49152},
			License: "apache-2.0",
			// Trained with some function-calling data, but its chat template
			// has no tool section (unconfirmed for agent use).
			Tools: false,
		},
	}
}
