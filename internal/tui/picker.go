package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// pickItem is one choice of a picker.
type pickItem struct {
	label, detail string
	// value is what the choice stands for (a model name, a session id).
	value string
	// remote marks a model that must be downloaded first.
	remote bool
}

// picker is a list to choose from, filtered by typing (the /model and
// /resume choosers).
type picker struct {
	title  string
	items  []pickItem
	filter string
	sel    int
	pick   func(pickItem) tea.Cmd
}

// pickerMsg opens a picker.
type pickerMsg struct{ p *picker }

func (p *picker) visible() []pickItem {
	if p.filter == "" {
		return p.items
	}
	var out []pickItem
	f := strings.ToLower(p.filter)
	for _, it := range p.items {
		if strings.Contains(strings.ToLower(it.label+" "+it.detail), f) {
			out = append(out, it)
		}
	}
	return out
}

// key handles a key; done says the picker closes, with cmd the choice's
// action.
func (p *picker) key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	vis := p.visible()
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "up", "ctrl+p":
		if p.sel > 0 {
			p.sel--
		}
	case "down", "ctrl+n":
		if p.sel < len(vis)-1 {
			p.sel++
		}
	case "enter":
		if len(vis) == 0 {
			return false, nil
		}
		return true, p.pick(vis[p.sel])
	case "backspace":
		if p.filter != "" {
			p.filter = p.filter[:len(p.filter)-1]
			p.sel = 0
		}
	default:
		if msg.Text != "" {
			p.filter += msg.Text
			p.sel = 0
		}
	}
	return false, nil
}

// view renders the picker in at most height lines.
func (p *picker) view(th *theme, width, height int) []string {
	out := []string{th.rule.Render(strings.Repeat("─", width))}
	head := th.bold.Render(p.title)
	if p.filter != "" {
		head += th.dim.Render("  filter: ") + p.filter
	} else {
		head += th.dim.Render("  (type to filter · enter to choose · esc to cancel)")
	}
	out = append(out, ansi.Truncate(head, width, "…"))
	vis := p.visible()
	rows := max(height-2, 1)
	start := 0
	if p.sel >= rows {
		start = p.sel - rows + 1
	}
	if len(vis) == 0 {
		out = append(out, th.dim.Render("  nothing matches"))
	}
	for i := start; i < len(vis) && i < start+rows; i++ {
		it := vis[i]
		label := ansi.Truncate(it.label, max(width/2, 10), "…")
		line := "  " + label
		detail := ansi.Truncate(it.detail, max(width-ansi.StringWidth(line)-2, 0), "…")
		if i == p.sel {
			line = th.selected.Render("› "+label) + "  " + detail
		} else {
			line += "  " + th.dim.Render(detail)
		}
		out = append(out, line)
	}
	return out
}
