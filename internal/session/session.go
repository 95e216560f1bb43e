package session

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Session is one conversation in a Store. Its methods record the
// conversation as it goes; each write is its own transaction, durable when
// the method returns.
type Session struct {
	store *Store
	// ID names the session (for --resume).
	ID string
	// Project is the absolute directory the session works in.
	Project string
}

// Entry kinds.
const (
	kindMessage  = "message"
	kindSnapshot = "snapshot"
)

func (s *Session) add(turn int, kind string, body []byte, title string) error {
	tx, err := s.store.db.Begin()
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	defer tx.Rollback()
	var seq int64
	if err := tx.QueryRow(`SELECT coalesce(max(seq), 0) + 1 FROM entries WHERE session = ?`, s.ID).Scan(&seq); err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO entries(session, seq, turn, kind, body) VALUES(?, ?, ?, ?, ?)`,
		s.ID, seq, turn, kind, string(body)); err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	if _, err := tx.Exec(`UPDATE sessions SET updated = max(updated + 1, ?),
		title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?`,
		s.store.now().UnixNano(), title, s.ID); err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	return nil
}

// Append saves one finished message of the given user turn.
func (s *Session) Append(turn int, m chat.Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	title := ""
	if m.Role == chat.RoleUser {
		title, _, _ = strings.Cut(strings.TrimSpace(m.Content), "\n")
		if len(title) > 80 {
			title = title[:80]
		}
	}
	return s.add(turn, kindMessage, b, title)
}

// Replace saves a whole new context: Load returns it followed by the
// messages appended after it.
func (s *Session) Replace(msgs []chat.Message) error {
	if msgs == nil {
		msgs = []chat.Message{}
	}
	b, err := json.Marshal(msgs)
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	return s.add(0, kindSnapshot, b, "")
}

// Load returns the session's current context (the last snapshot and the
// messages after it) and the number of its last user turn.
func (s *Session) Load() (msgs []chat.Message, turn int, err error) {
	db := s.store.db
	var snapSeq int64
	var body sql.NullString
	err = db.QueryRow(`SELECT seq, body FROM entries WHERE session = ? AND kind = ? ORDER BY seq DESC LIMIT 1`,
		s.ID, kindSnapshot).Scan(&snapSeq, &body)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("session: load %s: %w", s.ID, err)
	}
	if body.Valid {
		if err := json.Unmarshal([]byte(body.String), &msgs); err != nil {
			return nil, 0, fmt.Errorf("session: load %s: snapshot %d: %w", s.ID, snapSeq, err)
		}
	}
	if err := db.QueryRow(`SELECT coalesce(max(turn), 0) FROM entries WHERE session = ?`, s.ID).Scan(&turn); err != nil {
		return nil, 0, fmt.Errorf("session: load %s: %w", s.ID, err)
	}
	rows, err := db.Query(`SELECT seq, body FROM entries WHERE session = ? AND kind = ? AND seq > ? ORDER BY seq`,
		s.ID, kindMessage, snapSeq)
	if err != nil {
		return nil, 0, fmt.Errorf("session: load %s: %w", s.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var b string
		if err := rows.Scan(&seq, &b); err != nil {
			return nil, 0, fmt.Errorf("session: load %s: %w", s.ID, err)
		}
		var m chat.Message
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			return nil, 0, fmt.Errorf("session: load %s: message %d: %w", s.ID, seq, err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("session: load %s: %w", s.ID, err)
	}
	return msgs, turn, nil
}
