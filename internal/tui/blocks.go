package tui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/atelier-dev/atelier/internal/chat"
)

// painter is what blocks render with: the theme, Markdown and Chroma, and
// whether folded parts are shown.
type painter struct {
	th       *theme
	md       *markdown
	hl       *highlighter
	expanded bool
}

// block is one item of the transcript. render returns its lines at width;
// version changes whenever the block does, so its lines can be cached.
type block interface {
	render(p *painter, width int) []string
	version() int
}

// wrap breaks text into lines of at most width cells.
func wrap(text string, width int) []string {
	return strings.Split(ansi.Wrap(text, max(width, 1), ""), "\n")
}

// indent prefixes each line: first on the first line, rest on the others.
func indent(lines []string, first, rest string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if i == 0 {
			out[i] = first + l
		} else {
			out[i] = rest + l
		}
	}
	return out
}

// userBlock is a prompt the user sent.
type userBlock struct{ text string }

func (b *userBlock) version() int { return 0 }
func (b *userBlock) render(p *painter, width int) []string {
	lines := wrap(strings.TrimRight(b.text, "\n"), width-2)
	for i, l := range lines {
		lines[i] = p.th.user.Render(l)
	}
	return indent(lines, p.th.user.Render("›")+" ", "  ")
}

// answerBlock is the model's visible answer, as Markdown.
type answerBlock struct {
	doc streamDoc
	ver int
}

func (b *answerBlock) version() int { return b.ver }
func (b *answerBlock) add(s string) { b.doc.append(s); b.ver++ }
func (b *answerBlock) finish()      { b.doc.done = true; b.ver++ }
func (b *answerBlock) render(p *painter, width int) []string {
	out := b.doc.render(p.md, width-2)
	if out == "" {
		return nil
	}
	return indent(strings.Split(out, "\n"), p.th.accent.Render("●")+" ", "  ")
}

// reasoningBlock is the model's thinking: dimmed, its last lines shown while
// it streams, folded to one line once the answer starts (ctrl+o shows it).
type reasoningBlock struct {
	text string
	done bool
	ver  int
}

const reasoningTail = 4

func (b *reasoningBlock) version() int { return b.ver }
func (b *reasoningBlock) render(p *painter, width int) []string {
	lines := wrap(strings.TrimSpace(b.text), width-2)
	n := len(lines)
	head := "thinking…"
	if b.done {
		head = fmt.Sprintf("thought for %d lines", n)
	}
	out := []string{p.th.faint.Render("✻ " + head)}
	switch {
	case p.expanded:
	case b.done:
		return append(out[:1:1], p.th.faint.Render("  (ctrl+o to show)"))
	case n > reasoningTail:
		lines = lines[n-reasoningTail:]
	}
	for _, l := range lines {
		out = append(out, p.th.faint.Render("  "+l))
	}
	return out
}

// toolState is where a tool call is.
type toolState int

const (
	toolRunning toolState = iota
	toolAsking
	toolOK
	toolFailed
	toolDenied
)

// toolBlock is a tool call: a header with the tool and its main argument,
// the diff or command it was approved with, and its output folded after a
// few lines.
type toolBlock struct {
	call    chat.ToolCall
	preview string
	output  string
	state   toolState
	ver     int
}

const foldLines = 4
const foldDiff = 14

func (b *toolBlock) version() int { return b.ver }

// toolSubject is the argument that says what a call is about: the command,
// the path, the pattern.
func toolSubject(c chat.ToolCall) string {
	var args map[string]any
	if json.Unmarshal(c.Arguments, &args) != nil {
		return ""
	}
	for _, k := range []string{"command", "path", "file_path", "pattern", "query", "url"} {
		if s, ok := args[k].(string); ok && s != "" {
			if k == "pattern" {
				if dir, ok := args["path"].(string); ok && dir != "" {
					return s + " in " + dir
				}
			}
			return s
		}
	}
	if items, ok := args["todos"].([]any); ok {
		return fmt.Sprintf("%d items", len(items))
	}
	return ""
}

func (b *toolBlock) render(p *painter, width int) []string {
	th := p.th
	mark := th.dim.Render("○")
	switch b.state {
	case toolAsking:
		mark = th.warn.Render("?")
	case toolOK:
		mark = th.ok.Render("✓")
	case toolFailed:
		mark = th.bad.Render("✗")
	case toolDenied:
		mark = th.warn.Render("⊘")
	}
	subject := strings.ReplaceAll(toolSubject(b.call), "\n", " ⏎ ")
	head := mark + " " + th.bold.Render(b.call.Name)
	if subject != "" {
		head += " " + ansi.Truncate(subject, max(width-len(b.call.Name)-3, 8), "…")
	}
	out := []string{head}
	body := width - 4
	if b.preview != "" && isDiff(b.preview) {
		diff := b.preview
		if i := strings.Index(diff, "--- "); i > 0 {
			diff = diff[i:]
		}
		lines := renderDiff(th, p.hl, diff, body)
		out = append(out, fold(p, lines, foldDiff, "  │ ")...)
	}
	if text := strings.TrimRight(b.output, "\n"); text != "" {
		var lines []string
		for _, l := range strings.Split(strings.ReplaceAll(text, "\t", "    "), "\n") {
			lines = append(lines, ansi.Truncate(l, body, "…"))
		}
		st := th.dim
		if b.state == toolFailed || b.state == toolDenied {
			st = th.bad
		}
		for i := range lines {
			lines[i] = st.Render(lines[i])
		}
		n := foldLines
		if b.preview != "" && isDiff(b.preview) {
			n = 1 // the diff says it; the output only confirms
		}
		out = append(out, fold(p, lines, n, "  ⎿ ")...)
	}
	return out
}

// fold keeps the first n lines unless expanded, and says how many it hid.
func fold(p *painter, lines []string, n int, prefix string) []string {
	hidden := 0
	if !p.expanded && len(lines) > n+1 {
		hidden = len(lines) - n
		lines = lines[:n]
	}
	rest := strings.Repeat(" ", ansi.StringWidth(prefix))
	if strings.HasPrefix(prefix, "  │") {
		rest = prefix
	}
	out := indent(lines, p.th.dim.Render(prefix), p.th.dim.Render(rest))
	if hidden > 0 {
		out = append(out, p.th.faint.Render(fmt.Sprintf("%s… %d more lines (ctrl+o to expand)", rest, hidden)))
	}
	return out
}

// noticeKind is the tone of a notice.
type noticeKind int

const (
	noticeInfo noticeKind = iota
	noticeOK
	noticeWarn
	noticeError
)

// noticeBlock is a message of the interface itself (a command's answer, an
// error).
type noticeBlock struct {
	kind noticeKind
	text string
}

func (b *noticeBlock) version() int { return 0 }
func (b *noticeBlock) render(p *painter, width int) []string {
	st, mark := p.th.dim, "·"
	switch b.kind {
	case noticeOK:
		st, mark = p.th.ok, "✓"
	case noticeWarn:
		st, mark = p.th.warn, "!"
	case noticeError:
		st, mark = p.th.bad, "✗"
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
		lines = append(lines, wrap(l, width-2)...)
	}
	for i, l := range lines {
		if b.kind != noticeInfo {
			lines[i] = st.Render(l)
		}
	}
	return indent(lines, st.Render(mark)+" ", "  ")
}
