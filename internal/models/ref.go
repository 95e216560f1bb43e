package models

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Ref names a model to pull or use: a catalog name, a repository and a
// quantization, or a repository and a file.
type Ref struct {
	Repo  string // "ORG/REPO"
	File  string // path of the file in the repository; "" means find it by Quant
	Quant string // upper case; set when File is "" (and for catalog entries)

	// Catalog is the catalog model the reference names, if any.
	Catalog *Model
}

// ErrBadRef is returned for a model reference that cannot be parsed.
var ErrBadRef = errors.New("bad model reference")

// hubPrefixes are the spellings of the hub accepted before ORG/REPO.
var hubPrefixes = []string{"hf.co/", "huggingface.co/", "https://hf.co/", "https://huggingface.co/"}

// ParseRef parses what `atelier pull` accepts:
//
//	qwen2.5-coder:1.5b            catalog name (default quantization)
//	qwen2.5-coder:1.5b-q8_0       catalog name with a quantization
//	hf.co/ORG/REPO:QUANT          a repository; the file is found in its file list
//	hf.co/ORG/REPO                the same with the default quantization
//	hf.co/ORG/REPO/FILE.gguf      one file of a repository
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	for _, p := range hubPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return parseHubRef(s, rest)
		}
	}
	m, f, err := Lookup(s)
	if err != nil {
		return Ref{}, err
	}
	return Ref{Repo: m.Repo, File: f.Name, Quant: f.Quant, Catalog: &m}, nil
}

func parseHubRef(orig, rest string) (Ref, error) {
	bad := func(why string) (Ref, error) {
		return Ref{}, fmt.Errorf("models: %q: %s: %w", orig, why, ErrBadRef)
	}
	quant := ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest, quant = rest[:i], strings.ToUpper(rest[i+1:])
		if !validQuant(quant) {
			return bad("the quantization after ':' must be like Q4_K_M or Q8_0")
		}
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 {
		return bad("want hf.co/ORG/REPO:QUANT or hf.co/ORG/REPO/FILE.gguf")
	}
	for _, p := range parts {
		if !validSegment(p) {
			return bad(fmt.Sprintf("%q is not a valid repository or file name part", p))
		}
	}
	r := Ref{Repo: parts[0] + "/" + parts[1]}
	if len(parts) > 2 {
		if quant != "" {
			return bad("name either a file or a quantization, not both")
		}
		r.File = strings.Join(parts[2:], "/")
		if !strings.EqualFold(path.Ext(r.File), ".gguf") {
			return bad("the file must be a .gguf file")
		}
		r.Quant = quantOfName(r.File)
	} else {
		if quant == "" {
			quant = DefaultQuant
		}
		r.Quant = quant
	}
	if m, f, ok := byRepoFile(r.Repo, r.File); ok {
		r.Catalog, r.Quant = &m, f.Quant
	}
	return r, nil
}

// validSegment accepts the characters the hub allows in names, and refuses
// anything that could step out of the models folder.
func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 200 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

func validQuant(q string) bool {
	if q == "" || len(q) > 32 {
		return false
	}
	for _, c := range q {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// String gives the reference in the form `pull` accepts.
func (r Ref) String() string {
	if r.Catalog != nil {
		if f, ok := r.Catalog.File(r.Quant); ok {
			if r.Quant == r.Catalog.Default().Quant {
				return r.Catalog.Name
			}
			return r.Catalog.Tag(f)
		}
	}
	if r.File != "" {
		return "hf.co/" + r.Repo + "/" + r.File
	}
	return "hf.co/" + r.Repo + ":" + r.Quant
}

// fileMatchesQuant reports whether a GGUF file name is of quantization q:
// the name (without .gguf) ends in q after a '-', '.' or '_' separator, so
// Q4_K does not match Q4_K_M. Split files ("-00001-of-00003") never match.
func fileMatchesQuant(name, q string) bool {
	base := strings.ToUpper(path.Base(name))
	if !strings.HasSuffix(base, ".GGUF") {
		return false
	}
	base = strings.TrimSuffix(base, ".GGUF")
	q = strings.ToUpper(q)
	if base == q {
		return true
	}
	if !strings.HasSuffix(base, q) {
		return false
	}
	switch base[len(base)-len(q)-1] {
	case '-', '.', '_':
		return true
	}
	return false
}

// quantOfName guesses a file's quantization from its name.
func quantOfName(name string) string {
	base := strings.ToUpper(strings.TrimSuffix(path.Base(name), path.Ext(name)))
	for _, q := range knownQuants {
		if fileMatchesQuant(base+".gguf", q) {
			return q
		}
	}
	return ""
}

// knownQuants lists llama.cpp file types, longer names before their prefixes.
var knownQuants = []string{
	"Q4_K_M", "Q4_K_S", "Q4_K_L", "Q5_K_M", "Q5_K_S", "Q5_K_L", "Q3_K_M", "Q3_K_S", "Q3_K_L", "Q3_K_XL",
	"Q2_K_L", "Q2_K_S", "Q6_K_L", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
	"IQ4_XS", "IQ4_NL", "IQ3_M", "IQ3_S", "IQ3_XS", "IQ3_XXS", "IQ2_M", "IQ2_S", "IQ2_XS", "IQ2_XXS", "IQ1_S", "IQ1_M",
	"TQ1_0", "TQ2_0", "BF16", "F16", "FP16", "F32",
}

// isSplitFile reports whether name is one part of a split GGUF.
func isSplitFile(name string) bool {
	b := strings.ToLower(path.Base(name))
	i := strings.Index(b, "-of-")
	return i > 5 && b[i-6] == '-' && allDigits(b[i-5:i])
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
