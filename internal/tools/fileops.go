package tools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"unicode/utf8"
)

// resolve resolves a path argument, as a sentence for the model on failure.
func (e *Env) resolve(arg, p string) (Resolved, error) {
	r, err := e.Guard.Resolve(p)
	if err != nil {
		return r, fmt.Errorf("%s %q: %v", arg, p, err)
	}
	return r, nil
}

// pathCall is the Call of a tool that touches one path.
func pathCall(env *Env, kind Kind, arg, p string) (Call, error) {
	r, err := env.resolve(arg, p)
	if err != nil {
		return Call{}, err
	}
	return Call{Kind: kind, Paths: []string{r.Path}, Outside: r.Outside, Sensitive: r.Sensitive}, nil
}

// loadText reads a text file for editing. A missing file gives exists
// false and no error; a directory or a binary file gives a sentence.
func loadText(env *Env, path string) (content []byte, exists bool, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot open %s: %v", env.rel(path), pathErr(err))
	}
	if st.IsDir() {
		return nil, true, fmt.Errorf("%s is a directory, not a file", env.rel(path))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, true, fmt.Errorf("cannot read %s: %v", env.rel(path), pathErr(err))
	}
	if isBinary(b, true) {
		return nil, true, fmt.Errorf("%s is a binary file (%s); the tools edit text files only", env.rel(path), describeBinary(b, int64(len(b))))
	}
	return b, true, nil
}

// pathErr strips the path from an *fs.PathError, which the caller names.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isBinary reports whether a file looks binary from its first bytes: a
// NUL byte or invalid UTF-8 in the first 8000. whole tells whether b is
// the whole file; if not, a rune cut at the end of b is allowed.
func isBinary(b []byte, whole bool) bool {
	head := b[:min(len(b), 8000)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	if whole && len(head) == len(b) {
		return !utf8.Valid(head)
	}
	for i := 0; i < utf8.UTFMax && len(head) > 0; i++ {
		if utf8.Valid(head) {
			return false
		}
		head = head[:len(head)-1]
	}
	return !utf8.Valid(head)
}

func describeBinary(head []byte, size int64) string {
	typ := http.DetectContentType(head)
	typ, _, _ = strings.Cut(typ, ";")
	return fmt.Sprintf("%s, %s", typ, humanSize(size))
}

func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// numbered formats lines with their numbers, starting at first, as read
// shows them: the number right-aligned in six columns, a tab, the text.
func numbered(lines []string, first int) string {
	var sb strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&sb, "%6d\t%s\n", first+i, strings.TrimRight(l, "\r\n"))
	}
	return sb.String()
}

// countLines counts the lines of a text (a last line without "\n" counts).
func countLines(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	n := bytes.Count(b, []byte("\n"))
	if b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// planAndApply runs a planner's changes and reports them.
func planAndApply(ctx context.Context, env *Env, pl planner, args []byte, report func([]FileChange) string) Result {
	changes, err := pl.plan(env, args)
	if err != nil {
		return Result{Output: err.Error(), IsError: true}
	}
	if err := env.writeChanges(ctx, changes); err != nil {
		return errorf("The change could not be written, and the files were left as they were: %v", err)
	}
	return Result{Output: report(changes), Changes: changes}
}

// statDir reports whether path exists and is a directory.
func statDir(path string) (exists, isDir bool) {
	st, err := os.Stat(path)
	if err != nil {
		return false, false
	}
	return true, st.IsDir()
}

func readAll(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, pathErr(err))
	}
	return b, nil
}
