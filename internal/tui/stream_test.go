package tui

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
)

// gatedClient streams its first piece, then waits for the gate (or the
// end of the run) before the rest.
type gatedClient struct {
	first, rest string
	gate        chan struct{}
}

func (c *gatedClient) Stream(ctx context.Context, req agent.Request, fn func(agent.Delta) error) (agent.Response, error) {
	if err := fn(agent.Delta{Text: c.first}); err != nil {
		return agent.Response{}, err
	}
	select {
	case <-c.gate:
	case <-ctx.Done():
		return agent.Response{}, ctx.Err()
	}
	if err := fn(agent.Delta{Text: c.rest}); err != nil {
		return agent.Response{}, err
	}
	return agent.Response{Message: chat.Message{Role: chat.RoleAssistant, Content: c.first + c.rest}, Usage: agent.Usage{PromptTokens: 10, CompletionTokens: 5}}, nil
}

// vscreen is a terminal emulator showing what the program draws.
type vscreen struct {
	mu  sync.Mutex
	emu *vt.Emulator
	raw io.Writer
}

func (s *vscreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.raw != nil {
		s.raw.Write(p)
	}
	// A terminal's line discipline turns \n into \r\n (ONLCR); the
	// renderer counts on it.
	if _, err := s.emu.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *vscreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

func (s *vscreen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.text(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the screen did not show %q; it shows:\n%s", want, s.text())
}

// runProgram runs the interface with keys from a pipe and the screen in an
// emulator; it returns the key writer and a channel closed when Run ends.
func runProgram(t *testing.T, o Options) (keys io.Writer, scr *vscreen, done chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	scr = &vscreen{emu: vt.NewEmulator(80, 24)}
	if path := os.Getenv("TUI_RAW"); path != "" {
		f, _ := os.Create(path)
		scr.raw = f
	}
	go io.Copy(io.Discard, scr.emu) // the emulator's answers to queries
	o.Input, o.Output, o.Width, o.Height = pr, scr, 80, 24
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	done = make(chan error, 1)
	ended := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		done <- Run(ctx, o)
		close(ended)
	}()
	t.Cleanup(func() {
		cancel()
		pw.Close()
		select {
		case <-ended:
		case <-time.After(5 * time.Second):
			t.Error("Run did not end")
		}
	})
	return pw, scr, done
}

// TestTypingWhileStreaming pins that the interface takes keys while the
// model is in the middle of an answer: the model is held between two
// deltas, and what is typed meanwhile shows in the input.
func TestTypingWhileStreaming(t *testing.T) {
	c := &gatedClient{first: "FIRST-PIECE ", rest: "SECOND-PIECE", gate: make(chan struct{})}
	keys, scr, done := runProgram(t, Options{Agent: agent.Config{Client: c, Tools: nopTools{}}, Model: ModelInfo{Name: "gated"}})
	scr.waitFor(t, "Ask anything")
	io.WriteString(keys, "hello\r")
	scr.waitFor(t, "FIRST-PIECE")
	scr.waitFor(t, "writing")
	// The model is blocked until the gate opens: everything below happens
	// during generation.
	io.WriteString(keys, "typed meanwhile")
	scr.waitFor(t, "› typed meanwhile")
	if strings.Contains(scr.text(), "SECOND-PIECE") {
		t.Fatal("the second piece arrived before the gate opened")
	}
	close(c.gate)
	scr.waitFor(t, "SECOND-PIECE")
	if !strings.Contains(scr.text(), "› typed meanwhile") {
		t.Fatalf("the typed text left the input:\n%s", scr.text())
	}
	io.WriteString(keys, "\x03\x03")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ctrl+c twice did not quit")
	}
}

// TestEscInterrupts pins that esc stops the model at once.
func TestEscInterrupts(t *testing.T) {
	c := &gatedClient{first: "STARTED ", rest: "NEVER", gate: make(chan struct{})}
	keys, scr, _ := runProgram(t, Options{Agent: agent.Config{Client: c, Tools: nopTools{}}, Model: ModelInfo{Name: "gated"}})
	scr.waitFor(t, "Ask anything")
	io.WriteString(keys, "go\r")
	scr.waitFor(t, "STARTED")
	io.WriteString(keys, "\x1b")
	scr.waitFor(t, "Interrupted.")
	io.WriteString(keys, "next prompt")
	scr.waitFor(t, "› next prompt")
	if strings.Contains(scr.text(), "NEVER") {
		t.Fatal("the model went on after esc")
	}
}

// TestShellAndCommands runs a !command and a few slash commands.
func TestShellAndCommands(t *testing.T) {
	c := &gatedClient{first: "x", rest: "y", gate: make(chan struct{})}
	keys, scr, _ := runProgram(t, Options{Agent: agent.Config{Client: c, Tools: nopTools{}}, Model: ModelInfo{Name: "gated"}})
	scr.waitFor(t, "Ask anything")
	io.WriteString(keys, "!echo hi-from-shell\r")
	scr.waitFor(t, "hi-from-shell")
	scr.waitFor(t, "✓ ! echo hi-from-shell")
	io.WriteString(keys, "/stats\r")
	scr.waitFor(t, "last answer")
	io.WriteString(keys, "/nope\r")
	scr.waitFor(t, "Unknown command /nope")
	io.WriteString(keys, "/undo\r")
	scr.waitFor(t, "/undo needs a session")
	io.WriteString(keys, "/models\r")
	scr.waitFor(t, "No model store is set up.")
}
