package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func call(t *testing.T, env *Env, tool string, args any) Result {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return Default().Call(context.Background(), env, tool, b)
}

func TestIgnorePatterns(t *testing.T) {
	tests := []struct {
		gitignore string
		path      string
		isDir     bool
		want      bool
	}{
		{"*.log", "a.log", false, true},
		{"*.log", "deep/dir/a.log", false, true},
		{"*.log\n!keep.log", "x/keep.log", false, false},
		{"build/", "build", true, true},
		{"build/", "build", false, false},
		{"build/", "src/build", true, true},
		{"/build", "build", true, true},
		{"/build", "src/build", true, false},
		{"doc/frotz", "doc/frotz", true, true},
		{"doc/frotz", "a/doc/frotz", true, false},
		{"**/foo", "a/b/foo", false, true},
		{"**/foo/bar", "foo/bar", false, true},
		{"abc/**", "abc/x/y", false, true},
		{"abc/**", "abc", true, false},
		{"a/**/b", "a/b", false, true},
		{"a/**/b", "a/x/y/b", false, true},
		{"# comment\n\n", "# comment", false, false},
		{`\#hash`, "#hash", false, true},
		{"trailing   ", "trailing", false, true},
		{"[!a]x", "bx", false, true},
		{"[!a]x", "ax", false, false},
		{"*.o\n!*.o\n*.o", "x.o", false, true},
		{"node_modules", "web/node_modules", true, true},
	}
	for _, tt := range tests {
		chain := (*ignoreChain)(nil).with(parseIgnore("", []byte(tt.gitignore)))
		if got := chain.ignored(tt.path, tt.isDir); got != tt.want {
			t.Errorf("%q: ignored(%q, dir=%v) = %v, want %v", tt.gitignore, tt.path, tt.isDir, got, tt.want)
		}
	}
	// A deeper file overrides a higher one, and its anchored patterns are
	// relative to its own directory.
	chain := (*ignoreChain)(nil).with(parseIgnore("", []byte("*.gen\n"))).with(parseIgnore("sub", []byte("!keep.gen\n/local\n")))
	for path, want := range map[string]bool{"sub/keep.gen": false, "sub/x.gen": true, "keep.gen": true, "sub/local": true, "sub/a/local": false, "local": false} {
		if got := chain.ignored(path, false); got != want {
			t.Errorf("nested: ignored(%q) = %v, want %v", path, got, want)
		}
	}
}

// searchTree is a project with nested .gitignore files.
var searchTree = map[string]string{
	".gitignore":           "*.log\n/build/\nvendor/\n",
	"main.go":              "package main // needle\n",
	"debug.log":            "needle in a log\n",
	"build/out.go":         "needle built\n",
	"vendor/lib/lib.go":    "needle vendored\n",
	"src/app.go":           "package src\n\nfunc needle() {}\n",
	"src/.gitignore":       "gen/\n!important.log\n",
	"src/gen/x.go":         "needle generated\n",
	"src/important.log":    "needle kept by negation\n",
	"src/build/in_src.go":  "needle: /build is anchored to the root\n",
	"docs/readme.md":       "no match here\n",
	".git/config":          "needle in git\n",
	".env":                 "SECRET=needle\n",
	"data/blob.bin":        "needle\x00\x01\x02",
	"deep/a/b/c/d/e/f.txt": "NEEDLE upper\n",
}

func TestGrep(t *testing.T) {
	env := newTestEnv(t, searchTree)
	tests := []struct {
		name    string
		args    map[string]any
		want    []string
		notWant []string
	}{
		{"gitignore at all levels", map[string]any{"pattern": "needle"},
			[]string{"main.go:1: package main // needle", "src/app.go:3: func needle() {}", "src/important.log:1:", "src/build/in_src.go:1:", "(4 matching lines in 4 files)", "1 binary", "1 that may hold secrets"},
			[]string{"debug.log", "build/out.go:", "vendor", "gen/x.go", ".git", ".env:", "blob.bin", "NEEDLE"}},
		{"ignore case", map[string]any{"pattern": "needle", "ignore_case": true, "path": "deep"},
			[]string{"deep/a/b/c/d/e/f.txt:1: NEEDLE upper"}, nil},
		{"glob filter", map[string]any{"pattern": "needle", "glob": "*.go"},
			[]string{"main.go:1:", "src/app.go:3:"}, []string{"important.log"}},
		{"files mode", map[string]any{"pattern": "needle", "output_mode": "files_with_matches"},
			[]string{"main.go\nsrc/app.go\nsrc/build/in_src.go\nsrc/important.log\n"}, []string{":1:"}},
		{"count mode", map[string]any{"pattern": "needle|package", "output_mode": "count", "path": "src"},
			[]string{"src/app.go: 2\n"}, nil},
		{"a single file, even ignored", map[string]any{"pattern": "needle", "path": "debug.log"},
			[]string{"debug.log:1: needle in a log"}, nil},
		{"explicit secret file", map[string]any{"pattern": "SECRET", "path": ".env"},
			[]string{".env:1: SECRET=needle"}, nil},
		{"literal", map[string]any{"pattern": "needle()", "literal": true},
			[]string{"src/app.go:3:"}, []string{"main.go"}},
		{"no match", map[string]any{"pattern": "zebra"}, []string{"No matches."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, env, "grep", tt.args)
			if res.IsError {
				t.Fatalf("error: %s", res.Output)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Output, w) {
					t.Errorf("output lacks %q:\n%s", w, res.Output)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(res.Output, w) {
					t.Errorf("output has %q:\n%s", w, res.Output)
				}
			}
		})
	}
	res := call(t, env, "grep", map[string]any{"pattern": "needle("})
	if !res.IsError || !strings.Contains(res.Output, "literal") {
		t.Errorf("bad regexp: %+v", res)
	}
}

