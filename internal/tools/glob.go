package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmatcuk/doublestar/v4"
)

//go:embed glob.md
var globDoc string

// Glob finds files by name pattern, newest first.
type Glob struct{}

type globArgs struct {
	Pattern string `json:"pattern"`
	Path    string `json:"path"`
}

func (Glob) Name() string        { return "glob" }
func (Glob) Description() string { return strings.TrimSpace(globDoc) }
func (Glob) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"pattern":{"type":"string"},` +
		`"path":{"type":"string","description":"Base directory."}},` +
		`"required":["pattern"]}`)
}

func (Glob) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a globArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	base, _ := splitGlob(a)
	return pathCall(env, KindRead, "path", base)
}

// splitGlob separates an absolute pattern's fixed directory from its
// pattern part.
func splitGlob(a globArgs) (base, pattern string) {
	pattern = filepath.ToSlash(strings.TrimSpace(a.Pattern))
	base = orDot(a.Path)
	if strings.HasPrefix(pattern, "/") {
		b, p := doublestar.SplitPattern(pattern)
		return b, p
	}
	return base, strings.TrimPrefix(pattern, "./")
}

type globHit struct {
	rel   string
	mtime time.Time
}

// Run implements Tool.
func (Glob) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a globArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("glob: %v", err)
	}
	baseArg, pattern := splitGlob(a)
	if pattern == "" {
		return errorf("pattern is empty; give a glob such as **/*.go.")
	}
	if !doublestar.ValidatePattern(pattern) {
		return errorf("The pattern %q is not a valid glob. Use * for any characters in a name, ** for any directories, {a,b} for alternatives.", pattern)
	}
	r, err := env.resolve("path", baseArg)
	if err != nil {
		return errorf("%v", err)
	}
	if exists, isDir := statDir(r.Path); !exists || !isDir {
		return errorf("%s is not a directory. Give path as a directory, or leave it out to search the whole project.", env.rel(r.Path))
	}
	hits := globFiles(ctx, env, r.Path, pattern)
	note := ""
	if len(hits) == 0 && !strings.Contains(pattern, "/") {
		hits = globFiles(ctx, env, r.Path, "**/"+pattern)
		if len(hits) > 0 {
			note = fmt.Sprintf("(no file matched %q at the top level, so these match **/%s, at any depth)\n", pattern, pattern)
		}
	}
	if ctx.Err() != nil {
		return errorf("glob was cancelled.")
	}
	if len(hits) == 0 {
		return Result{Output: "No files match."}
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].mtime.Equal(hits[j].mtime) {
			return hits[i].mtime.After(hits[j].mtime)
		}
		return hits[i].rel < hits[j].rel
	})
	limit := env.Limits.results(200)
	var sb strings.Builder
	sb.WriteString(note)
	shown := 0
	for _, h := range hits {
		if shown >= limit || sb.Len()+len(h.rel)+1 > env.Limits.outputBytes() {
			break
		}
		sb.WriteString(h.rel + "\n")
		shown++
	}
	if shown < len(hits) {
		fmt.Fprintf(&sb, "(%d more files not shown; use a narrower pattern or path)\n", len(hits)-shown)
	}
	return Result{Output: sb.String()}
}

// globFiles walks base and returns the files whose path below base
// matches pattern.
func globFiles(ctx context.Context, env *Env, base, pattern string) []globHit {
	w, chain, startRel := newWalker(env, "glob", base)
	var mu sync.Mutex
	var hits []globHit
	w.walk(ctx, base, chain, startRel, func(it walkItem) {
		if it.entry.IsDir() {
			return
		}
		if ok, _ := doublestar.Match(pattern, relTo(base, it.abs)); !ok {
			return
		}
		var mt time.Time
		if info, err := it.entry.Info(); err == nil {
			mt = info.ModTime()
		}
		mu.Lock()
		hits = append(hits, globHit{rel: env.rel(it.abs), mtime: mt})
		mu.Unlock()
	})
	return hits
}
