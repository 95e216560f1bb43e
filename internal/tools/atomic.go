package tools

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// atomicWriter writes whole files atomically. Its hook, nil in normal use,
// lets tests inject a failure between writing the temporary file and
// renaming it over the target.
type atomicWriter struct {
	beforeRename func(tmp, target string) error
}

// WriteFileAtomic replaces the file at path with data: it writes a
// temporary file in the same directory, syncs it, gives it the mode of the
// file it replaces (perm for a new file) and renames it over path, so a
// crash at any point leaves either the old content or the new. Missing
// parent directories are created.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return atomicWriter{}.write(path, data, perm)
}

func (w atomicWriter) write(path string, data []byte, perm fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("tools: create directory: %w", err)
	}
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("tools: %s: %w", path, errIsDir)
		}
		perm = st.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".atelier-*")
	if err != nil {
		return fmt.Errorf("tools: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("tools: write %s: %w", path, err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("tools: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("tools: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("tools: write %s: %w", path, err)
	}
	if w.beforeRename != nil {
		if err = w.beforeRename(tmp, path); err != nil {
			return fmt.Errorf("tools: write %s: %w", path, err)
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("tools: write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable; failures are ignored because some file
// systems cannot sync directories.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

var errIsDir = errors.New("is a directory")

// apply writes the changes in order. When one fails, the ones already
// written are restored, so the files end as they were.
func (w atomicWriter) apply(changes []FileChange) error {
	for i, c := range changes {
		var err error
		if c.After == nil {
			err = os.Remove(c.Path)
			if errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		} else {
			err = w.write(c.Path, c.After, 0o644)
		}
		if err != nil {
			if rerr := w.restore(changes[:i]); rerr != nil {
				return errors.Join(err, rerr)
			}
			return err
		}
	}
	return nil
}

// Restore undoes changes, last first: a file that existed gets its previous
// content back (atomically), a file that did not is removed. It goes on
// after a failure and returns all the failures joined.
func Restore(changes []FileChange) error {
	return atomicWriter{}.restore(changes)
}

func (w atomicWriter) restore(changes []FileChange) error {
	var errs []error
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		if !c.Existed {
			if err := os.Remove(c.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("tools: restore %s: %w", c.Path, err))
			}
			continue
		}
		before := c.Before
		if before == nil {
			before = []byte{}
		}
		if err := w.write(c.Path, before, 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
