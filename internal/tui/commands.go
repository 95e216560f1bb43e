package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/models"
	"github.com/atelier-dev/atelier/internal/tools"
)

// slashCommand is one of the / commands.
type slashCommand struct {
	name, args, summary string
}

var slashCommands = []slashCommand{
	{"help", "", "show the commands and keys"},
	{"model", "[NAME]", "switch model (picker of installed and downloadable ones)"},
	{"models", "", "list the installed models"},
	{"pull", "NAME", "download a model"},
	{"clear", "", "forget the conversation"},
	{"compact", "", "summarize the conversation to free context"},
	{"resume", "", "continue an earlier session of this project"},
	{"undo", "", "put back the files the last turn changed"},
	{"init", "", "write an AGENTS.md describing this project"},
	{"permissions", "[MODE]", "show or set the permission mode (ask, accept-edits, plan, bypass)"},
	{"stats", "", "tokens, context and speed of this session"},
	{"quit", "", "leave atelier"},
}

func commandSummary(name string) (string, bool) {
	for _, c := range slashCommands {
		if "/"+c.name == name {
			return c.summary, true
		}
	}
	return "", false
}

const keysHelp = `Keys
  enter            send          shift+enter, ctrl+j  new line
  up / down        history       tab                  complete /command or @file
  esc              interrupt     ctrl+c twice         quit
  pgup / pgdown    scroll        ctrl+o               show folded output and thinking
  shift+tab        cycle permission mode
Input
  @path            attach a file to the prompt
  !command         run a shell command; its output goes to the model with your next prompt`

func helpText() string {
	var b strings.Builder
	b.WriteString("Commands\n")
	for _, c := range slashCommands {
		name := "/" + c.name
		if c.args != "" {
			name += " " + c.args
		}
		fmt.Fprintf(&b, "  %-20s %s\n", name, c.summary)
	}
	b.WriteString(keysHelp)
	return b.String()
}

// initPrompt asks the model to write AGENTS.md.
const initPrompt = `Write an AGENTS.md file at the root of this project for coding agents that will work on it. First explore the project (list the files, read the README, the build files and a few central sources). Then write AGENTS.md with: a one-paragraph overview; how to build, run and test (the exact commands); the layout of the code; the conventions you see (style, errors, tests); and anything surprising. Keep it under 80 lines, factual, with no guesses. If an AGENTS.md exists, improve it rather than start over.`

// command runs a slash command typed by the user.
func (m *Model) command(line string) tea.Cmd {
	name, arg, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "/")), " ")
	arg = strings.TrimSpace(arg)
	busy := func() tea.Cmd {
		m.notice(noticeWarn, "/"+name+" waits for the model: press esc to interrupt it first.")
		return nil
	}
	switch name {
	case "help", "?":
		m.notice(noticeInfo, helpText())
	case "quit", "exit":
		return m.quit()
	case "clear":
		if m.running {
			return busy()
		}
		return m.be.clearCmd()
	case "compact":
		if m.running {
			return busy()
		}
		m.setActivity("compacting")
		return m.be.compactCmd(m.ctx)
	case "undo":
		if m.running {
			return busy()
		}
		return m.be.undoCmd()
	case "init":
		if m.running {
			return busy()
		}
		return m.send("/init", initPrompt)
	case "stats":
		m.notice(noticeInfo, m.statsText())
	case "permissions":
		return m.permissions(arg)
	case "models":
		if m.opts.Models == nil {
			m.notice(noticeWarn, "No model store is set up.")
			return nil
		}
		return listModels(m.opts.Models)
	case "model":
		if m.running {
			return busy()
		}
		if arg != "" {
			return m.useModel(arg)
		}
		return m.modelPicker()
	case "pull":
		if arg == "" {
			m.notice(noticeWarn, "Usage: /pull NAME (for example /pull qwen2.5-coder:1.5b); /model shows the catalog.")
			return nil
		}
		return m.pull(arg, false)
	case "resume":
		if m.running {
			return busy()
		}
		return m.sessionPicker()
	default:
		m.notice(noticeWarn, fmt.Sprintf("Unknown command /%s: /help lists them.", name))
	}
	return nil
}

