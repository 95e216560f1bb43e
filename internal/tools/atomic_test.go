package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteInterruptedBeforeRename(t *testing.T) {
	for _, tool := range []struct{ name, args string }{
		{"write", `{"file_path":"f.txt","content":"new content\n"}`},
		{"edit", `{"file_path":"f.txt","old_string":"old","new_string":"new"}`},
		{"multiedit", `{"file_path":"f.txt","edits":[{"old_string":"old","new_string":"new"}]}`},
	} {
		t.Run(tool.name, func(t *testing.T) {
			env := newTestEnv(t, map[string]string{"f.txt": "old content\n"})
			crash := errors.New("injected crash")
			var sawTemp bool
			env.files.beforeRename = func(tmp, target string) error {
				b, err := os.ReadFile(tmp)
				sawTemp = err == nil && len(b) > 0
				return crash
			}
			res := Default().Call(context.Background(), env, tool.name, json.RawMessage(tool.args))
			if !res.IsError || !strings.Contains(res.Output, "injected crash") || len(res.Changes) != 0 {
				t.Errorf("result %+v", res)
			}
			if !sawTemp {
				t.Error("the hook saw no temporary file with the new content")
			}
			if got := readTree(t, env.Root); len(got) != 1 || got["f.txt"] != "old content\n" {
				t.Errorf("tree after the crash: %q", got)
			}
		})
	}
}

func TestWriteAtomicKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755", st.Mode().Perm())
	}
	if err := WriteFileAtomic(filepath.Join(dir, "a", "b", "new"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "a", "b", "new")); st.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v", st.Mode().Perm())
	}
	if err := WriteFileAtomic(dir, []byte("x"), 0o644); err == nil {
		t.Error("writing over a directory succeeded")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".atelier-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestRestore(t *testing.T) {
	env := newTestEnv(t, map[string]string{"a.txt": "one\n", "b.txt": "bee\n"})
	reg := Default()
	ctx := context.Background()
	var changes []FileChange
	for _, c := range []struct{ tool, args string }{
		{"edit", `{"file_path":"a.txt","old_string":"one","new_string":"two"}`},
		{"edit", `{"file_path":"a.txt","old_string":"two","new_string":"three"}`},
		{"write", `{"file_path":"new/c.txt","content":"sea\n"}`},
		{"write", `{"file_path":"b.txt","content":""}`},
	} {
		res := reg.Call(ctx, env, c.tool, json.RawMessage(c.args))
		if res.IsError {
			t.Fatalf("%s: %s", c.tool, res.Output)
		}
		changes = append(changes, res.Changes...)
	}
	if len(changes) != 4 || changes[0].Existed != true || changes[2].Existed {
		t.Fatalf("changes %+v", changes)
	}
	if !bytes.Equal(changes[1].Before, []byte("two\n")) || !bytes.Equal(changes[1].After, []byte("three\n")) {
		t.Errorf("second change %+v", changes[1])
	}
	if err := Restore(changes); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, env.Root)
	want := map[string]string{"a.txt": "one\n", "b.txt": "bee\n"}
	if len(got) != len(want) || got["a.txt"] != want["a.txt"] || got["b.txt"] != want["b.txt"] {
		t.Errorf("after restore: %q", got)
	}
}

