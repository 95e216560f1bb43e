package session

import (
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A write recorded by Prepare and never checkpointed (the process died in
// between) is undone if it happened and forgotten if it did not.
func TestPrepareReconcile(t *testing.T) {
	dbDir := t.TempDir()
	st := openStore(t, dbDir)
	proj := t.TempDir()
	s, _ := st.Create(proj, "")
	path := func(name string) string { return filepath.Join(proj, name) }
	must(t, os.WriteFile(path("written.txt"), []byte("old"), 0o644))
	must(t, os.WriteFile(path("unwritten.txt"), []byte("same"), 0o644))

	// Turn 1: a finished, checkpointed edit.
	must(t, s.Prepare(1, Change{Path: "done.txt"}))
	must(t, os.WriteFile(path("done.txt"), []byte("d"), 0o644))
	must(t, s.Checkpoint(1, []Change{{Path: "done.txt"}}))
	// Turn 2: three writes recorded, then the crash: written.txt and
	// created.txt were written, unwritten.txt and never.txt were not.
	must(t, s.Prepare(2, Change{Path: "written.txt", Existed: true, Before: []byte("old")}))
	must(t, os.WriteFile(path("written.txt"), []byte("new"), 0o644))
	must(t, s.Prepare(2, Change{Path: "created.txt"}))
	must(t, os.WriteFile(path("created.txt"), []byte("c"), 0o644))
	must(t, s.Prepare(2, Change{Path: "unwritten.txt", Existed: true, Before: []byte("same")}))
	must(t, s.Prepare(2, Change{Path: "never.txt"}))
	st.Close()

	st = openStore(t, dbDir)
	s, err := st.Get(s.ID)
	must(t, err)
	r, err := s.Reconcile()
	must(t, err)
	want := Reconciled{Kept: []string{path("created.txt"), path("written.txt")}, Dropped: []string{path("never.txt"), path("unwritten.txt")}}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("Reconcile = %+v, want %+v", r, want)
	}
	if again, err := s.Reconcile(); err != nil || len(again.Kept)+len(again.Dropped) != 0 {
		t.Fatalf("second Reconcile = %+v, %v", again, err)
	}
	u, err := s.Undo()
	must(t, err)
	if u.Turn != 2 || !reflect.DeepEqual(u.Restored, []string{path("written.txt")}) || !reflect.DeepEqual(u.Removed, []string{path("created.txt")}) {
		t.Fatalf("Undo = %+v", u)
	}
	if b, _ := os.ReadFile(path("written.txt")); string(b) != "old" {
		t.Errorf("written.txt = %q", b)
	}
	if b, _ := os.ReadFile(path("unwritten.txt")); string(b) != "same" {
		t.Errorf("unwritten.txt = %q", b)
	}
	if u, err := s.Undo(); err != nil || u.Turn != 1 {
		t.Fatalf("second Undo = %+v, %v", u, err)
	}
}

// Undo reconciles first, so an interrupted write is undone without an
// explicit Reconcile.
func TestUndoReconciles(t *testing.T) {
	st := openStore(t, t.TempDir())
	proj := t.TempDir()
	s, _ := st.Create(proj, "")
	p := filepath.Join(proj, "a.txt")
	must(t, os.WriteFile(p, []byte("a0"), 0o644))
	must(t, s.Prepare(1, Change{Path: p, Existed: true, Before: []byte("a0")}))
	must(t, os.WriteFile(p, []byte("a1"), 0o644))
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "a0" {
		t.Fatalf("a.txt = %q", b)
	}
}

// A database of the schema before write-ahead records opens, and its
// checkpoints count as done.
func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBName))
	must(t, err)
	_, err = db.Exec(`CREATE TABLE checkpoints (session TEXT NOT NULL, turn INTEGER NOT NULL, path TEXT NOT NULL,
		existed INTEGER NOT NULL, before BLOB, PRIMARY KEY (session, turn, path));
		INSERT INTO checkpoints VALUES ('s', 1, '/x', 0, NULL);`)
	must(t, err)
	db.Close()
	st := openStore(t, dir)
	var done int
	must(t, st.db.QueryRow(`SELECT done FROM checkpoints WHERE session = 's'`).Scan(&done))
	if done != 1 {
		t.Fatalf("done = %d", done)
	}
}
