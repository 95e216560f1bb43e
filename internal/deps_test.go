package internal_test

// This test keeps the project's dependencies pointing one way, from the
// bottom (kernels) to the top (cmd), in the manner of go/build's deps_test.
// Every package under internal/ and cmd/ must have a layer below; a package
// may import only packages of strictly lower layers, or packages of the same
// layer within its own component (internal/agent/openai may use
// internal/agent). Test files are not layered.

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/atelier-dev/atelier/"

// layers gives each package (by path relative to the module, longest prefix
// wins) its rank. Add a new package here when you create it.
var layers = map[string]int{
	"internal/testshared":         0,
	"internal/kernels":            0,
	"internal/tensor":             1,
	"internal/gguf":               2,
	"internal/tokenizer":          3,
	"internal/kvcache":            3,
	"internal/model":              4,
	"internal/quantize":           4,
	"internal/model/":             5, // one package per architecture, on top of model
	"internal/sample":             5,
	"internal/grammar":            5,
	"internal/grammar/schematest": 0, // test support: a JSON Schema validator
	"internal/grammar/e2e":        7, // tests through the engine
	"internal/engine":             6,
	"internal/chat":               7,
	"internal/template":           8,
	"internal/toolcall":           8,
	"internal/tools":              9,
	"internal/models":             9,
	"internal/session":            9,
	"internal/agent":              10,
	"internal/agent/":             11, // backends and scenario tests, on top of agent
	"internal/tui":                11,
	"internal/server":             11,
	"cmd/":                        12,
}

func layerOf(pkg string) (int, bool) {
	best, rank := "", 0
	for prefix, r := range layers {
		match := pkg == prefix || (strings.HasSuffix(prefix, "/") && strings.HasPrefix(pkg, prefix)) ||
			strings.HasPrefix(pkg, prefix+"/")
		if match && len(prefix) > len(best) {
			best, rank = prefix, r
		}
	}
	return rank, best != ""
}

func TestLayering(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{} // package -> internal imports
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			// Tests may import anything (an architecture's test may use the
			// engine above it); only the code that ships is layered.
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			pkg := filepath.ToSlash(rel)
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			if imports[pkg] == nil {
				imports[pkg] = map[string]bool{}
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == "C" {
					t.Errorf("%s: imports \"C\": atelier is pure Go", path)
				}
				if strings.HasPrefix(p, module) {
					imports[pkg][strings.TrimPrefix(p, module)] = true
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	pkgs := make([]string, 0, len(imports))
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	if len(pkgs) < 3 {
		t.Fatalf("found only %d packages: is the test running from internal/?", len(pkgs))
	}
	for _, p := range pkgs {
		if p == "internal" {
			continue // this test
		}
		rp, ok := layerOf(p)
		if !ok {
			t.Errorf("package %s has no layer: add it to layers in internal/deps_test.go", p)
			continue
		}
		for imp := range imports[p] {
			ri, ok := layerOf(imp)
			if !ok {
				t.Errorf("package %s imports %s, which has no layer", p, imp)
				continue
			}
			if ri == rp && component(imp) == component(p) {
				continue // parts of one component, e.g. internal/agent/...
			}
			if ri >= rp {
				t.Errorf("package %s (layer %d) imports %s (layer %d): dependencies must point down", p, rp, imp, ri)
			}
		}
	}
}

// component returns the first two elements of a package path
// ("internal/agent" for "internal/agent/openai").
func component(pkg string) string {
	parts := strings.SplitN(pkg, "/", 3)
	if len(parts) < 2 {
		return pkg
	}
	return parts[0] + "/" + parts[1]
}

func TestLayerOf(t *testing.T) {
	for pkg, want := range map[string]int{
		"internal/model":         4,
		"internal/model/llama":   5,
		"internal/models":        9,
		"internal/tensor":        1,
		"cmd/atelier":            12,
		"internal/tokenizer/bpe": 3,
	} {
		if got, ok := layerOf(pkg); !ok || got != want {
			t.Errorf("layerOf(%q) = %d, %v; want %d", pkg, got, ok, want)
		}
	}
	if _, ok := layerOf("internal/nowhere"); ok {
		t.Error("an unlisted package got a layer")
	}
}
