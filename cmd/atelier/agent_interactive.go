package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/config"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// repl is the plain interactive mode: it reads a line, runs the agent on
// it, streams the answer, and asks before each edit or command.
type repl struct {
	f           agentFlags
	cfg         agent.Config
	sess        *session.Session
	s           stdio
	in          *bufio.Reader
	a           *agent.Agent
	model       string
	closeClient func()
	// midLine is true when the last thing printed did not end a line.
	midLine bool
}

const replHelp = `Type a task and press Enter. While the agent works, Ctrl+C stops it.
Commands:
  /help      this help
  /clear     forget the conversation (the files stay as they are)
  /compact   summarize the conversation to free the context
  /undo      put the files back as they were before the last turn
  /model     show the model; /model NAME-OR-PATH (or the server's model name) switches
  /quit      leave (the conversation is saved: atelier --continue resumes it)
When the agent wants to edit a file or run a command, it shows the change
and asks: y (yes), n (no), a (always this tool, for this session) or
p (always commands with these prefixes: each part of a compound command
counts on its own). After p, it offers to save the rules for this project
in your config file, so later sessions allow them too.`

func (r *repl) printf(format string, args ...any) {
	if r.midLine {
		fmt.Fprintln(r.s.out)
		r.midLine = false
	}
	fmt.Fprintf(r.s.out, format, args...)
}

func (r *repl) run(history []chat.Message, turn int) error {
	r.in = bufio.NewReader(r.s.in)
	r.cfg.Interactive = true
	r.cfg.Events = r.event
	r.a = agent.New(r.cfg, history, turn)
	r.printf("atelier — %s in %s (conversation %s). /help for help.\n", r.model, r.sess.Project, r.sess.ID)
	if len(history) > 0 {
		r.printf("(continuing: %d messages)\n", len(history))
	}
	for {
		r.printf("> ")
		line, err := r.in.ReadString('\n')
		if err != nil && line == "" {
			if errors.Is(err, io.EOF) {
				r.printf("\n")
				return nil
			}
			return err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "/") {
			quit, err := r.command(line)
			if err != nil {
				r.printf("error: %v\n", err)
			}
			if quit {
				return nil
			}
			continue
		}
		r.runTask(line)
	}
}

// runTask runs the agent on a prompt ("" continues), stoppable by Ctrl+C.
func (r *repl) runTask(prompt string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, err := r.a.Run(ctx, prompt)
	switch {
	case errors.Is(err, context.Canceled):
		r.printf("(stopped)\n")
	case err != nil:
		r.printf("error: %v\n", err)
	default:
		r.printf("")
	}
}

func (r *repl) command(line string) (quit bool, err error) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "/help":
		r.printf("%s\n", replHelp)
	case "/quit", "/exit":
		return true, nil
	case "/clear":
		if err := r.a.Clear(); err != nil {
			return false, err
		}
		r.printf("(conversation cleared)\n")
	case "/compact":
		before := r.a.Tokens()
		if err := r.a.Compact(context.Background()); err != nil {
			return false, err
		}
		r.printf("(compacted: %d → %d tokens of %d)\n", before, r.a.Tokens(), r.a.Window())
	case "/undo":
		u, err := r.sess.Undo()
		if errors.Is(err, session.ErrNothingToUndo) {
			r.printf("(nothing to undo)\n")
			return false, nil
		}
		if err != nil {
			return false, err
		}
		r.printf("%s", describeUndo(u))
		r.a.Note(undoNote(u))
	case "/model":
		if arg == "" {
			r.printf("model: %s (context %d tokens, %d used)\n", r.model, r.a.Window(), r.a.Tokens())
			return false, nil
		}
		f := r.f
		if f.baseURL != "" {
			f.remoteModel = arg
		} else {
			f.model = arg
		}
		c, name, closeNew, err := newClient(f)
		if err != nil {
			return false, err
		}
		r.closeClient()
		r.closeClient, r.model, r.f = closeNew, name, f
		r.a.SetClient(c)
		r.printf("(model: %s)\n", name)
	default:
		r.printf("unknown command %s; /help lists them\n", cmd)
	}
	return false, nil
}

