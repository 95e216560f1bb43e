package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// Messages from the backend to the model.
type (
	// eventsMsg carries what the backend reported since the last one, in
	// order: agent events and the end of runs.
	eventsMsg []any
	// runEnded follows the last event of a run of the agent.
	runEnded struct{ err error }
	// tokensMsg gives the context's size after a run or a command.
	tokensMsg struct{ used, window int }
)

// backend owns the agent. Every operation on it runs in a tea.Cmd under
// mu, one at a time (the agent is not safe for concurrent use); what the
// agent reports goes into events, which listen drains for the model, so a
// slow interface never reorders events and a streaming model never blocks
// the interface.
type backend struct {
	mu     sync.Mutex
	cfg    agent.Config
	ag     *agent.Agent
	sess   *session.Session
	loaded Loaded

	events chan any

	// progress of the prompt being read, set by the client (PromptProgress).
	promptDone, promptTotal atomic.Int64
}

func newBackend(o *Options) *backend {
	b := &backend{cfg: o.Agent, sess: o.Session, events: make(chan any, 256)}
	b.loaded = Loaded{Client: o.Agent.Client, Info: o.Model}
	b.cfg.Interactive = true
	b.cfg.Events = func(e agent.Event) { b.events <- e }
	if o.Session != nil {
		b.cfg.Recorder = o.Session
	}
	if b.cfg.Client != nil {
		b.ag = agent.New(b.cfg, o.History, o.Turn)
	}
	b.hookProgress()
	return b
}

func (b *backend) hookProgress() {
	if pp, ok := b.cfg.Client.(PromptProgress); ok {
		pp.SetPromptProgress(func(done, total int) {
			b.promptDone.Store(int64(done))
			b.promptTotal.Store(int64(total))
		})
	}
}

// listen waits for what the backend reports and returns it all at once:
// the model renders once per batch however fast the tokens come.
func (b *backend) listen() tea.Cmd {
	return func() tea.Msg {
		batch := eventsMsg{<-b.events}
		for len(batch) < 512 {
			select {
			case e := <-b.events:
				batch = append(batch, e)
			default:
				return batch
			}
		}
		return batch
	}
}

// run runs the agent on a prompt.
func (b *backend) run(ctx context.Context, prompt string) tea.Cmd {
	return func() tea.Msg {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.promptDone.Store(0)
		b.promptTotal.Store(0)
		var err error
		if b.ag == nil {
			err = errors.New("no model is loaded: /model picks one")
		} else {
			_, err = b.ag.Run(ctx, prompt)
		}
		b.events <- runEnded{err}
		return nil
	}
}

// tokens measures the context.
func (b *backend) tokens() tea.Cmd {
	return func() tea.Msg {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.ag == nil {
			return nil
		}
		return tokensMsg{b.ag.Tokens(), b.ag.Window()}
	}
}

// doneMsg reports a command's result as a notice.
type doneMsg struct {
	kind noticeKind
	text string
	// then runs after the notice, if set.
	then tea.Cmd
	// clear empties the transcript first.
	clear bool
	// history replaces the transcript with a resumed conversation.
	history []chat.Message
	resumed bool
}

func failed(err error) doneMsg { return doneMsg{kind: noticeError, text: err.Error()} }

// do runs f on the agent under the lock; f's message (or its error) is
// the result.
func (b *backend) do(f func(ag *agent.Agent) (doneMsg, error)) tea.Cmd {
	return func() tea.Msg {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.ag == nil {
			return failed(errors.New("no model is loaded: /model picks one"))
		}
		m, err := f(b.ag)
		if err != nil {
			return failed(err)
		}
		return m
	}
}

func (b *backend) clearCmd() tea.Cmd {
	return b.do(func(ag *agent.Agent) (doneMsg, error) {
		if err := ag.Clear(); err != nil {
			return doneMsg{}, err
		}
		return doneMsg{kind: noticeOK, text: "Conversation cleared.", clear: true}, nil
	})
}

func (b *backend) compactCmd(ctx context.Context) tea.Cmd {
	return b.do(func(ag *agent.Agent) (doneMsg, error) {
		before := ag.Tokens()
		if err := ag.Compact(ctx); err != nil {
			if errors.Is(err, agent.ErrCannotCompact) {
				return doneMsg{kind: noticeInfo, text: "The conversation is too short to compact."}, nil
			}
			return doneMsg{}, err
		}
		return doneMsg{kind: noticeOK, text: fmt.Sprintf("Compacted: %s → %s tokens.", short(before), short(ag.Tokens()))}, nil
	})
}

func (b *backend) undoCmd() tea.Cmd {
	return b.do(func(ag *agent.Agent) (doneMsg, error) {
		if b.sess == nil {
			return doneMsg{}, errors.New("/undo needs a session, and this run has none")
		}
		u, err := b.sess.Undo()
		if errors.Is(err, session.ErrNothingToUndo) {
			return doneMsg{kind: noticeInfo, text: "Nothing to undo: no turn changed a file."}, nil
		}
		if err != nil {
			return doneMsg{}, err
		}
		var text string
		for _, p := range u.Restored {
			text += "\nrestored " + b.rel(p)
		}
		for _, p := range u.Removed {
			text += "\nremoved " + b.rel(p)
		}
		ag.Note(fmt.Sprintf("The user undid the file changes of turn %d; the files are back as they were before it.", u.Turn))
		return doneMsg{kind: noticeOK, text: fmt.Sprintf("Undid the changes of turn %d:%s", u.Turn, text)}, nil
	})
}

func (b *backend) rel(p string) string {
	if b.sess != nil {
		return relPath(b.sess.Project, p)
	}
	return p
}

// note tells the model something with the next prompt (a !command's
// output).
func (b *backend) note(s string) tea.Cmd {
	return b.do(func(ag *agent.Agent) (doneMsg, error) {
		ag.Note(s)
		return doneMsg{}, nil
	})
}

// setClient switches to a loaded model.
func (b *backend) setClient(l Loaded) tea.Cmd {
	return func() tea.Msg {
		b.mu.Lock()
		defer b.mu.Unlock()
		old := b.loaded
		b.loaded = l
		b.cfg.Client = l.Client
		if b.ag == nil {
			b.ag = agent.New(b.cfg, nil, 0)
		} else {
			b.ag.SetClient(l.Client)
		}
		b.hookProgress()
		if old.Close != nil && old.Client != l.Client {
			old.Close()
		}
		return modelReady{l.Info, l.Client}
	}
}

// modelReady reports that a model is loaded and in use.
type modelReady struct {
	info   ModelInfo
	client agent.Client
}

// resume continues a saved session.
func (b *backend) resume(store *session.Store, id string) tea.Cmd {
	return func() tea.Msg {
		b.mu.Lock()
		defer b.mu.Unlock()
		s, err := store.Get(id)
		if err != nil {
			return failed(err)
		}
		msgs, turn, err := s.Load()
		if err != nil {
			return failed(err)
		}
		if b.cfg.Client == nil {
			return failed(errors.New("no model is loaded: /model picks one first"))
		}
		b.sess = s
		b.cfg.Recorder = s
		b.ag = agent.New(b.cfg, msgs, turn)
		return doneMsg{kind: noticeOK, text: "Resumed session " + id + ".", history: msgs, resumed: true, then: b.tokens()}
	}
}

// close frees the model.
func (b *backend) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.loaded.Close != nil {
		b.loaded.Close()
	}
}
