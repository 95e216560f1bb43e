package tools

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"strings"
)

// ignorePattern is one line of a .gitignore file.
type ignorePattern struct {
	segs     []string // the pattern split at "/"
	negate   bool     // "!pattern" re-includes
	dirOnly  bool     // "pattern/" matches directories only
	anchored bool     // a "/" before the end: match from the file's directory
}

// ignoreFile is the parsed .gitignore of one directory.
type ignoreFile struct {
	dir  string // the directory, relative to the walk's base, "" for the base
	pats []ignorePattern
}

// ignoreChain is the .gitignore files that apply in a directory, deepest
// first. It is immutable, so walkers share it between goroutines.
type ignoreChain struct {
	file   *ignoreFile
	parent *ignoreChain
}

func (c *ignoreChain) with(f *ignoreFile) *ignoreChain {
	if f == nil || len(f.pats) == 0 {
		return c
	}
	return &ignoreChain{file: f, parent: c}
}

// parseIgnore parses .gitignore text following git's rules: blank lines
// and "#" comments are skipped, trailing spaces are dropped unless escaped,
// "!" negates, a trailing "/" matches directories only, a "/" at the start
// or in the middle anchors the pattern to the file's directory, and "**"
// matches any number of directories.
func parseIgnore(dir string, data []byte) *ignoreFile {
	f := &ignoreFile{dir: dir}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
			line = line[:len(line)-1]
		}
		if line == "" || line[0] == '#' {
			continue
		}
		var p ignorePattern
		if line[0] == '!' {
			p.negate = true
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			p.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if strings.Contains(line, "/") {
			p.anchored = true
			line = strings.TrimLeft(line, "/")
		}
		if line == "" {
			continue
		}
		p.segs = strings.Split(line, "/")
		for i, s := range p.segs {
			// fnmatch's "[!…]" is path.Match's "[^…]".
			p.segs[i] = strings.ReplaceAll(s, "[!", "[^")
		}
		f.pats = append(f.pats, p)
	}
	return f
}

// loadIgnore reads dir/.gitignore; nil when there is none.
func loadIgnore(absDir, relDir string) *ignoreFile {
	data, err := os.ReadFile(absDir + "/.gitignore")
	if err != nil {
		return nil
	}
	return parseIgnore(relDir, data)
}

// ignored reports whether rel (relative to the walk's base, with slashes)
// is ignored. The deepest .gitignore decides first, and in a file the last
// matching pattern wins.
func (c *ignoreChain) ignored(rel string, isDir bool) bool {
	for ; c != nil; c = c.parent {
		sub := rel
		if c.file.dir != "" {
			if !strings.HasPrefix(rel, c.file.dir+"/") {
				continue
			}
			sub = rel[len(c.file.dir)+1:]
		}
		segs := strings.Split(sub, "/")
		pats := c.file.pats
		for i := len(pats) - 1; i >= 0; i-- {
			if pats[i].match(segs, isDir) {
				return !pats[i].negate
			}
		}
	}
	return false
}

func (p *ignorePattern) match(segs []string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	if !p.anchored {
		return len(p.segs) == 1 && segMatch(p.segs[0], segs[len(segs)-1])
	}
	return matchSegs(p.segs, segs)
}

func matchSegs(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		if len(pat) == 1 {
			return len(segs) >= 1 // "dir/**" matches what is inside dir
		}
		for i := 0; i <= len(segs); i++ {
			if matchSegs(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	return len(segs) > 0 && segMatch(pat[0], segs[0]) && matchSegs(pat[1:], segs[1:])
}

func segMatch(pat, name string) bool {
	if !strings.ContainsAny(pat, `*?[\`) {
		return pat == name
	}
	ok, err := path.Match(pat, name)
	return err == nil && ok
}
