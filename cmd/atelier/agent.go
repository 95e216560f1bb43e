package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/config"
	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/agent/openai"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/session"
	"github.com/atelier-dev/atelier/internal/tools"
)

// agentFlags are the command line of the coding agent.
type agentFlags struct {
	prompt      string
	format      string
	mode        string
	maxTurns    int
	model       string
	ctxLen      int
	load        engine.LoadMode
	baseURL     string
	apiKey      string
	remoteModel string
	cont        bool
	resume      string
	sessions    bool
	plain       bool
	maxTokens   int
	noGrammar   bool

	// set names the flags given on the command line (they win over the
	// config files).
	set map[string]bool
	// cfg is the configuration loaded by applyConfig (nil before).
	cfg *config.Config
}

func parseAgentFlags(args []string, s stdio) (agentFlags, error) {
	var f agentFlags
	fs := flag.NewFlagSet("atelier", flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.StringVar(&f.prompt, "p", "", "run the `task` without a terminal and exit (headless)")
	fs.StringVar(&f.format, "output-format", "text", "headless output: text, json or stream-json")
	fs.StringVar(&f.mode, "permission-mode", "ask", "ask, accept-edits, plan (read-only) or bypass")
	fs.IntVar(&f.maxTurns, "max-turns", 0, "stop after this many model calls (default 50)")
	fs.StringVar(&f.model, "model", "", "the model: an installed name (see atelier models) or a GGUF `path`")
	fs.IntVar(&f.ctxLen, "context", 0, "context length to load the local model with (default: the model's, at most 8192)")
	load := fs.String("load", "auto", "how the local model is read: `auto` (into huge pages when memory allows, else mapped), mmap or read")
	fs.StringVar(&f.baseURL, "base-url", "", "use an OpenAI-compatible server at this `URL` instead of a local model")
	fs.StringVar(&f.apiKey, "api-key", "", "the server's API key")
	fs.StringVar(&f.remoteModel, "remote-model", "", "the model `name` on the server")
	fs.BoolVar(&f.cont, "continue", false, "continue the latest conversation in this directory")
	fs.StringVar(&f.resume, "resume", "", "continue the conversation with this `id`")
	fs.BoolVar(&f.sessions, "sessions", false, "list the conversations of this directory and exit")
	fs.BoolVar(&f.plain, "plain", false, "use the plain line-based interactive mode, even in a terminal")
	fs.BoolVar(&f.noGrammar, "no-grammar", false, "let the local model write tool calls freely, unchecked by a grammar (they may then be malformed)")
	fs.IntVar(&f.maxTokens, "max-tokens", 0, "cap each answer of the model at this many tokens (default: 4096 for a local model, or what the context leaves if less)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q (give a task with -p \"TASK\", or see atelier help)", fs.Arg(0))
	}
	mode, err := engine.ParseLoadMode(*load)
	if err != nil {
		return f, fmt.Errorf("--load %q: want auto, mmap or read", *load)
	}
	f.load = mode
	switch f.format {
	case "text", "json", "stream-json":
	default:
		return f, fmt.Errorf("--output-format %q: want text, json or stream-json", f.format)
	}
	if f.cont && f.resume != "" {
		return f, errors.New("give --continue or --resume, not both")
	}
	if f.maxTurns < 0 {
		return f, errors.New("--max-turns must be positive")
	}
	if f.maxTokens < 0 {
		return f, errors.New("--max-tokens must be positive")
	}
	return f, nil
}

// applyConfig loads the user's and the project's config files and fills
// in what the command line left unset: the permission mode, the model, the
// context length and the server. Flags win; a --model flag also wins over a
// server set in a file, and a --base-url flag over a model set in one. The
// warnings (what an untrusted project file may not set) go to stderr.
func applyConfig(f *agentFlags, dir string, s stdio) error {
	c, err := config.Load(config.UserFile(agent.ConfigDir()), dir)
	if err != nil {
		return err
	}
	f.cfg = c
	for _, w := range c.Warnings {
		fmt.Fprintln(s.err, "atelier: warning:", w)
	}
	if !f.set["permission-mode"] {
		f.mode = string(c.Mode.Value)
	}
	if !f.set["context"] && c.Context.Value > 0 {
		f.ctxLen = c.Context.Value
	}
	local, remote := f.set["model"], f.set["base-url"]
	if !local && !remote {
		if c.BaseURL.Value != "" {
			f.baseURL = c.BaseURL.Value
		} else {
			f.model = c.Model.Value
		}
	}
	if f.baseURL != "" && !f.set["remote-model"] && c.RemoteModel.Value != "" {
		f.remoteModel = c.RemoteModel.Value
	}
	if f.baseURL != "" && !f.set["api-key"] && c.APIKeyEnv.Value != "" {
		f.apiKey = os.Getenv(c.APIKeyEnv.Value)
		if f.apiKey == "" {
			return fmt.Errorf("remote.api_key_env (%s) names %s, which is not set in the environment", c.APIKeyEnv.From, c.APIKeyEnv.Value)
		}
	}
	return nil
}