func TestApplyRollsBack(t *testing.T) {
	env := newTestEnv(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	w := atomicWriter{beforeRename: func(tmp, target string) error {
		if filepath.Base(target) == "b.txt" {
			return errors.New("disk full")
		}
		return nil
	}}
	err := w.apply([]FileChange{
		{Path: filepath.Join(env.Root, "a.txt"), Existed: true, Before: []byte("a\n"), After: []byte("A\n")},
		{Path: filepath.Join(env.Root, "b.txt"), Existed: true, Before: []byte("b\n"), After: []byte("B\n")},
	})
	if err == nil {
		t.Fatal("apply succeeded")
	}
	if got := readTree(t, env.Root); got["a.txt"] != "a\n" || got["b.txt"] != "b\n" {
		t.Errorf("files after a failed apply: %q", got)
	}
}

func TestPreview(t *testing.T) {
	env := newTestEnv(t, map[string]string{"m.go": "package m\n\nvar x = 1\n"})
	reg := Default()
	ctx := context.Background()
	p, err := reg.Preview(ctx, env, "edit", json.RawMessage(`{"file_path":"m.go","old_string":"var x = 1","new_string":"var x = 2"}`))
	if err != nil {
		t.Fatal(err)
	}
	wantDiff := "--- a/m.go\n+++ b/m.go\n@@ -1,3 +1,3 @@\n package m\n \n-var x = 1\n+var x = 2\n"
	if p.Diff != wantDiff || p.Summary != "edit m.go (+1 -1)" || len(p.Changes) != 1 {
		t.Errorf("preview %+v", p)
	}
	if got := readTree(t, env.Root)["m.go"]; got != "package m\n\nvar x = 1\n" {
		t.Errorf("preview wrote the file: %q", got)
	}
	p, err = reg.Preview(ctx, env, "write", json.RawMessage(`{"file_path":"n.go","content":"package n\n"}`))
	if err != nil || p.Diff != "--- /dev/null\n+++ b/n.go\n@@ -0,0 +1 @@\n+package n\n" {
		t.Errorf("write preview %+v, %v", p, err)
	}
	p, err = reg.Preview(ctx, env, "bash", json.RawMessage(`{"command":"go test ./..."}`))
	if err != nil || p.Command != "go test ./..." || p.Summary != "run: go test ./..." {
		t.Errorf("bash preview %+v, %v", p, err)
	}
	_, err = reg.Preview(ctx, env, "edit", json.RawMessage(`{"file_path":"m.go","old_string":"nope","new_string":"x"}`))
	if !errors.Is(err, ErrInvalidCall) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("failing edit preview: %v", err)
	}
	_, err = reg.Preview(ctx, env, "edit", json.RawMessage(`{}`))
	if !errors.Is(err, ErrInvalidCall) || !strings.Contains(err.Error(), "missing required argument") {
		t.Errorf("bad args preview: %v", err)
	}
}

func TestEditKeepsCRLF(t *testing.T) {
	env := newTestEnv(t, map[string]string{"w.txt": "a\r\nb\r\nc\r\n"})
	res := Default().Call(context.Background(), env, "edit", json.RawMessage(`{"file_path":"w.txt","old_string":"a\nb","new_string":"a\nB\nb"}`))
	if res.IsError {
		t.Fatal(res.Output)
	}
	if got := readTree(t, env.Root)["w.txt"]; got != "a\r\nB\r\nb\r\nc\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestEditBinaryRefused(t *testing.T) {
	env := newTestEnv(t, map[string]string{"b.bin": "\x00\x01\x02abc"})
	res := Default().Call(context.Background(), env, "edit", json.RawMessage(`{"file_path":"b.bin","old_string":"abc","new_string":"x"}`))
	if !res.IsError || !strings.Contains(res.Output, "binary file") {
		t.Errorf("result %+v", res)
	}
}

// The journal sees every change, with its content before, before the file
// is written; a journal error leaves the file alone.
func TestJournal(t *testing.T) {
	env := newTestEnv(t, map[string]string{"a.txt": "one\n"})
	path := filepath.Join(env.Root, "a.txt")
	var seen []FileChange
	ctx := WithJournal(context.Background(), func(c FileChange) error {
		b, _ := os.ReadFile(c.Path)
		if string(b) != string(c.Before) {
			t.Errorf("journal called after the write: file %q, before %q", b, c.Before)
		}
		seen = append(seen, c)
		return nil
	})
	reg := Default()
	for _, call := range []struct{ name, args string }{
		{"edit", `{"file_path":"a.txt","old_string":"one","new_string":"two"}`},
		{"multiedit", `{"file_path":"a.txt","edits":[{"old_string":"two","new_string":"three"}]}`},
		{"write", `{"file_path":"b.txt","content":"new"}`},
	} {
		if res := reg.Call(ctx, env, call.name, json.RawMessage(call.args)); res.IsError {
			t.Fatalf("%s: %s", call.name, res.Output)
		}
	}
	if len(seen) != 3 || string(seen[0].Before) != "one\n" || string(seen[1].Before) != "two\n" || seen[2].Existed || seen[2].Path != filepath.Join(env.Root, "b.txt") {
		t.Fatalf("journal saw %+v", seen)
	}
	failing := WithJournal(context.Background(), func(FileChange) error { return errors.New("disk full") })
	res := reg.Call(failing, env, "edit", json.RawMessage(`{"file_path":"a.txt","old_string":"three","new_string":"four"}`))
	if !res.IsError || !strings.Contains(res.Output, "disk full") || len(res.Changes) != 0 {
		t.Fatalf("failing journal: %+v", res)
	}
	if b, _ := os.ReadFile(path); string(b) != "three\n" {
		t.Fatalf("a.txt = %q after a failed journal", b)
	}
}
