package tools

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Limits bound what the tools return to the model. The zero value of a
// field means its default.
type Limits struct {
	// OutputBytes caps the text a tool returns (default 24 KiB).
	OutputBytes int
	// ReadLines caps the lines read returns at once (default 2000).
	ReadLines int
	// LineBytes caps one line shown by read and grep (default 2000 for read).
	LineBytes int
	// Results caps the matches of grep and the paths of glob and ls
	// (default 200 for grep and glob, 400 for ls).
	Results int
}

func (l Limits) outputBytes() int { return orDefault(l.OutputBytes, 24<<10) }
func (l Limits) readLines() int   { return orDefault(l.ReadLines, 2000) }
func (l Limits) lineBytes() int   { return orDefault(l.LineBytes, 2000) }
func (l Limits) results(def int) int {
	return orDefault(l.Results, def)
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Env is the environment the tools run in: the project root, the path
// guard, the shell's working directory and the todo list. It is safe for
// concurrent use.
type Env struct {
	// Root is the project root: absolute, symlinks evaluated.
	Root string
	// Guard resolves and checks path arguments.
	Guard *Guard
	// Limits caps tool output.
	Limits Limits
	// PassEnv names environment variables that commands get even though
	// they look like secrets (see IsSecretEnv); the others are removed from
	// the environment of every command the bash tool runs.
	PassEnv []string
	// HideEnv names more variables to remove from the commands'
	// environment, such as the one holding the model server's API key.
	HideEnv []string

	mu    sync.Mutex
	cwd   string
	todos []TodoItem
	// hidden reports paths the walking tools (grep, glob, ls) skip, set
	// from the read deny rules by SetRules.
	hidden Rules

	// files writes files; tests replace its hook to inject failures.
	files atomicWriter
}

// NewEnv returns an environment rooted at the directory root.
func NewEnv(root string) (*Env, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("tools: project root %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("tools: project root %s: %w", root, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("tools: project root %s: %w", root, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("tools: project root %s: %w", root, ErrNotDir)
	}
	return &Env{Root: real, Guard: NewGuard(real), cwd: real}, nil
}

// ErrNotDir reports a project root that is not a directory.
var ErrNotDir = errors.New("not a directory")

// Cwd returns the bash tool's working directory.
func (e *Env) Cwd() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cwd
}

// SetCwd sets the bash tool's working directory.
func (e *Env) SetCwd(dir string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cwd = dir
}

// Todos returns a copy of the todo list.
func (e *Env) Todos() []TodoItem {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]TodoItem(nil), e.todos...)
}

// SetTodos replaces the todo list (for resuming a session).
func (e *Env) SetTodos(items []TodoItem) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.todos = append([]TodoItem(nil), items...)
}

// SetRules tells the walking tools (grep, glob, ls) which paths the deny
// rules of the read tools forbid, so a search of the whole tree skips them.
func (e *Env) SetRules(r Rules) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hidden = r
}

func (e *Env) rules() Rules {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hidden
}

// rel returns path relative to the root for display, or the absolute path
// when it lies outside.
func (e *Env) rel(path string) string {
	r, err := filepath.Rel(e.Root, path)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return path
	}
	return filepath.ToSlash(r)
}

// Resolved is a path argument after resolution by the Guard.
type Resolved struct {
	// Path is absolute and clean, with symlinks evaluated as far as the
	// path exists.
	Path string
	// Outside is set when Path lies outside the project root.
	Outside bool
	// Sensitive is set when Path looks like a secret (.env, keys, …).
	Sensitive bool
}

// Guard resolves path arguments against the project root and flags paths
// outside it and files that look like secrets.
type Guard struct {
	root string
	// Sensitive lists doublestar patterns of secret files, matched against
	// the file name and against the path's trailing components
	// (".aws/credentials"). Patterns starting with "!" exempt names.
	Sensitive []string
}

// DefaultSensitive is the default list of secret-file patterns.
var DefaultSensitive = []string{
	".env", ".env.*", "!.env.example", "!.env.sample", "!.env.template", "!.env.dist",
	"*.pem", "*.key", "*.p12", "*.pfx", "*.keystore", "*.jks",
	"id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
	".netrc", "_netrc", ".git-credentials", ".npmrc", ".pypirc", ".pgpass",
	"credentials.json", "service-account*.json", "secrets.y*ml", "secrets.json",
	".aws/credentials", ".aws/config", ".ssh/*", ".gnupg/**", ".docker/config.json",
	".kube/config",
}

// NewGuard returns a guard for the given root (absolute, symlinks
// evaluated) with the default sensitive patterns.
func NewGuard(root string) *Guard {
	return &Guard{root: root, Sensitive: DefaultSensitive}
}

// Resolve resolves a path argument: "~/" is the home directory, a relative
// path is relative to the project root, and symlinks are evaluated for the
// longest part of the path that exists.
func (g *Guard) Resolve(p string) (Resolved, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return Resolved{}, errors.New("the path is empty")
	}
	if strings.ContainsRune(p, 0) {
		return Resolved{}, errors.New("the path contains a NUL byte")
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return Resolved{}, fmt.Errorf("cannot expand ~: %v", err)
		}
		p = filepath.Join(home, p[1:])
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(g.root, p)
	}
	real := evalExisting(filepath.Clean(p))
	return Resolved{Path: real, Outside: !within(g.root, real), Sensitive: g.IsSensitive(real)}, nil
}

// evalExisting evaluates the symlinks of the longest existing prefix of
// path and appends the rest.
func evalExisting(path string) string {
	rest := ""
	cur := path
	for {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return path
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether path is root or below it.
func within(root, path string) bool {
	if path == root {
		return true
	}
	if root == string(filepath.Separator) {
		return true
	}
	return strings.HasPrefix(path, root+string(filepath.Separator))
}

// IsSensitive reports whether path (absolute) looks like a secret file.
func (g *Guard) IsSensitive(path string) bool {
	parts := strings.Split(filepath.ToSlash(path), "/")
	hit := false
	for _, pat := range g.Sensitive {
		neg := strings.HasPrefix(pat, "!")
		pat = strings.TrimPrefix(pat, "!")
		n := strings.Count(pat, "/") + 1
		if strings.Contains(pat, "**") {
			n = len(parts) // let ** reach any depth
		}
		for k := 1; k <= n && k <= len(parts); k++ {
			tail := strings.Join(parts[len(parts)-k:], "/")
			if matchGlob(pat, tail) {
				hit = !neg
				break
			}
		}
	}
	return hit
}
