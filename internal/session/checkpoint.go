package session

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Change is a file changed by a tool call, with what it held before.
type Change struct {
	// Path is the file, absolute or relative to the session's project.
	Path string
	// Existed is false when the call created the file.
	Existed bool
	// Before is the content before the call (nil when !Existed).
	Before []byte
}

// Prepare records, before a tool writes a file, what the file holds
// (write-ahead): if the process dies between the write and Checkpoint, the
// record is still there, and Reconcile, on resume, keeps it when the write
// happened and drops it when it did not. Only the first change of a path in
// a turn counts, as for Checkpoint.
func (s *Session) Prepare(turn int, c Change) error {
	before := c.Before
	if c.Existed && before == nil {
		before = []byte{}
	}
	if _, err := s.store.db.Exec(`INSERT OR IGNORE INTO checkpoints(session, turn, path, existed, before, done) VALUES(?, ?, ?, ?, ?, 0)`,
		s.ID, turn, s.abs(c.Path), c.Existed, before); err != nil {
		return fmt.Errorf("session: record %s before the write: %w", c.Path, err)
	}
	return nil
}

// Checkpoint saves what the changed files held before the turn and marks
// the records of Prepare done. Only the first change of a path in a turn
// counts: undoing the turn restores the content from before the turn's first
// change.
func (s *Session) Checkpoint(turn int, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	tx, err := s.store.db.Begin()
	if err != nil {
		return fmt.Errorf("session: checkpoint: %w", err)
	}
	defer tx.Rollback()
	for _, c := range changes {
		before := c.Before
		if c.Existed && before == nil {
			before = []byte{}
		}
		if _, err := tx.Exec(`INSERT OR IGNORE INTO checkpoints(session, turn, path, existed, before) VALUES(?, ?, ?, ?, ?)`,
			s.ID, turn, s.abs(c.Path), c.Existed, before); err != nil {
			return fmt.Errorf("session: checkpoint %s: %w", c.Path, err)
		}
		if _, err := tx.Exec(`UPDATE checkpoints SET done = 1 WHERE session = ? AND turn = ? AND path = ?`,
			s.ID, turn, s.abs(c.Path)); err != nil {
			return fmt.Errorf("session: checkpoint %s: %w", c.Path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("session: checkpoint: %w", err)
	}
	return nil
}

func (s *Session) abs(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(s.Project, path)
}

// Undone says what Undo restored.
type Undone struct {
	// Turn is the user turn whose changes were undone.
	Turn int
	// Restored are the files put back to their earlier content; Removed the
	// files the turn had created.
	Restored, Removed []string
}

// Undo puts the files changed by the last turn that changed any (and was
// not undone yet) back as they were before it. Every new content is written
// to a temporary file first, so a failure before the renames changes
// nothing; the checkpoint is dropped only once all files are restored, so an
// interrupted Undo can be run again.
func (s *Session) Undo() (Undone, error) {
	var u Undone
	if _, err := s.Reconcile(); err != nil {
		return u, err
	}
	err := s.store.db.QueryRow(`SELECT coalesce(max(turn), -1) FROM checkpoints WHERE session = ?`, s.ID).Scan(&u.Turn)
	if err != nil {
		return u, fmt.Errorf("session: undo: %w", err)
	}
	if u.Turn < 0 {
		return u, ErrNothingToUndo
	}
	rows, err := s.store.db.Query(`SELECT path, existed, before FROM checkpoints WHERE session = ? AND turn = ? ORDER BY path`, s.ID, u.Turn)
	if err != nil {
		return u, fmt.Errorf("session: undo: %w", err)
	}
	type restore struct {
		path, tmp string
		existed   bool
	}
	var todo []restore
	cleanup := func() {
		for _, r := range todo {
			if r.tmp != "" {
				os.Remove(r.tmp)
			}
		}
	}
	for rows.Next() {
		var r restore
		var before []byte
		if err := rows.Scan(&r.path, &r.existed, &before); err != nil {
			rows.Close()
			cleanup()
			return u, fmt.Errorf("session: undo: %w", err)
		}
		if r.existed {
			tmp, err := writeTemp(r.path, before)
			if err != nil {
				rows.Close()
				cleanup()
				return u, fmt.Errorf("session: undo %s: %w", r.path, err)
			}
			r.tmp = tmp
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		cleanup()
		return u, fmt.Errorf("session: undo: %w", err)
	}
	for i, r := range todo {
		if !r.existed {
			if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				cleanup()
				return u, fmt.Errorf("session: undo %s: %w", r.path, err)
			}
			u.Removed = append(u.Removed, r.path)
			continue
		}
		if err := os.Rename(r.tmp, r.path); err != nil {
			cleanup()
			return u, fmt.Errorf("session: undo %s: %w", r.path, err)
		}
		todo[i].tmp = ""
		u.Restored = append(u.Restored, r.path)
	}
	if _, err := s.store.db.Exec(`DELETE FROM checkpoints WHERE session = ? AND turn = ?`, s.ID, u.Turn); err != nil {
		return u, fmt.Errorf("session: undo: %w", err)
	}
	return u, nil
}

// Reconciled says what Reconcile found.
type Reconciled struct {
	// Kept are the files whose interrupted write had happened: their
	// records stay, so Undo restores them. Dropped are those whose write
	// had not happened.
	Kept, Dropped []string
}

// Reconcile settles the write-ahead records of writes that were never
// checkpointed (the process died in between): a file that no longer holds
// its recorded content was written, and its record becomes a checkpoint; a
// file that still holds it was not, and the record goes. Call it when
// resuming a session; Undo calls it first.
func (s *Session) Reconcile() (Reconciled, error) {
	var r Reconciled
	rows, err := s.store.db.Query(`SELECT turn, path, existed, before FROM checkpoints WHERE session = ? AND done = 0 ORDER BY turn, path`, s.ID)
	if err != nil {
		return r, fmt.Errorf("session: reconcile: %w", err)
	}
	type pending struct {
		turn    int
		path    string
		existed bool
		before  []byte
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.turn, &p.path, &p.existed, &p.before); err != nil {
			rows.Close()
			return r, fmt.Errorf("session: reconcile: %w", err)
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("session: reconcile: %w", err)
	}
	for _, p := range ps {
		now, err := os.ReadFile(p.path)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return r, fmt.Errorf("session: reconcile %s: %w", p.path, err)
		}
		unchanged := exists == p.existed && (!exists || bytes.Equal(now, p.before))
		q := `UPDATE checkpoints SET done = 1 WHERE session = ? AND turn = ? AND path = ?`
		if unchanged {
			q = `DELETE FROM checkpoints WHERE session = ? AND turn = ? AND path = ? AND done = 0`
			r.Dropped = append(r.Dropped, p.path)
		} else {
			r.Kept = append(r.Kept, p.path)
		}
		if _, err := s.store.db.Exec(q, s.ID, p.turn, p.path); err != nil {
			return r, fmt.Errorf("session: reconcile %s: %w", p.path, err)
		}
	}
	return r, nil
}

// writeTemp writes data to a new temporary file beside path (keeping the
// mode of the file at path, if any) and syncs it.
func writeTemp(path string, data []byte) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".undo-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), mode)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