// newToolset makes the agent's tools for the project under the mode, with
// the permission rules and the environment pass-through of the config; the
// variable holding the server's API key is kept from commands too.
func newToolset(f agentFlags, project string, mode tools.Mode) (*agent.Toolset, error) {
	var rules tools.Rules
	var pass, hide []string
	if f.cfg != nil {
		rules, pass = f.cfg.PermissionRules(), f.cfg.PassEnvNames()
		if k := f.cfg.APIKeyEnv.Value; k != "" {
			hide = append(hide, k) // the server's key, whatever its name
		}
	}
	ts, err := agent.NewToolset(project, mode, rules)
	if err != nil {
		return nil, err
	}
	ts.Env.PassEnv, ts.Env.HideEnv = pass, hide
	return ts, nil
}

// errNoModel is the sentence for a start without a model.
var errNoModel = errors.New("no model: download one with `atelier pull qwen2.5-coder:1.5b` and start with `atelier --model qwen2.5-coder:1.5b`, give a GGUF file with --model PATH, or use a server with --base-url URL --remote-model NAME")

// newClient makes the model client the flags ask for; close releases it.
func newClient(f agentFlags) (c agent.Client, name string, close func(), err error) {
	switch {
	case f.baseURL != "":
		oc, err := openai.New(openai.Options{BaseURL: f.baseURL, APIKey: f.apiKey, Model: f.remoteModel})
		if err != nil {
			return nil, "", nil, err
		}
		return oc, f.remoteModel, func() {}, nil
	case f.model != "":
		path, err := loadablePath(nil, f.model, f.ctxLen)
		if err != nil {
			return nil, "", nil, err
		}
		e, err := engine.Load(path, engine.Options{ContextLength: f.ctxLen, Load: f.load})
		if err != nil {
			return nil, "", nil, err
		}
		name := strings.TrimSuffix(filepath.Base(path), ".gguf")
		lc, err := local.New(e, local.Options{Name: name, Unconstrained: f.noGrammar})
		if err != nil {
			e.Close()
			return nil, "", nil, err
		}
		return lc, name, func() { e.Close() }, nil
	}
	return nil, "", nil, errNoModel
}

