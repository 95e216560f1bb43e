package tui

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Paste of more than this many lines or bytes is kept aside and shown as a
// placeholder; the prompt carries the whole text.
const (
	pasteLines = 8
	pasteBytes = 800
)

// input is the prompt editor: a multi-line textarea (enter sends,
// shift+enter or ctrl+j breaks the line), the history of sent prompts on
// up/down, large pastes folded into placeholders, and completion of
// /commands and @file mentions.
type input struct {
	ta      textarea.Model
	history []string
	// hpos is the history entry shown (len(history) for the draft).
	hpos  int
	draft string

	pastes []string
	files  []string

	comp    []string
	compSel int
	// compWord is the word the completion replaces (at the end of the
	// input).
	compWord string
}

const maxInputLines = 8

func newInput(th *theme) *input {
	ta := textarea.New()
	ta.Prompt = ""
	ta.ShowLineNumbers = false
	ta.Placeholder = "Ask anything · / for commands · @ to mention a file · ! to run a shell command"
	ta.CharLimit = 0
	ta.DynamicHeight = true
	ta.MinHeight = 1
	ta.MaxHeight = maxInputLines
	ta.MaxContentHeight = 100000
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("shift+enter", "alt+enter", "ctrl+j"))
	ta.KeyMap.Paste = key.NewBinding(key.WithDisabled()) // the terminal pastes; reading the clipboard is IO
	st := textarea.DefaultStyles(th.dark)
	st.Focused.CursorLine = lipgloss.NewStyle()
	st.Focused.Placeholder = th.dim
	st.Blurred.Placeholder = th.dim
	ta.SetStyles(st)
	ta.Focus()
	return &input{ta: ta}
}

func (in *input) setWidth(w int) { in.ta.SetWidth(max(w, 4)) }
func (in *input) value() string  { return in.ta.Value() }

// reset empties the input after a send.
func (in *input) reset() {
	in.ta.Reset()
	in.pastes = nil
	in.comp = nil
	in.hpos = len(in.history)
	in.draft = ""
}

// remember adds a sent prompt to the history.
func (in *input) remember(s string) {
	if s = strings.TrimSpace(s); s != "" && (len(in.history) == 0 || in.history[len(in.history)-1] != s) {
		in.history = append(in.history, s)
	}
	in.hpos = len(in.history)
}

// paste inserts pasted text, folding a large one into a placeholder.
func (in *input) paste(text string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Count(text, "\n") + 1
	if lines > pasteLines || len(text) > pasteBytes {
		in.pastes = append(in.pastes, text)
		in.ta.InsertString(fmt.Sprintf("[Pasted text #%d +%d lines]", len(in.pastes), lines))
		return
	}
	in.ta.InsertString(text)
}

var pastePlaceholder = regexp.MustCompile(`\[Pasted text #(\d+) \+\d+ lines\]`)

// expanded returns the input with the pasted texts in place of their
// placeholders.
func (in *input) expanded() string {
	return pastePlaceholder.ReplaceAllStringFunc(in.ta.Value(), func(m string) string {
		var n int
		fmt.Sscanf(pastePlaceholder.FindStringSubmatch(m)[1], "%d", &n)
		if n >= 1 && n <= len(in.pastes) {
			return in.pastes[n-1]
		}
		return m
	})
}

