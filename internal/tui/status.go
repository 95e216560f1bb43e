package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/ansi"
)

// windowSize prints a context length: 8k for 8192.
func windowSize(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%dk", n/1024)
	}
	return short(n)
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// bar draws a progress bar of width cells for done of total.
func (m *Model) bar(done, total int64, width int) string {
	pct := 0.0
	if total > 0 {
		pct = min(float64(done)/float64(total), 1)
	}
	b := progress.New(progress.WithWidth(width), progress.WithoutPercentage(), progress.WithColors(m.th.barFull), progress.WithFillCharacters('█', '░'))
	b.EmptyColor = m.th.barEmpty
	return b.ViewAs(pct)
}

func (m *Model) modelLabel() string {
	if m.info.Name == "" {
		return "no model"
	}
	if m.info.Quant != "" {
		return m.info.Name + " " + m.info.Quant
	}
	return m.info.Name
}

// activity describes what is going on, for the right of the status line;
// it changes every tick while anything runs, so the screen never looks
// frozen.
func (m *Model) activity(width int) string {
	th := m.th
	spin := th.accent.Render(spinner[m.frame%len(spinner)])
	elapsed := func(since time.Time) string {
		return th.dim.Render(fmt.Sprintf("%ds", int(m.now().Sub(since).Seconds())))
	}
	if t := m.task; t != nil {
		done, total := t.done.Load(), t.total.Load()
		label := t.label
		if total > 0 {
			bw := min(20, max(width-ansi.StringWidth(label)-18, 6))
			return fmt.Sprintf("%s %s %s %3d%% %s", spin, label, m.bar(done, total, bw), done*100/total, elapsed(t.start))
		}
		return fmt.Sprintf("%s %s %s", spin, label, elapsed(t.start))
	}
	if m.perm != nil {
		return th.warn.Render("? waiting for your answer")
	}
	if m.busy != "" {
		return fmt.Sprintf("%s %s %s", spin, m.busy, elapsed(m.busyStart))
	}
	if !m.running {
		return ""
	}
	switch {
	case m.tool != "":
		return fmt.Sprintf("%s running %s %s", spin, m.tool, elapsed(m.stepStart))
	case !m.streaming:
		done, total := m.be.promptDone.Load(), m.be.promptTotal.Load()
		if total > 0 && done < total {
			bw := min(20, max(width-34, 6))
			return fmt.Sprintf("%s reading prompt %s %s/%s %s", spin, m.bar(done, total, bw), short(int(done)), short(int(total)), elapsed(m.stepStart))
		}
		return fmt.Sprintf("%s thinking %s", spin, elapsed(m.stepStart))
	}
	return fmt.Sprintf("%s writing %s", spin, elapsed(m.stepStart))
}

// statusLine renders the bottom line: model, context, speed and mode on
// the left, the activity on the right.
func (m *Model) statusLine(width int) string {
	th := m.th
	var parts []string
	parts = append(parts, th.bold.Render(m.modelLabel()))
	if m.window > 0 {
		pct := m.used * 100 / m.window
		st := th.dim
		switch {
		case pct >= 90:
			st = th.bad
		case pct >= 70:
			st = th.warn
		}
		parts = append(parts, st.Render(fmt.Sprintf("ctx %s/%s %d%%", short(m.used), windowSize(m.window), pct)))
	}
	if m.speed > 0 {
		parts = append(parts, th.dim.Render(fmt.Sprintf("%.1f tok/s", m.speed)))
	}
	if m.mode != "" {
		parts = append(parts, th.dim.Render("mode ")+th.accent.Render(string(m.mode)))
	}
	if m.quitArmed() {
		parts = []string{th.warn.Render("press ctrl+c again to quit")}
	}
	left := strings.Join(parts, th.dim.Render(" · "))
	right := m.activity(width - ansi.StringWidth(left) - 1)
	gap := width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		// Narrow: the activity wins, the rest is cut.
		left = ansi.Truncate(left, max(width-ansi.StringWidth(right)-1, 0), "…")
		gap = max(width-ansi.StringWidth(left)-ansi.StringWidth(right), 1)
	}
	return ansi.Truncate(left+strings.Repeat(" ", gap)+right, width, "")
}
