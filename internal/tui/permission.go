package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/atelier-dev/atelier/internal/agent"
)

// permDialog asks whether a tool call may run, with its diff or command in
// view: y yes, n no, a always for this tool in this session, p always for
// this command prefix. up/down scroll a long preview.
type permDialog struct {
	req    agent.PermissionRequest
	scroll int
}

// answer gives the answer from a command (it wakes the agent's goroutine).
func answer(req agent.PermissionRequest, a agent.Answer) tea.Cmd {
	return func() tea.Msg {
		req.Answer(a)
		return nil
	}
}

// key maps a key to an answer; ok is false for other keys.
func (d *permDialog) key(msg tea.KeyPressMsg) (agent.Answer, bool) {
	switch msg.String() {
	case "y", "Y", "enter":
		return agent.Yes, true
	case "n", "N":
		return agent.No, true
	case "a", "A":
		return agent.AlwaysTool, true
	case "p", "P":
		if d.req.Prefix != "" {
			return agent.AlwaysPrefix, true
		}
	case "up", "k":
		d.scroll = max(d.scroll-1, 0)
	case "down", "j":
		d.scroll++
	case "pgup":
		d.scroll = max(d.scroll-10, 0)
	case "pgdown", "space":
		d.scroll += 10
	}
	return 0, false
}

func (d *permDialog) title() string {
	c := d.req.Call
	switch c.Name {
	case "bash":
		return "Run this command?"
	case "edit", "multiedit":
		return "Apply this edit to " + toolSubject(c) + "?"
	case "write":
		return "Write " + toolSubject(c) + "?"
	}
	return fmt.Sprintf("Allow %s?", c.Name)
}

// view renders the dialog in at most height lines.
func (d *permDialog) view(p *painter, width, height int) []string {
	th := p.th
	inner := width - 4 // border and padding
	var body []string
	preview := strings.TrimRight(d.req.Preview, "\n")
	if isDiff(preview) {
		body = renderDiff(th, p.hl, preview, inner)
	} else {
		for _, l := range strings.Split(preview, "\n") {
			for _, w := range wrap(l, inner) {
				body = append(body, th.bold.Render(w))
			}
		}
	}
	opts := th.key.Render("y") + " yes  " + th.key.Render("n") + " no  " + th.key.Render("a") + " always " + d.req.Call.Name + " this session"
	if d.req.Prefix != "" {
		opts += "  " + th.key.Render("p") + " always `" + d.req.Prefix + "`"
	}
	opts += "  " + th.key.Render("esc") + " stop"
	optLines := wrap(opts, inner)
	room := max(height-2-2-len(optLines), 1) // borders, title + gap line
	maxScroll := max(len(body)-room, 0)
	d.scroll = min(d.scroll, maxScroll)
	shown := body[d.scroll:min(d.scroll+room, len(body))]
	lines := []string{th.warn.Bold(true).Render(ansi.Truncate(d.title(), inner, "…"))}
	lines = append(lines, shown...)
	if maxScroll > 0 {
		lines = append(lines, th.faint.Render(fmt.Sprintf("lines %d–%d of %d (up/down to scroll)", d.scroll+1, d.scroll+len(shown), len(body))))
	} else {
		lines = append(lines, "")
	}
	lines = append(lines, optLines...)
	box := th.dialog.Width(width).Render(strings.Join(lines, "\n"))
	return strings.Split(box, "\n")
}