// key handles a key the model did not take; it returns whether the input
// used it.
func (in *input) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "tab":
		if len(in.comp) > 0 {
			in.accept()
			return true, nil
		}
		return true, nil
	case "up":
		if len(in.comp) > 0 {
			in.compSel = (in.compSel + len(in.comp) - 1) % len(in.comp)
			return true, nil
		}
		if in.ta.Line() == 0 && in.hpos > 0 {
			if in.hpos == len(in.history) {
				in.draft = in.ta.Value()
			}
			in.hpos--
			in.ta.SetValue(in.history[in.hpos])
			return true, nil
		}
	case "down":
		if len(in.comp) > 0 {
			in.compSel = (in.compSel + 1) % len(in.comp)
			return true, nil
		}
		if in.ta.Line() == in.ta.LineCount()-1 && in.hpos < len(in.history) {
			in.hpos++
			if in.hpos == len(in.history) {
				in.ta.SetValue(in.draft)
			} else {
				in.ta.SetValue(in.history[in.hpos])
			}
			return true, nil
		}
	}
	var cmd tea.Cmd
	in.ta, cmd = in.ta.Update(msg)
	in.complete()
	return true, cmd
}

// accept puts the selected completion in place of the word.
func (in *input) accept() {
	if len(in.comp) == 0 {
		return
	}
	v := in.ta.Value()
	c := in.comp[in.compSel]
	in.ta.SetValue(v[:len(v)-len(in.compWord)] + c + " ")
	in.comp = nil
}

// complete offers completions for the word at the end of the input: a
// slash command when the input is one word starting with /, a file for a
// word starting with @.
func (in *input) complete() {
	in.comp, in.compSel = nil, 0
	v := in.ta.Value()
	if v == "" || strings.HasSuffix(v, " ") || strings.HasSuffix(v, "\n") {
		return
	}
	word := v[strings.LastIndexAny(v, " \n")+1:]
	in.compWord = word
	switch {
	case strings.HasPrefix(v, "/") && word == v:
		for _, c := range slashCommands {
			if strings.HasPrefix("/"+c.name, word) && "/"+c.name != word {
				in.comp = append(in.comp, "/"+c.name)
			}
		}
	case strings.HasPrefix(word, "@"):
		in.comp = matchFiles(in.files, word[1:], 6)
		for i, f := range in.comp {
			in.comp[i] = "@" + f
		}
	}
}

// matchFiles returns up to n files matching q: by prefix of the path or of
// the base name first, then by substring, shorter paths first.
func matchFiles(files []string, q string, n int) []string {
	ql := strings.ToLower(q)
	type hit struct {
		f    string
		rank int
	}
	var hits []hit
	for _, f := range files {
		fl := strings.ToLower(f)
		base := fl[strings.LastIndex(fl, "/")+1:]
		switch {
		case strings.HasPrefix(fl, ql):
			hits = append(hits, hit{f, 0})
		case strings.HasPrefix(base, ql):
			hits = append(hits, hit{f, 1})
		case strings.Contains(fl, ql):
			hits = append(hits, hit{f, 2})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].rank != hits[j].rank {
			return hits[i].rank < hits[j].rank
		}
		if len(hits[i].f) != len(hits[j].f) {
			return len(hits[i].f) < len(hits[j].f)
		}
		return hits[i].f < hits[j].f
	})
	var out []string
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.f)
	}
	return out
}

// mentions returns the @paths of a prompt.
func mentions(prompt string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(prompt) {
		if p, ok := strings.CutPrefix(f, "@"); ok {
			p = strings.TrimRight(p, ".,;:!?)")
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// view renders the input box: a rule, the completions (if any) and the
// editor with its prompt mark.
func (in *input) view(th *theme, width int, busy bool) []string {
	var out []string
	for i, c := range in.comp {
		line := "  " + c
		if c2, ok := commandSummary(c); ok {
			line += "  " + th.dim.Render(c2)
		}
		if i == in.compSel {
			line = th.selected.Render("› "+c) + strings.TrimPrefix(line, "  "+c)
		}
		out = append(out, line)
	}
	out = append(out, th.rule.Render(strings.Repeat("─", width)))
	mark := th.accent.Render("›")
	if busy {
		mark = th.dim.Render("›")
	}
	for i, l := range strings.Split(in.ta.View(), "\n") {
		if i == 0 {
			out = append(out, mark+" "+l)
		} else {
			out = append(out, "  "+l)
		}
	}
	return out
}
