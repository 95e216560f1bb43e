package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/x/ansi"
)

// highlighter colours source lines with Chroma, by file name.
type highlighter struct {
	style *chroma.Style
}

func newHighlighter(style string) *highlighter {
	return &highlighter{style: chromastyles.Get(style)}
}

// line highlights one line of the file named name over the background bg
// (nil for none).
func (h *highlighter) line(name, text string, base lipgloss.Style) string {
	lexer := lexers.Match(name)
	if lexer == nil || text == "" {
		return base.Render(text)
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, text)
	if err != nil {
		return base.Render(text)
	}
	var b strings.Builder
	for _, tok := range it.Tokens() {
		st := base
		if e := h.style.Get(tok.Type); e.Colour.IsSet() {
			st = st.Foreground(lipgloss.Color(e.Colour.String()))
		}
		b.WriteString(st.Render(strings.TrimRight(tok.Value, "\n")))
	}
	return b.String()
}

// isDiff says whether text looks like a unified diff.
func isDiff(text string) bool {
	return strings.Contains(text, "\n@@ ") || strings.HasPrefix(text, "@@ ") ||
		strings.HasPrefix(text, "--- ") || strings.Contains(text, "\n--- ")
}

// renderDiff colours a unified diff to fit width: file headers bold, hunk
// headers blue, added lines green and removed lines red on tinted
// backgrounds, their code highlighted by file type. Lines wider than width
// are cut. Other lines (a summary before the diff) are dimmed.
func renderDiff(th *theme, hl *highlighter, diff string, width int) []string {
	name := ""
	var out []string
	for _, l := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		l = strings.ReplaceAll(l, "\t", "    ")
		var s string
		switch {
		case strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "):
			if strings.HasPrefix(l, "+++ ") {
				name = strings.TrimPrefix(strings.TrimPrefix(l, "+++ "), "b/")
			}
			s = th.file.Render(ansi.Truncate(l, width, "…"))
		case strings.HasPrefix(l, "@@"):
			s = th.hunk.Render(ansi.Truncate(l, width, "…"))
		case strings.HasPrefix(l, "+"):
			s = diffLine(th, hl, name, "+", l[1:], lipgloss.NewStyle().Background(th.addBG), th.add, width)
		case strings.HasPrefix(l, "-"):
			s = diffLine(th, hl, name, "-", l[1:], lipgloss.NewStyle().Background(th.delBG), th.del, width)
		case strings.HasPrefix(l, " "):
			s = " " + hl.line(name, ansi.Truncate(l[1:], width-1, "…"), lipgloss.NewStyle())
		default:
			s = th.dim.Render(ansi.Truncate(l, width, "…"))
		}
		out = append(out, s)
	}
	return out
}

func diffLine(th *theme, hl *highlighter, name, mark, text string, bg, markStyle lipgloss.Style, width int) string {
	text = ansi.Truncate(text, width-1, "…")
	pad := width - 1 - ansi.StringWidth(text)
	line := markStyle.Render(mark) + hl.line(name, text, bg)
	if pad > 0 {
		line += bg.Render(strings.Repeat(" ", pad))
	}
	return line
}