func TestGrepHonoursDenyRules(t *testing.T) {
	env := newTestEnv(t, map[string]string{"secrets/k.txt": "needle\n", "a.txt": "needle\n"})
	rules, err := ParseRules(nil, []string{"read(secrets/**)"})
	if err != nil {
		t.Fatal(err)
	}
	env.SetRules(rules)
	res := call(t, env, "grep", map[string]any{"pattern": "needle"})
	if !strings.Contains(res.Output, "a.txt:1:") || strings.Contains(res.Output, "secrets") {
		t.Errorf("output:\n%s", res.Output)
	}
}

func TestGrepCap(t *testing.T) {
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("d%02d/f.txt", i)] = strings.Repeat("match\n", 10)
	}
	env := newTestEnv(t, files)
	env.Limits.Results = 25
	res := call(t, env, "grep", map[string]any{"pattern": "match"})
	lines := strings.Split(strings.TrimSpace(res.Output), "\n")
	if len(lines) != 26 || !strings.Contains(lines[25], "showing 25 of 500 matching lines in 50 files") {
		t.Errorf("%d lines; last %q", len(lines), lines[len(lines)-1])
	}
	if !strings.HasPrefix(lines[0], "d00/f.txt:1:") || !strings.HasPrefix(lines[24], "d02/f.txt:5:") {
		t.Errorf("not the first matches by path: %q … %q", lines[0], lines[24])
	}
	res = call(t, env, "grep", map[string]any{"pattern": "match", "output_mode": "files_with_matches"})
	if !strings.Contains(res.Output, "(25 more files not shown") {
		t.Errorf("files mode:\n%s", res.Output)
	}
}

func TestGlob(t *testing.T) {
	env := newTestEnv(t, searchTree)
	// Give the Go files distinct ages: src/app.go newest.
	now := time.Now()
	for i, p := range []string{"main.go", "src/build/in_src.go", "src/app.go"} {
		ts := now.Add(time.Duration(i-10) * time.Minute)
		if err := os.Chtimes(filepath.Join(env.Root, p), ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"pattern": "**/*.go"}, "src/app.go\nsrc/build/in_src.go\nmain.go\n"},
		{map[string]any{"pattern": "*.go", "path": "src"}, "src/app.go\n"},
		{map[string]any{"pattern": "*.txt"}, "(no file matched \"*.txt\" at the top level, so these match **/*.txt, at any depth)\ndeep/a/b/c/d/e/f.txt\n"},
		{map[string]any{"pattern": "**/*.log"}, "src/important.log\n"},
		{map[string]any{"pattern": "*.{md,txt}", "path": "docs"}, "docs/readme.md\n"},
		{map[string]any{"pattern": "*.rs"}, "No files match."},
		{map[string]any{"pattern": env.Root + "/src/*.go"}, "src/app.go\n"},
	}
	for _, tt := range tests {
		res := call(t, env, "glob", tt.args)
		if res.IsError || res.Output != tt.want {
			t.Errorf("glob %v = %q (error %v), want %q", tt.args, res.Output, res.IsError, tt.want)
		}
	}
	if res := call(t, env, "glob", map[string]any{"pattern": "[", "path": "src"}); !res.IsError {
		t.Errorf("bad pattern: %+v", res)
	}
}

func TestLS(t *testing.T) {
	env := newTestEnv(t, searchTree)
	res := call(t, env, "ls", map[string]any{"path": "src"})
	want := "src/\n  build/\n    in_src.go\n  .gitignore\n  app.go\n  important.log\n"
	if res.Output != want {
		t.Errorf("ls src:\n%s\nwant:\n%s", res.Output, want)
	}
	res = call(t, env, "ls", map[string]any{"ignore": []string{"deep", "*.go"}})
	for _, absent := range []string{"deep/", "main.go", "build/", "vendor/", ".git/", "debug.log"} {
		if strings.Contains(res.Output, "\n  "+absent) {
			t.Errorf("ls shows %s:\n%s", absent, res.Output)
		}
	}
	if !strings.HasPrefix(res.Output, "(project root)/\n") || !strings.Contains(res.Output, "    important.log\n") {
		t.Errorf("ls root:\n%s", res.Output)
	}
	env.Limits.Results = 3
	res = call(t, env, "ls", map[string]any{})
	if !strings.Contains(res.Output, "stops at 3 entries") || !strings.Contains(res.Output, "/ …") {
		t.Errorf("capped ls:\n%s", res.Output)
	}
	if res := call(t, env, "ls", map[string]any{"path": "main.go"}); !res.IsError {
		t.Errorf("ls of a file: %+v", res)
	}
}

