// Package tui is atelier's full-screen terminal interface: the conversation
// with the agent as it streams (answers rendered as Markdown, reasoning
// dimmed, tool calls as compact blocks with coloured diffs), the permission
// dialog, a multi-line input with history, @file mentions and !commands,
// the slash commands and a status line that never looks frozen.
//
// It is one Bubble Tea program with a single top-level model (Model); every
// piece of IO (the agent's run, sessions, model loading and pulls, shell
// commands, files) happens in tea.Cmds, never in Update. The agent's events
// arrive on a channel that a command drains, so the interface keeps taking
// keys while the model streams.
package tui

import (
	"context"
	"io"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/models"
	"github.com/atelier-dev/atelier/internal/session"
	"github.com/atelier-dev/atelier/internal/tools"
)

// ModelInfo describes the loaded model for the status line.
type ModelInfo struct {
	// Name is the model's name ("qwen2.5-coder:1.5b").
	Name string
	// Quant is its quantization ("Q4_K_M"), "" when unknown.
	Quant string
}

// Loaded is a model made ready by Options.Load.
type Loaded struct {
	Client agent.Client
	Info   ModelInfo
	// Close frees the model; nil when there is nothing to free. It is
	// called when another model replaces it and when the interface ends.
	Close func() error
}

// LoadFunc loads an installed model by name. progress reports how far it
// has come (bytes, or any unit: only the fraction is shown); it may be
// called from any goroutine, and never needs to be.
type LoadFunc func(ctx context.Context, name string, progress func(done, total int64)) (Loaded, error)

// Puller downloads models; *models.Puller is one.
type Puller interface {
	Pull(ctx context.Context, ref models.Ref, prog models.Progress) (models.Result, error)
}

// PromptProgress is implemented by clients that can report how far they
// have read a prompt before the first token (on a CPU the long wait): the
// interface sets fn before each run, and the client calls it from its own
// goroutine as it goes (done of total prompt tokens evaluated). The local
// backend should implement it from the engine's batch loop.
type PromptProgress interface {
	SetPromptProgress(fn func(done, total int))
}

// Speedometer is implemented by clients that measure their generation
// speed exactly; otherwise the interface estimates it from the usage and
// the streaming time.
type Speedometer interface {
	// LastSpeed returns the tokens per second of the last answer, 0 if
	// unknown.
	LastSpeed() float64
}

// Options set up the interface.
type Options struct {
	// Dir is the project directory (default: the working directory).
	Dir string
	// Agent configures the agent: Client (nil for the first run, which
	// offers to pull a model), Tools, Gate, System, limits. Events and
	// Interactive are set by the interface. When Gate is an *agent.Toolset,
	// /permissions and shift+tab switch its mode.
	Agent agent.Config
	// History and Turn continue a conversation (see agent.New).
	History []chat.Message
	Turn    int
	// Model describes Agent.Client.
	Model ModelInfo
	// Start names a model for Load to load as the interface starts (with
	// its progress in view), when Agent.Client is nil.
	Start string
	// Session records the conversation (it becomes Agent.Recorder) and
	// undoes turns (/undo); nil for neither.
	Session *session.Session
	// Sessions lists the sessions to /resume; nil disables it.
	Sessions *session.Store
	// Models lists the installed models (/model, /models); nil disables them.
	Models *models.Store
	// Puller downloads models (/pull, /model, the first run); nil disables it.
	Puller Puller
	// Load loads an installed model (/model, the first run); nil disables it.
	Load LoadFunc
	// Machine is the hardware check for the first run; nil detects it.
	Machine *models.Machine

	// Input, Output and the size replace the terminal (for tests); Width
	// and Height 0 ask the terminal.
	Input         io.Reader
	Output        io.Writer
	Width, Height int
}

// mode returns the permission mode of the gate, "" when it has none.
func (o *Options) mode() tools.Mode {
	if ts, ok := o.Agent.Gate.(*agent.Toolset); ok {
		return ts.Mode
	}
	return ""
}
