package tui

import (
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
	"github.com/charmbracelet/x/ansi"
)

// markdown renders Markdown for the terminal at one width, with Glamour
// (code blocks are highlighted by Chroma). Renderers are made once per
// width and style.
type markdown struct {
	style     string
	renderers map[int]*glamour.TermRenderer
}

func newMarkdown(style string) *markdown {
	return &markdown{style: style, renderers: map[int]*glamour.TermRenderer{}}
}

func (md *markdown) renderer(width int) *glamour.TermRenderer {
	if r, ok := md.renderers[width]; ok {
		return r
	}
	cfg := styles.DarkStyleConfig
	if md.style == "light" {
		cfg = styles.LightStyleConfig
	}
	zero := uint(0)
	cfg.Document.Margin = &zero
	cfg.Document.BlockPrefix, cfg.Document.BlockSuffix = "", ""
	cfg.CodeBlock.Margin = &zero
	r, err := glamour.NewTermRenderer(glamour.WithStyles(cfg), glamour.WithWordWrap(max(width, 10)))
	if err != nil {
		panic("tui: markdown renderer: " + err.Error()) // the options are fixed
	}
	md.renderers[width] = r
	return r
}

// render renders a complete piece of Markdown; blank lines at its ends are
// dropped. If Glamour fails, the text is shown as it is.
func (md *markdown) render(text string, width int) string {
	out, err := md.renderer(width).Render(text)
	if err != nil {
		return text
	}
	return trimBlankLines(strings.ReplaceAll(out, "\t", "    "))
}

func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	for len(lines) > 0 && isBlank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func isBlank(line string) bool {
	return strings.TrimSpace(ansi.Strip(line)) == ""
}

// streamDoc is a Markdown answer that grows as it streams. The text is cut
// at the last paragraph break outside a code fence: the part before it is
// rendered once and kept, and only the open tail is rendered again as
// deltas arrive, so a long answer costs no more per delta than its last
// paragraph. When the answer is complete it is rendered whole once (a list
// or table split at a blank line may then join up).
type streamDoc struct {
	text string
	done bool

	// scanned is how much of text the fence scan has read (whole lines);
	// inFence says whether it ends inside a code fence; cut is the last
	// paragraph break outside a fence.
	scanned int
	inFence bool
	fence   string
	cut     int

	// The cache: stable is text[:stableAt] rendered at stableWidth.
	stable      []string
	stableAt    int
	stableWidth int
	whole       string // the complete render, once done
	wholeWidth  int
}

func (d *streamDoc) append(s string) {
	d.text += s
	d.scan()
}

// scan reads the new complete lines, tracking code fences and recording
// paragraph breaks.
func (d *streamDoc) scan() {
	for {
		nl := strings.IndexByte(d.text[d.scanned:], '\n')
		if nl < 0 {
			return
		}
		line := d.text[d.scanned : d.scanned+nl]
		d.scanned += nl + 1
		t := strings.TrimSpace(line)
		switch {
		case d.inFence:
			if strings.HasPrefix(t, d.fence) && strings.TrimLeft(t, d.fence[:1]) == "" {
				d.inFence = false
			}
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			d.inFence = true
			d.fence = t[:3]
		case t == "":
			d.cut = d.scanned
		}
	}
}

// render returns the answer rendered at width.
func (d *streamDoc) render(md *markdown, width int) string {
	if d.done {
		if d.wholeWidth != width || d.whole == "" && d.text != "" {
			d.whole = md.render(d.text, width)
			d.wholeWidth = width
		}
		return d.whole
	}
	if d.stableWidth != width {
		d.stable, d.stableAt, d.stableWidth = nil, 0, width
	}
	if d.cut > d.stableAt {
		if chunk := strings.TrimSpace(d.text[d.stableAt:d.cut]); chunk != "" {
			d.stable = append(d.stable, md.render(chunk, width))
		}
		d.stableAt = d.cut
	}
	parts := append([]string(nil), d.stable...)
	tail := d.text[d.stableAt:]
	if d.inFence {
		// Close the open fence so the code shows as code while it streams.
		tail += "\n" + d.fence
	}
	if strings.TrimSpace(tail) != "" {
		parts = append(parts, md.render(tail, width))
	}
	return strings.Join(parts, "\n\n")
}
