package tools

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// walker lists a tree as the walking tools see it: .gitignore files (at
// every level) and the read deny rules are honoured, and version-control
// directories are skipped. Symbolic links are listed but not followed.
type walker struct {
	env  *Env
	tool string // for the deny rules
	base string // absolute; rel paths and .gitignore files are relative to it
}

// walkItem is one entry found by a walk.
type walkItem struct {
	abs   string
	rel   string // relative to the walker's base, with slashes
	entry fs.DirEntry
}

// newWalker prepares a walk of start: the .gitignore files of the project
// root and of the directories between it and start apply.
func newWalker(env *Env, tool, start string) (*walker, *ignoreChain, string) {
	w := &walker{env: env, tool: tool, base: start}
	var chain *ignoreChain
	if within(env.Root, start) {
		w.base = env.Root
		if data, err := os.ReadFile(filepath.Join(env.Root, ".git", "info", "exclude")); err == nil {
			chain = chain.with(parseIgnore("", data))
		}
		chain = chain.with(loadIgnore(env.Root, ""))
		rel := relTo(env.Root, start)
		if rel != "." {
			parts := strings.Split(rel, "/")
			for i := 1; i < len(parts); i++ {
				d := strings.Join(parts[:i], "/")
				chain = chain.with(loadIgnore(filepath.Join(env.Root, d), d))
			}
		}
	}
	startRel := relTo(w.base, start)
	if startRel == "." {
		startRel = ""
	}
	return w, chain, startRel
}

// list reads one directory and returns its entries that are not ignored,
// sorted by name, and the chain of rules inside it.
func (w *walker) list(abs, rel string, chain *ignoreChain) ([]walkItem, *ignoreChain, error) {
	ents, err := os.ReadDir(abs)
	if err != nil {
		return nil, chain, err
	}
	for _, e := range ents {
		if e.Name() == ".gitignore" && !e.IsDir() {
			chain = chain.with(loadIgnore(abs, rel))
			break
		}
	}
	hidden := w.env.rules()
	items := make([]walkItem, 0, len(ents))
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() && (name == ".git" || name == ".hg" || name == ".svn" || name == ".jj") {
			continue
		}
		r := name
		if rel != "" {
			r = rel + "/" + name
		}
		if chain.ignored(r, e.IsDir()) {
			continue
		}
		a := filepath.Join(abs, name)
		if len(hidden.Deny) > 0 {
			if _, deny := hidden.denies(Call{Tool: w.tool, Root: w.env.Root, Paths: []string{a}}); deny {
				continue
			}
		}
		items = append(items, walkItem{abs: a, rel: r, entry: e})
	}
	return items, chain, nil
}

// walk visits every entry under start in parallel; visit must be safe for
// concurrent use. It stops early when ctx is done.
func (w *walker) walk(ctx context.Context, start string, chain *ignoreChain, startRel string, visit func(walkItem)) {
	sem := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	var dir func(abs, rel string, chain *ignoreChain)
	dir = func(abs, rel string, chain *ignoreChain) {
		defer wg.Done()
		if ctx.Err() != nil {
			return
		}
		sem <- struct{}{}
		items, inner, err := w.list(abs, rel, chain)
		<-sem
		if err != nil {
			return
		}
		for _, it := range items {
			visit(it)
			if it.entry.IsDir() {
				wg.Add(1)
				go dir(it.abs, it.rel, inner)
			}
		}
	}
	wg.Add(1)
	dir(start, startRel, chain)
	wg.Wait()
}
