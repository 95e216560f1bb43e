package local

import (
	"context"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/template"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// TestProgressAndSpeed checks that the client reports the prompt being
// read and the speed of the answer, for the status line of the interface.
func TestProgressAndSpeed(t *testing.T) {
	e, err := engine.Load(testshared.Path(t, "testdata/models/stories260K.gguf"), engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// stories260K has no chat template: give it the ChatML fallback.
	c, err := New(e, Options{Name: "stories", Template: template.FallbackSource()})
	if err != nil {
		t.Fatal(err)
	}
	if c.LastSpeed() != 0 {
		t.Error("a speed before any answer")
	}
	var last, total int
	c.SetPromptProgress(func(done, n int) { last, total = done, n })
	_, err = c.Stream(context.Background(), agent.Request{
		Messages:  []chat.Message{{Role: chat.RoleUser, Content: "Tell me a story."}},
		MaxTokens: 8,
	}, func(agent.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || last != total {
		t.Errorf("prompt progress ended at %d of %d", last, total)
	}
	if c.LastSpeed() <= 0 {
		t.Errorf("speed %v after an answer", c.LastSpeed())
	}
}
