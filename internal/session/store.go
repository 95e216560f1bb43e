// Package session saves atelier's conversations as they happen, in one
// SQLite database (pure Go, WAL mode), so that a conversation can be listed,
// resumed after a crash or on another day, and its file changes undone.
//
// A session is a sequence of entries: each finished message, in order, and
// occasional snapshots of the whole context (after a compaction or a
// /clear), from which the later messages continue. Every file a turn changes
// has its content from before the turn saved as a checkpoint, so Undo can put
// the files back as they were.
package session

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// Sentinel errors.
var (
	// ErrNotFound: no session has that id, or none exists in the project.
	ErrNotFound = errors.New("session: not found")
	// ErrNothingToUndo: no turn of the session has changed a file (or all
	// such turns were undone already).
	ErrNothingToUndo = errors.New("session: nothing to undo")
)

// DBName is the database's file name in the data directory.
const DBName = "sessions.db"

// DefaultDir returns the directory of the database: $ATELIER_DATA when set,
// else $XDG_DATA_HOME/atelier, else ~/.local/share/atelier.
func DefaultDir() (string, error) {
	if d := os.Getenv("ATELIER_DATA"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "atelier"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("session: no data directory: set ATELIER_DATA or XDG_DATA_HOME: %w", err)
	}
	return filepath.Join(home, ".local", "share", "atelier"), nil
}

// Store is the database of all sessions. It is safe for concurrent use, and
// several processes may share one database.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

const schema = `
CREATE TABLE IF NOT EXISTS sessions (
	id      TEXT PRIMARY KEY,
	project TEXT NOT NULL,
	model   TEXT NOT NULL DEFAULT '',
	title   TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_project ON sessions(project, updated);
CREATE TABLE IF NOT EXISTS entries (
	session TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	turn    INTEGER NOT NULL,
	kind    TEXT NOT NULL,
	body    TEXT NOT NULL,
	PRIMARY KEY (session, seq)
);
CREATE TABLE IF NOT EXISTS checkpoints (
	session TEXT NOT NULL,
	turn    INTEGER NOT NULL,
	path    TEXT NOT NULL,
	existed INTEGER NOT NULL,
	before  BLOB,
	done    INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (session, turn, path)
);
`

// Open opens (creating when needed) the database in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	path := filepath.Join(dir, DBName)
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("session: open %s: %w", path, err)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("session: open %s: %w", path, err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("session: open %s: %w", path, err)
	}
	return &Store{db: db, now: time.Now}, nil
}

// migrate brings a database made by an earlier version up to the schema:
// checkpoints gained the done column (write-ahead records are not done until
// the write is).
func migrate(db *sql.DB) error {
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info('checkpoints') WHERE name = 'done'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if _, err := db.Exec(`ALTER TABLE checkpoints ADD COLUMN done INTEGER NOT NULL DEFAULT 1`); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	return nil
}

// Info describes a session for a listing.
type Info struct {
	ID      string
	Project string
	Model   string
	// Title is the first line of the first prompt.
	Title            string
	Created, Updated time.Time
	// Messages counts the saved messages.
	Messages int
}

func newID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102-150405-") + hex.EncodeToString(b[:])
}

// Create starts a new session for the project directory (made absolute).
func (s *Store) Create(project, model string) (*Session, error) {
	abs, err := filepath.Abs(project)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	now := s.now()
	id := newID(now)
	_, err = s.db.Exec(`INSERT INTO sessions(id, project, model, created, updated) VALUES(?, ?, ?, ?, ?)`,
		id, abs, model, now.UnixNano(), now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("session: create: %w", err)
	}
	return &Session{store: s, ID: id, Project: abs}, nil
}

// Get returns the session with the given id.
func (s *Store) Get(id string) (*Session, error) {
	var project string
	err := s.db.QueryRow(`SELECT project FROM sessions WHERE id = ?`, id).Scan(&project)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no session %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return &Session{store: s, ID: id, Project: project}, nil
}

// Latest returns the most recently updated session of the project.
func (s *Store) Latest(project string) (*Session, error) {
	abs, err := filepath.Abs(project)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	var id string
	err = s.db.QueryRow(`SELECT id FROM sessions WHERE project = ? ORDER BY updated DESC, rowid DESC LIMIT 1`, abs).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no session in %s", ErrNotFound, abs)
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return &Session{store: s, ID: id, Project: abs}, nil
}

// List returns the sessions of a project ("" for all), newest first.
func (s *Store) List(project string) ([]Info, error) {
	q := `SELECT s.id, s.project, s.model, s.title, s.created, s.updated,
		(SELECT count(*) FROM entries e WHERE e.session = s.id AND e.kind = 'message')
		FROM sessions s`
	var args []any
	if project != "" {
		abs, err := filepath.Abs(project)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		q += ` WHERE s.project = ?`
		args = append(args, abs)
	}
	q += ` ORDER BY s.updated DESC, s.rowid DESC`
	rows, err := s.db.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	defer rows.Close()
	var out []Info
	for rows.Next() {
		var in Info
		var created, updated int64
		if err := rows.Scan(&in.ID, &in.Project, &in.Model, &in.Title, &created, &updated, &in.Messages); err != nil {
			return nil, fmt.Errorf("session: list: %w", err)
		}
		in.Created, in.Updated = time.Unix(0, created), time.Unix(0, updated)
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	return out, nil
}