// openSession opens the conversation the flags ask for: a new one, the
// latest of the directory (--continue) or a given one (--resume). A resumed
// session is reconciled first: a file write that was recorded but never
// checkpointed (atelier died in between) becomes undoable if it happened.
func openSession(st *session.Store, f agentFlags, dir, model string) (*session.Session, error) {
	var s *session.Session
	var err error
	switch {
	case f.cont:
		s, err = st.Latest(dir)
		if errors.Is(err, session.ErrNotFound) {
			return nil, fmt.Errorf("--continue: no earlier conversation in %s", dir)
		}
	case f.resume != "":
		s, err = st.Get(f.resume)
		if errors.Is(err, session.ErrNotFound) {
			return nil, fmt.Errorf("--resume: no conversation %q (see atelier --sessions)", f.resume)
		}
	default:
		return st.Create(dir, model)
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.Reconcile(); err != nil {
		return nil, err
	}
	return s, nil
}

// openStore opens the conversation store and returns it with the current
// directory, the project whose conversations the commands work on.
func openStore() (dir string, st *session.Store, err error) {
	if dir, err = os.Getwd(); err != nil {
		return "", nil, err
	}
	storeDir, err := session.DefaultDir()
	if err != nil {
		return "", nil, err
	}
	st, err = session.Open(storeDir)
	return dir, st, err
}

// agentConfig is what every mode of the agent runs with in sess's project:
// the tools under the mode and the flags' rules, the turn limit, and the
// system prompt with the project's memory. The caller adds the client.
func agentConfig(f agentFlags, sess *session.Session, mode tools.Mode) (agent.Config, error) {
	ts, err := newToolset(f, sess.Project, mode)
	if err != nil {
		return agent.Config{}, err
	}
	memory, err := agent.LoadMemory(sess.Project, agent.ConfigDir())
	if err != nil {
		return agent.Config{}, err
	}
	return agent.Config{
		Tools:     ts,
		Gate:      ts,
		MaxTurns:  f.maxTurns,
		MaxTokens: f.maxTokens,
		System: agent.SystemPrompt(agent.Environment{
			Dir: sess.Project, OS: runtime.GOOS, Date: time.Now().Format("2006-01-02"), Memory: memory,
		}),
	}, nil
}

// cmdAgent runs the coding agent in the current directory: headless with
// -p, else the plain interactive mode.
func cmdAgent(args []string, s stdio) error {
	f, err := parseAgentFlags(args, s)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	dir, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if f.sessions {
		return listSessions(st, dir, s.out)
	}
	if err := applyConfig(&f, dir, s); err != nil {
		return err
	}
	if useTUI(f, s) {
		return runTUI(f, st, dir, s)
	}
	mode, err := tools.ParseMode(f.mode)
	if err != nil {
		return err
	}
	client, model, closeClient, err := newClient(f)
	if err != nil {
		if errors.Is(err, errNoModel) && f.prompt == "" {
			// The first run: show what this machine can run.
			firstRunAdvice(s)
		}
		return err
	}
	defer func() { closeClient() }()
	sess, err := openSession(st, f, dir, model)
	if err != nil {
		return err
	}
	history, turn, err := sess.Load()
	if err != nil {
		return err
	}
	cfg, err := agentConfig(f, sess, mode)
	if err != nil {
		return err
	}
	cfg.Client, cfg.Recorder = client, sess
	if f.prompt != "" {
		return runHeadless(f, cfg, sess, history, turn, s)
	}
	r := &repl{f: f, cfg: cfg, sess: sess, s: s, model: model, closeClient: closeClient}
	err = r.run(history, turn)
	closeClient = r.closeClient
	return err
}

func listSessions(st *session.Store, dir string, w io.Writer) error {
	list, err := st.List(dir)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(w, "no conversations in %s\n", dir)
		return nil
	}
	for _, in := range list {
		fmt.Fprintf(w, "%s  %s  %3d messages  %s\n", in.ID, in.Updated.Local().Format("2006-01-02 15:04"), in.Messages, in.Title)
	}
	return nil
}

// headlessReport is the json output of a headless run.
type headlessReport struct {
	Result    string             `json:"result"`
	SessionID string             `json:"session_id"`
	Turns     int                `json:"turns"`
	ToolCalls []agent.CallRecord `json:"tool_calls"`
	Usage     agent.Usage        `json:"usage"`
	Error     string             `json:"error,omitempty"`
}

// runHeadless runs one task without a terminal. Nobody can answer a
// permission request, so in ask mode the calls that need one are denied and
// the model is told so (it can still read and search, and says what is
// left); use --permission-mode accept-edits or bypass to let it act.
func runHeadless(f agentFlags, cfg agent.Config, sess *session.Session, history []chat.Message, turn int, s stdio) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	enc := json.NewEncoder(s.out)
	if f.format == "stream-json" {
		cfg.Events = func(e agent.Event) {
			b, err := agent.MarshalEvent(e)
			if err == nil {
				s.out.Write(append(b, '\n'))
			}
		}
	}
	a := agent.New(cfg, history, turn)
	res, err := a.Run(ctx, f.prompt)
	switch f.format {
	case "text":
		if res.Text != "" {
			fmt.Fprintln(s.out, strings.TrimRight(res.Text, "\n"))
		}
	case "json":
		rep := headlessReport{Result: res.Text, SessionID: sess.ID, Turns: res.Steps, ToolCalls: res.ToolCalls, Usage: res.Usage}
		if rep.ToolCalls == nil {
			rep.ToolCalls = []agent.CallRecord{}
		}
		if err != nil {
			rep.Error = err.Error()
		}
		enc.Encode(rep)
	case "stream-json":
		enc.Encode(map[string]any{"type": "result", "result": res.Text, "session_id": sess.ID, "turns": res.Steps, "usage": res.Usage})
	}
	return err
}
