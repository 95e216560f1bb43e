package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// View renders the screen: the transcript (or the first-run screen) on top,
// then the permission dialog, a picker or the input, and the status line.
func (m *Model) View() tea.View {
	v := tea.NewView(m.frameText())
	v.AltScreen = true
	v.WindowTitle = "atelier"
	return v
}

// frameText is the screen's text, exactly width×height cells.
func (m *Model) frameText() string {
	w, h := m.width, m.height
	var mid []string
	switch {
	case m.perm != nil:
		mid = m.perm.view(m.pt, w, max(h*2/3, 8))
	case m.picker != nil:
		mid = m.picker.view(m.th, w, max(min(h/2, 14), 4))
	default:
		mid = m.in.view(m.th, w, m.running)
	}
	if len(mid) > h-2 {
		mid = mid[len(mid)-(h-2):]
	}
	top := h - len(mid) - 1
	var body []string
	if m.firstRun && len(m.tr.blocks) == 0 {
		body = m.welcomeLines(w)
		for len(body) < top {
			body = append(body, "")
		}
		body = body[:top]
	} else {
		body = m.tr.window(m.tr.lines(m.pt, w), top)
	}
	lines := make([]string, 0, h)
	lines = append(lines, body...)
	lines = append(lines, mid...)
	lines = append(lines, m.statusLine(w))
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}
