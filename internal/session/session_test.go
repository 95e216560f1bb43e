package session

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/atelier-dev/atelier/internal/chat"
)

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAppendLoadReplace(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	proj := t.TempDir()
	s, err := st.Create(proj, "m.gguf")
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{
		{Role: chat.RoleUser, Content: "fix the test\nplease"},
		{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "c1", Name: "read", Arguments: []byte(`{"path":"a.go"}`)}}},
		{Role: chat.RoleTool, ToolCallID: "c1", Name: "read", Content: "1\tpackage a"},
	}
	for _, m := range msgs {
		if err := s.Append(1, m); err != nil {
			t.Fatal(err)
		}
	}
	got, turn, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if turn != 1 || !reflect.DeepEqual(got, msgs) {
		t.Fatalf("Load = %d %+v", turn, got)
	}

	// A snapshot replaces what came before; later messages follow it.
	summary := []chat.Message{{Role: chat.RoleUser, Content: "summary"}}
	if err := s.Replace(summary); err != nil {
		t.Fatal(err)
	}
	next := chat.Message{Role: chat.RoleAssistant, Content: "done"}
	if err := s.Append(2, next); err != nil {
		t.Fatal(err)
	}
	got, turn, err = s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if want := append(summary, next); turn != 2 || !reflect.DeepEqual(got, want) {
		t.Fatalf("after Replace: Load = %d %+v, want %+v", turn, got, want)
	}
	if err := s.Replace(nil); err != nil {
		t.Fatal(err)
	}
	if got, _, _ = s.Load(); len(got) != 0 {
		t.Fatalf("after clear: %+v", got)
	}

	// Reopening the database finds it all again.
	st.Close()
	st2 := openStore(t, dir)
	latest, err := st2.Latest(proj)
	if err != nil || latest.ID != s.ID {
		t.Fatalf("Latest = %v, %v; want %s", latest, err, s.ID)
	}
	list, err := st2.List(proj)
	if err != nil || len(list) != 1 || list[0].Title != "fix the test" || list[0].Messages != 4 || list[0].Model != "m.gguf" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if _, err := st2.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(nope) = %v", err)
	}
	if _, err := st2.Latest(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Latest(other) = %v", err)
	}
}

func TestLatestIsNewest(t *testing.T) {
	st := openStore(t, t.TempDir())
	proj := t.TempDir()
	a, _ := st.Create(proj, "")
	b, _ := st.Create(proj, "")
	if l, _ := st.Latest(proj); l.ID != b.ID {
		t.Fatalf("latest %s, want %s", l.ID, b.ID)
	}
	if err := a.Append(1, chat.Message{Role: chat.RoleUser, Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if l, _ := st.Latest(proj); l.ID != a.ID {
		t.Fatalf("latest %s after append, want %s", l.ID, a.ID)
	}
}

func TestConcurrentAppend(t *testing.T) {
	st := openStore(t, t.TempDir())
	s, _ := st.Create(t.TempDir(), "")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 10 {
				if err := s.Append(i, chat.Message{Role: chat.RoleUser, Content: "x"}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, _, err := s.Load()
	if err != nil || len(got) != 40 {
		t.Fatalf("Load = %d messages, %v", len(got), err)
	}
}

func TestUndo(t *testing.T) {
	st := openStore(t, t.TempDir())
	proj := t.TempDir()
	s, _ := st.Create(proj, "")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(proj, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(proj, name))
		if errors.Is(err, os.ErrNotExist) {
			return "<none>"
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write("a.txt", "a0")
	// Turn 1 edits a.txt twice.
	must(t, s.Checkpoint(1, []Change{{Path: "a.txt", Existed: true, Before: []byte("a0")}}))
	write("a.txt", "a1")
	must(t, s.Checkpoint(1, []Change{{Path: filepath.Join(proj, "a.txt"), Existed: true, Before: []byte("a1")}}))
	write("a.txt", "a2")
	// Turn 2 edits a.txt, creates b.txt and empties c.txt.
	write("c.txt", "c0")
	must(t, s.Checkpoint(2, []Change{
		{Path: "a.txt", Existed: true, Before: []byte("a2")},
		{Path: "b.txt"},
		{Path: "c.txt", Existed: true, Before: []byte("c0")},
	}))
	write("a.txt", "a3")
	write("b.txt", "b")
	write("c.txt", "")

	tests := []struct {
		turn       int
		a, b, c    string
		restored   int
		removedLen int
	}{
		{2, "a2", "<none>", "c0", 2, 1},
		{1, "a0", "<none>", "c0", 1, 0},
	}
	for _, tt := range tests {
		u, err := s.Undo()
		if err != nil {
			t.Fatal(err)
		}
		if u.Turn != tt.turn || len(u.Restored) != tt.restored || len(u.Removed) != tt.removedLen {
			t.Errorf("Undo = %+v, want turn %d", u, tt.turn)
		}
		if a, b, c := read("a.txt"), read("b.txt"), read("c.txt"); a != tt.a || b != tt.b || c != tt.c {
			t.Errorf("after undo of turn %d: a=%q b=%q c=%q", tt.turn, a, b, c)
		}
	}
	if fi, _ := os.Stat(filepath.Join(proj, "a.txt")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
	if _, err := s.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("third Undo = %v, want ErrNothingToUndo", err)
	}
	ents, _ := os.ReadDir(proj)
	if len(ents) != 2 {
		t.Errorf("left files behind: %v", ents)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