func TestRead(t *testing.T) {
	long := strings.Repeat("x", 3000)
	var many strings.Builder
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&many, "line %d\n", i)
	}
	env := newTestEnv(t, map[string]string{
		"a.txt":     "one\ntwo\nthree\nfour\n",
		"nolf.txt":  "alpha\nbeta",
		"empty.txt": "",
		"long.txt":  long + "\n",
		"many.txt":  many.String(),
		"img.png":   "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"utf8.txt":  "héllo wörld ✓\n",
		"dir/x":     "",
	})
	tests := []struct {
		args    map[string]any
		want    string // exact output, or a substring when it starts with "~"
		isError bool
	}{
		{map[string]any{"file_path": "a.txt"}, "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour\n", false},
		{map[string]any{"file_path": "a.txt", "offset": 2, "limit": 2}, "     2\ttwo\n     3\tthree\n(showing lines 2-3 of 4; call read with offset=4 to see more)\n", false},
		{map[string]any{"file_path": "nolf.txt"}, "     1\talpha\n     2\tbeta\n", false},
		{map[string]any{"file_path": "empty.txt"}, "(empty.txt is empty)", false},
		{map[string]any{"file_path": "a.txt", "offset": 9}, "a.txt has only 4 lines; offset 9 is past the end.", true},
		{map[string]any{"file_path": "long.txt"}, "~[line cut: 1000 more bytes]", false},
		{map[string]any{"file_path": "many.txt"}, "~call read with offset=", false},
		{map[string]any{"file_path": "img.png"}, "~img.png is a binary file (image/png", true},
		{map[string]any{"file_path": "utf8.txt"}, "     1\théllo wörld ✓\n", false},
		{map[string]any{"file_path": "dir"}, "dir is a directory. Use ls to list it.", true},
		{map[string]any{"file_path": "nope.txt"}, "nope.txt does not exist. Use glob or ls to find the right path.", true},
		{map[string]any{"file_path": env.Root + "/a.txt", "limit": 1}, "~     1\tone\n", false},
	}
	for _, tt := range tests {
		res := call(t, env, "read", tt.args)
		ok := res.Output == tt.want
		if w, sub := strings.CutPrefix(tt.want, "~"); sub {
			ok = strings.Contains(res.Output, w)
		}
		if !ok || res.IsError != tt.isError {
			t.Errorf("read %v = %q (error %v), want %q (error %v)", tt.args, res.Output, res.IsError, tt.want, tt.isError)
		}
	}
	// The output stays under the cap.
	res := call(t, env, "read", map[string]any{"file_path": "many.txt"})
	if len(res.Output) > env.Limits.outputBytes()+200 {
		t.Errorf("read returned %d bytes", len(res.Output))
	}
}

func TestGuard(t *testing.T) {
	env := newTestEnv(t, map[string]string{"in/a.txt": "", ".env.example": "", "config/.env.local": ""})
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(env.Root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(env.Root, "in"), filepath.Join(env.Root, "alias")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		outside   bool
		sensitive bool
	}{
		{"in/a.txt", false, false},
		{"in/../in/a.txt", false, false},
		{"../x", true, false},
		{"escape/new.txt", true, false}, // a symlink out of the project
		{"alias/a.txt", false, false},
		{".env", false, true},
		{"config/.env.local", false, true},
		{".env.example", false, false},
		{"certs/server.pem", false, true},
		{"home/.ssh/id_ed25519", false, true},
		{"x/.aws/credentials", false, true},
		{"credentials.json", false, true},
		{"main.go", false, false},
		{"/etc/passwd", true, false},
	}
	for _, tt := range tests {
		r, err := env.Guard.Resolve(tt.path)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tt.path, err)
			continue
		}
		if r.Outside != tt.outside || r.Sensitive != tt.sensitive {
			t.Errorf("Resolve(%q) = %+v; want outside %v, sensitive %v", tt.path, r, tt.outside, tt.sensitive)
		}
	}
	if r, _ := env.Guard.Resolve("alias/a.txt"); r.Path != filepath.Join(env.Root, "in", "a.txt") {
		t.Errorf("symlink not evaluated: %s", r.Path)
	}
	if _, err := env.Guard.Resolve(" "); err == nil {
		t.Error("empty path resolved")
	}
	// Writing through the escaping symlink is flagged for permission.
	c, err := Default().Inspect(env, "write", json.RawMessage(`{"file_path":"escape/x","content":""}`))
	if err != nil || !c.Outside || Decide(ModeAcceptEdits, Rules{}, c).Kind != Ask {
		t.Errorf("write through symlink: %+v, %v", c, err)
	}
}
