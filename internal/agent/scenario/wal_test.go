package scenario

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/scripted"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// dyingRecorder saves to the session until the process "dies" at a chosen
// point: in Prepare, once the record is saved but before the tool writes
// the file, or in Checkpoint, after the tool wrote the file but before the
// checkpoint is saved. From then on nothing reaches the database and the
// run is cancelled.
type dyingRecorder struct {
	s      *session.Session
	at     string // "prepare" or "checkpoint"
	dead   bool
	cancel context.CancelFunc
}

var errDied = errors.New("the process died")

func (d *dyingRecorder) Append(turn int, m chat.Message) error {
	if d.dead {
		return errDied
	}
	return d.s.Append(turn, m)
}

func (d *dyingRecorder) Replace(msgs []chat.Message) error {
	if d.dead {
		return errDied
	}
	return d.s.Replace(msgs)
}

func (d *dyingRecorder) Prepare(turn int, ch session.Change) error {
	if d.dead {
		return errDied
	}
	if err := d.s.Prepare(turn, ch); err != nil {
		return err
	}
	if d.at == "prepare" {
		d.die()
		return errDied // the write does not happen
	}
	return nil
}

func (d *dyingRecorder) Checkpoint(turn int, ch []session.Change) error {
	if d.dead {
		return errDied
	}
	if d.at == "checkpoint" {
		d.die()
		return errDied
	}
	return d.s.Checkpoint(turn, ch)
}

func (d *dyingRecorder) die() {
	d.dead = true
	d.cancel()
}

// TestCrashBetweenWriteAndCheckpoint kills the run between an edit's write
// and its checkpoint, and before the write: on resume, the reconciled
// session undoes the write that happened and knows the other did not.
func TestCrashBetweenWriteAndCheckpoint(t *testing.T) {
	tr := &scripted.Transcript{Turns: []scripted.Turn{
		{ToolCalls: []scripted.Call{{Name: "edit", Arguments: []byte(`{"file_path": "note.txt", "old_string": "teh", "new_string": "the"}`)}}},
		{Text: "Fixed."},
	}}
	for _, at := range []string{"checkpoint", "prepare"} {
		t.Run(at, func(t *testing.T) {
			dir := t.TempDir()
			note := filepath.Join(dir, "note.txt")
			if err := os.WriteFile(note, []byte("Read teh manual.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			dbDir := t.TempDir()
			store, err := session.Open(dbDir)
			if err != nil {
				t.Fatal(err)
			}
			sess, _ := store.Create(dir, "scripted")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rec := &dyingRecorder{s: sess, at: at, cancel: cancel}
			a := newAgent(t, dir, scripted.NewClient(tr, 0, false), rec, nil, nil, 0)
			if _, err := a.Run(ctx, "fix the typo"); err == nil {
				t.Fatal("the run survived its death")
			}
			wantNote := map[string]string{"checkpoint": "Read the manual.\n", "prepare": "Read teh manual.\n"}[at]
			if b, _ := os.ReadFile(note); string(b) != wantNote {
				t.Fatalf("note.txt after the crash = %q, want %q", b, wantNote)
			}
			store.Close()

			// A new process resumes the session.
			store, err = session.Open(dbDir)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			sess, err = store.Latest(dir)
			if err != nil {
				t.Fatal(err)
			}
			r, err := sess.Reconcile()
			if err != nil {
				t.Fatal(err)
			}
			u, err := sess.Undo()
			switch at {
			case "checkpoint":
				if len(r.Kept) != 1 || r.Kept[0] != note || err != nil || len(u.Restored) != 1 {
					t.Fatalf("Reconcile %+v, Undo %+v, %v", r, u, err)
				}
			case "prepare":
				if len(r.Dropped) != 1 || !errors.Is(err, session.ErrNothingToUndo) {
					t.Fatalf("Reconcile %+v, Undo %+v, %v", r, u, err)
				}
			}
			if b, _ := os.ReadFile(note); string(b) != "Read teh manual.\n" {
				t.Fatalf("note.txt after undo = %q", b)
			}
			// The conversation resumes and finishes.
			msgs, turn, err := sess.Load()
			if err != nil {
				t.Fatal(err)
			}
			b := newAgent(t, dir, scripted.NewClient(tr, 1, false), sess, nil, msgs, turn)
			if res, err := b.Run(context.Background(), ""); err != nil || res.Text != "Fixed." {
				t.Fatalf("resume: %+v, %v", res, err)
			}
			var _ agent.Recorder = rec
		})
	}
}
