package tools

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
)

//go:embed grep.md
var grepDoc string

// Grep searches file contents with a regular expression.
type Grep struct{}

type grepArgs struct {
	Pattern    string `json:"pattern"`
	Path       string `json:"path"`
	Glob       string `json:"glob"`
	IgnoreCase bool   `json:"ignore_case"`
	Literal    bool   `json:"literal"`
	OutputMode string `json:"output_mode"`
}

// grepMaxFileSize skips files larger than this (generated data, logs).
const grepMaxFileSize = 16 << 20

// grepLineBytes cuts long matching lines (minified code).
const grepLineBytes = 300

func (Grep) Name() string        { return "grep" }
func (Grep) Description() string { return strings.TrimSpace(grepDoc) }
func (Grep) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"pattern":{"type":"string"},` +
		`"path":{"type":"string"},` +
		`"glob":{"type":"string","description":"File name filter."},` +
		`"ignore_case":{"type":"boolean"},` +
		`"literal":{"type":"boolean","description":"Pattern is plain text."},` +
		`"output_mode":{"type":"string","enum":["content","files_with_matches","count"]}},` +
		`"required":["pattern"]}`)
}

func (Grep) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a grepArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	return pathCall(env, KindRead, "path", orDot(a.Path))
}

func orDot(p string) string {
	if strings.TrimSpace(p) == "" {
		return "."
	}
	return p
}

type grepHit struct {
	line int
	text string
}

type grepFile struct {
	rel   string
	count int
	hits  []grepHit // nil once dropped to bound memory
}

// grepState gathers results from the search workers.
type grepState struct {
	mu        sync.Mutex
	files     []*grepFile
	kept      int // hit lines held in files
	keepMax   int
	binary    int
	large     int
	sensitive int
}

func (s *grepState) add(f *grepFile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files = append(s.files, f)
	s.kept += len(f.hits)
	if s.kept > 4*s.keepMax {
		s.trim()
	}
}

// trim keeps hit lines only for the first files by path, enough to fill
// the output; the others keep their counts.
func (s *grepState) trim() {
	sort.Slice(s.files, func(i, j int) bool { return s.files[i].rel < s.files[j].rel })
	s.kept = 0
	for _, f := range s.files {
		if s.kept >= s.keepMax {
			f.hits = nil
			continue
		}
		s.kept += len(f.hits)
	}
}

// Run implements Tool.
func (Grep) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a grepArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("grep: %v", err)
	}
	if a.Pattern == "" {
		return errorf("pattern is empty; give the text or regular expression to search for.")
	}
	expr := a.Pattern
	if a.Literal {
		expr = regexp.QuoteMeta(expr)
	}
	if a.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return errorf("The pattern is not a valid Go regular expression: %v. Escape special characters such as ( ) [ ] { } . * + ? | with a backslash, or set literal to true to search for plain text.", err)
	}
	if a.Glob != "" && !doublestar.ValidatePattern(a.Glob) {
		return errorf("The glob %q is not valid.", a.Glob)
	}
	r, err := env.resolve("path", orDot(a.Path))
	if err != nil {
		return errorf("%v", err)
	}
	st, err := os.Stat(r.Path)
	if err != nil {
		return errorf("%s does not exist. Use glob or ls to find the right path.", env.rel(r.Path))
	}
	limit := env.Limits.results(200)
	state := &grepState{keepMax: limit}
	search := func(abs, rel string, explicit bool) {
		if !explicit && env.Guard.IsSensitive(abs) {
			state.mu.Lock()
			state.sensitive++
			state.mu.Unlock()
			return
		}
		f := grepOne(re, abs, rel, limit, a.OutputMode, state)
		if f != nil {
			state.add(f)
		}
	}
	if !st.IsDir() {
		search(r.Path, env.rel(r.Path), true)
	} else {
		w, chain, startRel := newWalker(env, "grep", r.Path)
		paths := make(chan walkItem, 256)
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it := range paths {
					if ctx.Err() == nil {
						search(it.abs, env.rel(it.abs), false)
					}
				}
			}()
		}
		w.walk(ctx, r.Path, chain, startRel, func(it walkItem) {
			if !it.entry.Type().IsRegular() {
				return
			}
			if a.Glob != "" && !globMatchFile(a.Glob, relTo(r.Path, it.abs)) {
				return
			}
			paths <- it
		})
		close(paths)
		wg.Wait()
	}
	if ctx.Err() != nil {
		return errorf("grep was cancelled.")
	}
	return Result{Output: formatGrep(state, a.OutputMode, limit, env.Limits.outputBytes())}
}

// globMatchFile matches a file filter: a pattern without "/" matches the
// file name at any depth, others the path below the search directory.
func globMatchFile(pat, rel string) bool {
	if !strings.Contains(pat, "/") {
		i := strings.LastIndexByte(rel, '/')
		ok, _ := doublestar.Match(pat, rel[i+1:])
		return ok
	}
	ok, _ := doublestar.Match(pat, rel)
	return ok
}

// grepOne searches one file; nil when nothing matches.
func grepOne(re *regexp.Regexp, abs, rel string, limit int, mode string, state *grepState) *grepFile {
	fh, err := os.Open(abs)
	if err != nil {
		return nil
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	if st.Size() > grepMaxFileSize {
		state.mu.Lock()
		state.large++
		state.mu.Unlock()
		return nil
	}
	data := make([]byte, st.Size())
	n, _ := io.ReadFull(fh, data)
	data = data[:n]
	if len(data) == 0 {
		return nil
	}
	if isBinary(data, true) {
		state.mu.Lock()
		state.binary++
		state.mu.Unlock()
		return nil
	}
	if !re.Match(data) {
		return nil
	}
	// Jump from match to match over the whole text rather than running the
	// expression on every line; each hit's line is then checked alone, as
	// a match must lie within one line.
	f := &grepFile{rel: rel}
	line, counted := 1, 0 // line number of offset counted
	for pos := 0; pos < len(data); {
		loc := re.FindIndex(data[pos:])
		if loc == nil {
			break
		}
		at := pos + loc[0]
		start := bytes.LastIndexByte(data[:at], '\n') + 1
		end := len(data)
		if i := bytes.IndexByte(data[at:], '\n'); i >= 0 {
			end = at + i
		}
		l := bytes.TrimSuffix(data[start:end], []byte("\r"))
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		if re.Match(l) {
			f.count++
			if (mode == "" || mode == "content") && len(f.hits) < limit {
				text := string(l)
				if len(text) > grepLineBytes {
					text = truncateUTF8(text, grepLineBytes) + " …"
				}
				f.hits = append(f.hits, grepHit{line: line, text: text})
			}
		}
		pos = end + 1
	}
	if f.count == 0 {
		return nil // the match spanned lines
	}
	return f
}

func formatGrep(s *grepState, mode string, limit, outCap int) string {
	s.trim()
	var skipped []string
	if s.binary > 0 {
		skipped = append(skipped, fmt.Sprintf("%d binary", s.binary))
	}
	if s.large > 0 {
		skipped = append(skipped, fmt.Sprintf("%d larger than %s", s.large, humanSize(grepMaxFileSize)))
	}
	if s.sensitive > 0 {
		skipped = append(skipped, fmt.Sprintf("%d that may hold secrets (read them by name if you must)", s.sensitive))
	}
	note := ""
	if len(skipped) > 0 {
		note = "(skipped files: " + strings.Join(skipped, ", ") + ")\n"
	}
	if len(s.files) == 0 {
		return "No matches.\n" + note
	}
	total := 0
	for _, f := range s.files {
		total += f.count
	}
	var sb strings.Builder
	shownLines, shownFiles := 0, 0
	if mode == "" || mode == "content" {
	files:
		for _, f := range s.files {
			for _, h := range f.hits {
				entry := fmt.Sprintf("%s:%d: %s\n", f.rel, h.line, h.text)
				if shownLines >= limit || sb.Len()+len(entry) > outCap {
					break files
				}
				sb.WriteString(entry)
				shownLines++
			}
		}
		if shownLines < total {
			fmt.Fprintf(&sb, "(showing %d of %d matching lines in %d files; narrow the search with path or glob, or use output_mode files_with_matches)\n", shownLines, total, len(s.files))
		} else {
			fmt.Fprintf(&sb, "(%d matching lines in %d files)\n", total, len(s.files))
		}
		return sb.String() + note
	}
	for _, f := range s.files {
		entry := f.rel + "\n"
		if mode == "count" {
			entry = fmt.Sprintf("%s: %d\n", f.rel, f.count)
		}
		if shownFiles >= limit || sb.Len()+len(entry) > outCap {
			break
		}
		sb.WriteString(entry)
		shownFiles++
	}
	if shownFiles < len(s.files) {
		fmt.Fprintf(&sb, "(%d more files not shown; narrow the search with path or glob)\n", len(s.files)-shownFiles)
	}
	return sb.String() + note
}
