package models

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// ErrNotInstalled is returned when a model name matches nothing installed.
var ErrNotInstalled = errors.New("model not installed")

// Store is the folder that holds downloaded models, laid out as
// DIR/ORG/REPO/FILE.gguf after the repository each came from.
type Store struct {
	Dir string
}

// DefaultDir returns the models folder: $ATELIER_MODELS when set, else the
// platform's per-user data folder ($XDG_DATA_HOME/atelier/models or
// ~/.local/share/atelier/models on Linux and other Unixes, ~/Library/
// Application Support/atelier/models on macOS, %LocalAppData%\atelier\models
// on Windows).
func DefaultDir() (string, error) {
	if d := os.Getenv("ATELIER_MODELS"); d != "" {
		return filepath.Abs(d)
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LocalAppData")
		if base == "" {
			d, err := os.UserConfigDir()
			if err != nil {
				return "", fmt.Errorf("models: no folder for models: %w (set ATELIER_MODELS)", err)
			}
			base = d
		}
	case "darwin", "ios":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("models: no folder for models: %w (set ATELIER_MODELS)", err)
		}
		base = filepath.Join(home, "Library", "Application Support")
	default:
		base = os.Getenv("XDG_DATA_HOME")
		if base == "" || !filepath.IsAbs(base) {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("models: no folder for models: %w (set ATELIER_MODELS)", err)
			}
			base = filepath.Join(home, ".local", "share")
		}
	}
	return filepath.Join(base, "atelier", "models"), nil
}

// DefaultStore returns the store in DefaultDir.
func DefaultStore() (*Store, error) {
	d, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	return &Store{Dir: d}, nil
}

// Path returns where the file of a repository is kept.
func (s *Store) Path(repo, file string) string {
	return filepath.Join(s.Dir, filepath.FromSlash(repo), filepath.FromSlash(file))
}

// Entry is one installed model file.
type Entry struct {
	Name    string // the name to use it by: a catalog tag or hf.co/ORG/REPO/FILE
	Path    string
	Repo    string // "" for a file that was put in the folder by hand
	File    string
	Size    int64
	ModTime time.Time // when the file was installed
}

// List returns the installed model files, sorted by name. A missing models
// folder is an empty list.
func (s *Store) List() ([]Entry, error) {
	var out []Entry
	err := filepath.WalkDir(s.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == s.Dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".gguf") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		out = append(out, s.entry(p, info))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("models: listing %s: %w", s.Dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *Store) entry(p string, info fs.FileInfo) Entry {
	e := Entry{Path: p, Size: info.Size(), ModTime: info.ModTime()}
	e.Name, e.Repo, e.File = s.describe(p)
	return e
}

// describe names a file of the store: its catalog tag, or hf.co/ORG/REPO/FILE
// for other hub files, or its path in the folder for files put there by hand.
func (s *Store) describe(p string) (name, repo, file string) {
	rel, err := filepath.Rel(s.Dir, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return p, "", ""
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if len(parts) < 3 {
		return filepath.ToSlash(rel), "", filepath.ToSlash(rel)
	}
	repo, file = parts[0]+"/"+parts[1], strings.Join(parts[2:], "/")
	if m, f, ok := byRepoFile(repo, file); ok {
		return Ref{Repo: m.Repo, File: f.Name, Quant: f.Quant, Catalog: &m}.String(), repo, file
	}
	return "hf.co/" + repo + "/" + file, repo, file
}

// Resolve turns what a user typed into the path of a model file: a path to
// an existing file wins; then installed models by catalog name
// ("qwen2.5-coder:1.5b", "qwen2.5-coder:1.5b-q8_0"), by hf.co/ORG/REPO:QUANT
// or hf.co/ORG/REPO/FILE.gguf, or by the name `atelier models` shows.
func (s *Store) Resolve(nameOrPath string) (string, error) {
	if fi, err := os.Stat(nameOrPath); err == nil && fi.Mode().IsRegular() {
		return filepath.Abs(nameOrPath)
	}
	e, err := s.find(nameOrPath)
	if err != nil {
		return "", err
	}
	return e.Path, nil
}

// find looks nameOrPath up among installed models.
func (s *Store) find(name string) (Entry, error) {
	installed, err := s.List()
	if err != nil {
		return Entry{}, err
	}
	for _, e := range installed {
		if e.Name == name {
			return e, nil
		}
	}
	ref, err := ParseRef(name)
	if err != nil {
		if strings.ContainsAny(name, `/\`) || strings.HasSuffix(strings.ToLower(name), ".gguf") {
			return Entry{}, fmt.Errorf("models: there is no file %s and no installed model of that name: %w", name, ErrNotInstalled)
		}
		return Entry{}, fmt.Errorf("%w (%w)", err, ErrNotInstalled)
	}
	var candidates []Entry
	for _, e := range installed {
		if !strings.EqualFold(e.Repo, ref.Repo) {
			continue
		}
		switch {
		case ref.File != "" && strings.EqualFold(e.File, ref.File):
			return e, nil
		case ref.File == "" && fileMatchesQuant(e.File, ref.Quant):
			candidates = append(candidates, e)
		case ref.Catalog != nil && strings.EqualFold(strings.TrimSpace(name), ref.Catalog.Name):
			// A bare catalog name accepts any installed quantization when
			// the default one is not there.
			if _, ok := ref.Catalog.File(quantOfName(e.File)); ok {
				candidates = append(candidates, e)
			}
		}
	}
	if len(candidates) > 0 {
		return candidates[0], nil
	}
	return Entry{}, fmt.Errorf("models: %s is not installed; run `atelier pull %s` first: %w", name, ref, ErrNotInstalled)
}

// Remove deletes an installed model (and any partial download of it) by the
// name `atelier models` shows or any name Resolve accepts; it never deletes
// a file outside the models folder. It returns the path removed.
func (s *Store) Remove(name string) (string, error) {
	e, err := s.find(name)
	if err != nil {
		if p, ok := s.partialOf(name); ok {
			removePartial(p)
			s.prune(filepath.Dir(p))
			return p + partialSuffix, nil
		}
		return "", err
	}
	if err := os.Remove(e.Path); err != nil {
		return "", fmt.Errorf("models: removing %s: %w", e.Name, err)
	}
	removePartial(e.Path)
	s.prune(filepath.Dir(e.Path))
	return e.Path, nil
}

// partialOf finds an unfinished download for a reference.
func (s *Store) partialOf(name string) (string, bool) {
	ref, err := ParseRef(name)
	if err != nil || ref.File == "" {
		return "", false
	}
	p := s.Path(ref.Repo, ref.File)
	if _, err := os.Stat(p + partialSuffix); err == nil {
		return p, true
	}
	return "", false
}

// prune removes empty folders from dir up to (not including) the store.
func (s *Store) prune(dir string) {
	root := filepath.Clean(s.Dir)
	for d := filepath.Clean(dir); d != root && strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			return
		}
	}
}

// Resolve resolves a model name or path against the default store; see
// Store.Resolve. The agent and `atelier run` use it.
func Resolve(nameOrPath string) (string, error) {
	if fi, err := os.Stat(nameOrPath); err == nil && fi.Mode().IsRegular() {
		return filepath.Abs(nameOrPath)
	}
	s, err := DefaultStore()
	if err != nil {
		return "", err
	}
	return s.Resolve(nameOrPath)
}
