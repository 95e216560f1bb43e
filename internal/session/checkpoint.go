package session

import (
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

// Checkpoint saves what the changed files held before the turn. Only the
// first change of a path in a turn counts: undoing the turn restores the
// content from before the turn's first change.
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
