package tui

import (
	"context"
	"io"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/models"
)

// fakePuller reports half the download, waits for the gate, then the rest.
type fakePuller struct {
	gate   chan struct{}
	pulled string
}

func (p *fakePuller) Pull(ctx context.Context, ref models.Ref, prog models.Progress) (models.Result, error) {
	prog.Start(ref.String(), 1000, 0)
	prog.Add(500)
	select {
	case <-p.gate:
	case <-ctx.Done():
		return models.Result{}, ctx.Err()
	}
	prog.Add(500)
	prog.Done()
	p.pulled = ref.String()
	return models.Result{Name: "fake-model", Size: 1000}, nil
}

type answerClient struct{ text string }

func (c answerClient) Stream(ctx context.Context, req agent.Request, fn func(agent.Delta) error) (agent.Response, error) {
	fn(agent.Delta{Text: c.text})
	return agent.Response{Message: chat.Message{Role: chat.RoleAssistant, Content: c.text}}, nil
}

// TestFirstRun pins the first run: the hardware check's recommendation,
// one key to download it with a progress bar, then the model loaded and
// answering.
func TestFirstRun(t *testing.T) {
	machine := models.Machine{OS: "linux", Arch: "amd64", RAMTotal: 16 << 30, RAMAvailable: 12 << 30, LogicalCores: 8}
	p := &fakePuller{gate: make(chan struct{})}
	var loaded string
	load := func(ctx context.Context, name string, progress func(done, total int64)) (Loaded, error) {
		loaded = name
		return Loaded{Client: answerClient{"HELLO FROM THE MODEL"}, Info: ModelInfo{Name: name, Quant: "Q4_K_M"}}, nil
	}
	keys, scr, _ := runProgram(t, Options{Agent: agent.Config{Tools: nopTools{}}, Machine: &machine, Puller: p, Load: load})
	scr.waitFor(t, "Recommended:")
	scr.waitFor(t, "enter download and use it")
	io.WriteString(keys, "\r")
	scr.waitFor(t, "50%")
	close(p.gate)
	scr.waitFor(t, "Using fake-model Q4_K_M.")
	if loaded != "fake-model" {
		t.Errorf("loaded %q, want the pulled model", loaded)
	}
	io.WriteString(keys, "hi\r")
	scr.waitFor(t, "HELLO FROM THE MODEL")
}