func (m *Model) statsText() string {
	ctx := "unknown"
	if m.window > 0 {
		ctx = fmt.Sprintf("%s of %s tokens (%d%%)", short(m.used), windowSize(m.window), m.used*100/m.window)
	}
	speed := "-"
	if m.speed > 0 {
		speed = fmt.Sprintf("%.1f tokens/s", m.speed)
	}
	return fmt.Sprintf(`Session
  model        %s
  turns        %d
  context      %s
  tokens       %d prompt, %d generated (this session)
  last answer  %s
  mode         %s`, m.modelLabel(), m.turns, ctx, m.total.PromptTokens, m.total.CompletionTokens, speed, orDash(string(m.mode)))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var modeCycle = []tools.Mode{tools.ModeAsk, tools.ModeAcceptEdits, tools.ModePlan, tools.ModeBypass}

// permissions shows or sets the permission mode.
func (m *Model) permissions(arg string) tea.Cmd {
	ts, ok := m.opts.Agent.Gate.(*agent.Toolset)
	if !ok {
		m.notice(noticeInfo, "This session has no permission rules to show.")
		return nil
	}
	if arg != "" {
		mode, err := tools.ParseMode(arg)
		if err != nil {
			m.notice(noticeError, err.Error())
			return nil
		}
		if m.running {
			m.notice(noticeWarn, "The mode changes when the model is done: press esc to interrupt it first.")
			return nil
		}
		ts.Mode, m.mode = mode, mode
		m.notice(noticeOK, "Permission mode: "+string(mode)+".")
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Permission mode: %s (shift+tab cycles; /permissions MODE sets it)\n", ts.Mode)
	b.WriteString("  ask           asks before every edit and command\n")
	b.WriteString("  accept-edits  edits inside the project run; commands ask\n")
	b.WriteString("  plan          read-only: edits and commands are refused\n")
	b.WriteString("  bypass        everything the deny rules allow runs\n")
	if len(ts.Rules.Allow) > 0 || len(ts.Rules.Deny) > 0 {
		for _, r := range ts.Rules.Allow {
			fmt.Fprintf(&b, "allow  %s\n", r)
		}
		for _, r := range ts.Rules.Deny {
			fmt.Fprintf(&b, "deny   %s\n", r)
		}
	}
	m.notice(noticeInfo, strings.TrimRight(b.String(), "\n"))
	return nil
}

// cycleMode moves to the next permission mode (shift+tab).
func (m *Model) cycleMode() {
	ts, ok := m.opts.Agent.Gate.(*agent.Toolset)
	if !ok || m.running {
		return
	}
	for i, md := range modeCycle {
		if md == ts.Mode {
			ts.Mode = modeCycle[(i+1)%len(modeCycle)]
			break
		}
	}
	m.mode = ts.Mode
}

// listModels lists the installed models.
func listModels(store *models.Store) tea.Cmd {
	return func() tea.Msg {
		list, err := store.List()
		if err != nil {
			return failed(err)
		}
		if len(list) == 0 {
			return doneMsg{kind: noticeInfo, text: "No model installed: /model shows the catalog, /pull NAME downloads one."}
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		var b strings.Builder
		b.WriteString("Installed models")
		for _, e := range list {
			fmt.Fprintf(&b, "\n  %-40s %8s  %s", e.Name, models.FormatBytes(uint64(e.Size)), e.ModTime.Format(time.DateOnly))
		}
		return doneMsg{kind: noticeInfo, text: b.String()}
	}
}

// short prints a token count: 950, 1.2k, 32k.
func short(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 10000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	}
	return fmt.Sprintf("%dk", (n+500)/1000)
}
