package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

//go:embed ls.md
var lsDoc string

// LS shows a directory as a tree.
type LS struct{}

type lsArgs struct {
	Path   string   `json:"path"`
	Ignore []string `json:"ignore"`
}

func (LS) Name() string        { return "ls" }
func (LS) Description() string { return strings.TrimSpace(lsDoc) }
func (LS) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"path":{"type":"string"},` +
		`"ignore":{"type":"array","items":{"type":"string"},"description":"Name globs to skip."}}}`)
}

func (LS) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a lsArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	return pathCall(env, KindRead, "path", orDot(a.Path))
}

type lsNode struct {
	name     string
	isDir    bool
	children []*lsNode
	read     bool // the directory's entries were read
}

// Run implements Tool.
func (LS) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a lsArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("ls: %v", err)
	}
	for _, p := range a.Ignore {
		if !doublestar.ValidatePattern(p) {
			return errorf("The ignore pattern %q is not a valid glob.", p)
		}
	}
	r, err := env.resolve("path", orDot(a.Path))
	if err != nil {
		return errorf("%v", err)
	}
	exists, isDir := statDir(r.Path)
	if !exists {
		return errorf("%s does not exist.", env.rel(r.Path))
	}
	if !isDir {
		return errorf("%s is a file, not a directory. Use read to see it.", env.rel(r.Path))
	}
	limit := env.Limits.results(400)
	w, chain, startRel := newWalker(env, "ls", r.Path)
	// Breadth first, so a capped listing shows the upper levels whole.
	type job struct {
		node  *lsNode
		abs   string
		rel   string
		chain *ignoreChain
	}
	root := &lsNode{name: env.rel(r.Path), isDir: true}
	queue := []job{{root, r.Path, startRel, chain}}
	count, more := 0, false
	for len(queue) > 0 && ctx.Err() == nil {
		j := queue[0]
		queue = queue[1:]
		if count >= limit {
			more = true
			break
		}
		items, inner, err := w.list(j.abs, j.rel, j.chain)
		if err != nil {
			continue
		}
		j.node.read = true
		for _, it := range items {
			if lsIgnored(a.Ignore, it.entry.Name()) {
				continue
			}
			if count >= limit {
				more = true
				j.node.read = false // shown partly
				break
			}
			n := &lsNode{name: it.entry.Name(), isDir: it.entry.IsDir()}
			j.node.children = append(j.node.children, n)
			count++
			if n.isDir {
				queue = append(queue, job{n, it.abs, it.rel, inner})
			}
		}
	}
	var sb strings.Builder
	name := root.name
	if name == "." {
		name = "(project root)"
	}
	sb.WriteString(name + "/\n")
	renderTree(&sb, root, "  ")
	if more {
		fmt.Fprintf(&sb, "(the listing stops at %d entries; directories marked … were not listed in full: ls them, or use glob)\n", limit)
	}
	if count == 0 {
		sb.WriteString("  (empty)\n")
	}
	return Result{Output: sb.String()}
}

func lsIgnored(pats []string, name string) bool {
	for _, p := range pats {
		if ok, _ := doublestar.Match(strings.TrimSuffix(p, "/"), name); ok {
			return true
		}
	}
	return false
}

// renderTree writes the children of n, directories first, then files,
// each sorted by name.
func renderTree(sb *strings.Builder, n *lsNode, indent string) {
	sort.Slice(n.children, func(i, j int) bool {
		a, b := n.children[i], n.children[j]
		if a.isDir != b.isDir {
			return a.isDir
		}
		return a.name < b.name
	})
	for _, c := range n.children {
		if c.isDir {
			mark := ""
			if !c.read {
				mark = " …"
			}
			sb.WriteString(indent + c.name + "/" + mark + "\n")
			renderTree(sb, c, indent+"  ")
			continue
		}
		sb.WriteString(indent + c.name + "\n")
	}
}
