package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden outputs in testdata")

// writeTree writes the files of an archive whose names start with prefix
// under dir.
func writeTree(t *testing.T, dir string, files []txtar.File, prefix string) {
	t.Helper()
	for _, f := range files {
		name, ok := strings.CutPrefix(f.Name, prefix)
		if !ok {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree reads every file under dir, by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func treeOf(files []txtar.File, prefix string) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		if name, ok := strings.CutPrefix(f.Name, prefix); ok {
			out[name] = string(f.Data)
		}
	}
	return out
}

// newTestEnv makes an Env on a temporary directory holding the given
// files ("path" → content).
func newTestEnv(t *testing.T, files map[string]string) *Env {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env, err := NewEnv(dir)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestFixtures runs the scenarios of testdata/*.txtar. Each archive has
// a before tree (files "before/…"), the calls ("calls": one JSON object
// {"tool": …, "args": …} per line), the tree expected after them
// ("after/…"; when absent, the tree must be unchanged) and the golden
// "output" of the calls, which -update rewrites.
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeTree(t, dir, ar.Files, "before/")
			env, err := NewEnv(dir)
			if err != nil {
				t.Fatal(err)
			}
			reg := Default()
			var calls, wantOut []byte
			for _, f := range ar.Files {
				switch f.Name {
				case "calls":
					calls = f.Data
				case "output":
					wantOut = f.Data
				}
			}
			var out bytes.Buffer
			for i, line := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
				var c struct {
					Tool string          `json:"tool"`
					Args json.RawMessage `json:"args"`
				}
				if err := json.Unmarshal([]byte(line), &c); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
				res := reg.Call(context.Background(), env, c.Tool, c.Args)
				status := "ok"
				if res.IsError {
					status = "error"
				}
				fmt.Fprintf(&out, "## %d %s: %s\n%s\n", i+1, c.Tool, status, strings.TrimRight(res.Output, "\n"))
				for _, ch := range res.Changes {
					if !within(env.Root, ch.Path) {
						t.Errorf("call %d: change outside the root: %s", i+1, ch.Path)
					}
				}
			}
			want := treeOf(ar.Files, "after/")
			if len(want) == 0 {
				want = treeOf(ar.Files, "before/")
			}
			got := readTree(t, dir)
			for _, name := range union(want, got) {
				if want[name] != got[name] {
					t.Errorf("file %s:\ngot:\n%s\nwant:\n%s", name, got[name], want[name])
				}
			}
			if *update {
				replaced := false
				for i := range ar.Files {
					if ar.Files[i].Name == "output" {
						ar.Files[i].Data, replaced = out.Bytes(), true
					}
				}
				if !replaced {
					ar.Files = append(ar.Files, txtar.File{Name: "output", Data: out.Bytes()})
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if out.String() != string(wantOut) {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), wantOut)
			}
		})
	}
}

func union(a, b map[string]string) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	ks := make([]string, 0, len(seen))
	for k := range seen {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