func describeUndo(u session.Undone) string {
	var b strings.Builder
	for _, p := range u.Restored {
		fmt.Fprintf(&b, "restored %s\n", p)
	}
	for _, p := range u.Removed {
		fmt.Fprintf(&b, "removed %s (the turn had created it)\n", p)
	}
	return b.String()
}

func undoNote(u session.Undone) string {
	files := append(append([]string(nil), u.Restored...), u.Removed...)
	return "The user undid the file changes of an earlier turn; these files are back as they were before it: " + strings.Join(files, ", ") + ". Read them again before editing them."
}

// event shows what the agent does.
func (r *repl) event(e agent.Event) {
	switch e := e.(type) {
	case agent.TextDelta:
		fmt.Fprint(r.s.out, e.Text)
		r.midLine = !strings.HasSuffix(e.Text, "\n")
	case agent.ToolCallStarted:
		r.printf("● %s %s\n", e.Call.Name, clipArgs(e.Call.Arguments))
	case agent.ToolResult:
		first, rest, _ := strings.Cut(strings.TrimSpace(e.Output), "\n")
		mark := "⎿"
		if e.IsError {
			mark = "✗"
		}
		more := ""
		if n := strings.Count(rest, "\n") + 1; rest != "" {
			more = fmt.Sprintf(" (+%d lines)", n)
		}
		r.printf("  %s %s%s\n", mark, clipLine(first, 120), more)
	case agent.PermissionRequest:
		r.ask(e)
	case agent.Compacted:
		r.printf("(conversation compacted: %d → %d tokens)\n", e.TokensBefore, e.TokensAfter)
	}
}

func (r *repl) ask(p agent.PermissionRequest) {
	r.printf("%s\n", strings.TrimRight(p.Preview, "\n"))
	opts := "[y]es, [n]o, [a]lways " + p.Call.Name
	if p.Prefix != "" {
		opts += fmt.Sprintf(", [p] always %q", p.Prefix)
	}
	for {
		r.printf("Allow? %s: ", opts)
		line, err := r.in.ReadString('\n')
		if err != nil && line == "" {
			p.Answer(agent.No)
			return
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			p.Answer(agent.Yes)
			return
		case "n", "no", "":
			p.Answer(agent.No)
			return
		case "a", "always":
			p.Answer(agent.AlwaysTool)
			return
		case "p", "prefix":
			if p.Prefix != "" {
				r.offerToSave(p.PrefixRules)
				p.Answer(agent.AlwaysPrefix)
				return
			}
		}
	}
}

func clipArgs(raw json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return clipLine(string(raw), 100)
	}
	// The most telling argument first.
	for _, k := range []string{"command", "file_path", "path", "pattern"} {
		if v, ok := m[k].(string); ok {
			return clipLine(v, 100)
		}
	}
	return clipLine(string(raw), 100)
}

func clipLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// cmdUndo restores the files changed by the last turn of the latest
// conversation in this directory (or of --resume ID).
func cmdUndo(args []string, s stdio) error {
	var f agentFlags
	fs := newUndoFlags(&f, s)
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	f.cont = f.resume == ""
	sess, err := openSession(st, f, dir, "")
	if err != nil {
		return err
	}
	u, err := sess.Undo()
	if errors.Is(err, session.ErrNothingToUndo) {
		fmt.Fprintln(s.out, "nothing to undo")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprint(s.out, describeUndo(u))
	return nil
}

func newUndoFlags(f *agentFlags, s stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("atelier undo", flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.StringVar(&f.resume, "resume", "", "undo in the conversation with this `id` (default: the latest in this directory)")
	return fs
}

// offerToSave asks whether to save the rules of an "always" answer for this
// project in the user's config file, and does.
func (r *repl) offerToSave(rules []string) {
	userFile := config.UserFile(agent.ConfigDir())
	if len(rules) == 0 || userFile == "" {
		return
	}
	r.printf("Save %s for %s in %s too? [y/N]: ", strings.Join(rules, ", "), r.sess.Project, userFile)
	line, _ := r.in.ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		if err := config.AddProjectRules(userFile, r.sess.Project, "allow", rules); err != nil {
			r.printf("could not save: %v\n", err)
			return
		}
		r.printf("(saved)\n")
	}
}
