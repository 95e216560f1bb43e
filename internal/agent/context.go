package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

// window is the context length in tokens: the client's own (for a local
// model, what it was loaded with), else the configured one.
func (a *Agent) window() int {
	if w, ok := a.cfg.Client.(Windowed); ok {
		if n := w.ContextWindow(); n > 0 {
			return n
		}
	}
	if a.cfg.ContextWindow > 0 {
		return a.cfg.ContextWindow
	}
	return DefaultContextWindow
}

// estimateTokens guesses the tokens of messages at about 3 bytes a token
// (code and JSON run denser than English prose), plus a few per message for
// the template's markup. It errs on the high side.
func estimateTokens(msgs []chat.Message) int {
	n := 0
	for _, m := range msgs {
		b := len(m.Content) + len(m.Reasoning)
		for _, c := range m.ToolCalls {
			b += len(c.Name) + len(c.Arguments) + 16
		}
		n += b/3 + 6
	}
	return n
}

func estimateToolTokens(tools []chat.Tool) int {
	b := 0
	for _, t := range tools {
		b += len(t.Name) + len(t.Description) + len(t.Parameters) + 32
	}
	return b / 3
}

// Tokens returns the size of the context in tokens: exact when the client
// has the model's tokenizer, else the server's count of the last call plus
// an estimate of what was added since, else an estimate.
func (a *Agent) Tokens() int {
	req := a.request()
	if tc, ok := a.cfg.Client.(TokenCounter); ok {
		if n, err := tc.CountTokens(req.Messages, req.Tools); err == nil {
			return n
		}
	}
	if a.usageAt > 0 && a.usageAt <= len(a.msgs) {
		return a.usageTokens + estimateTokens(a.msgs[a.usageAt:])
	}
	return estimateTokens(req.Messages) + estimateToolTokens(req.Tools)
}

// Window returns the context length the agent works with, in tokens.
func (a *Agent) Window() int { return a.window() }

func (a *Agent) overThreshold() bool {
	return float64(a.Tokens()) > a.cfg.CompactAt*float64(a.window())
}

// keepBudget is how many tokens of recent messages compaction keeps as they
// are: a quarter of the window.
func (a *Agent) keepBudget() int { return a.window() / 4 }

// cutIndex returns where to cut the context for compaction: the messages
// before it are summarized, those from it on are kept. The kept part is the
// longest suffix within budget that starts at a user or assistant message
// (never at a tool result, which must follow its call). 0 means there is
// nothing worth summarizing (at most the first message).
func (a *Agent) cutIndex(budget int) int {
	cut := len(a.msgs)
	size := 0
	for i := len(a.msgs) - 1; i > 0; i-- {
		size += estimateTokens(a.msgs[i : i+1])
		if size > budget {
			break
		}
		if a.msgs[i].Role != chat.RoleTool {
			cut = i
		}
	}
	if cut <= 1 {
		// Only the first message would go: nothing worth summarizing.
		return 0
	}
	return cut
}

// ErrCannotCompact: the conversation is too short to compact.
var ErrCannotCompact = errors.New("agent: nothing to compact")

// Compact summarizes the conversation now (the /compact command), keeping
// the latest messages as they are.
func (a *Agent) Compact(ctx context.Context) error {
	var u Usage
	// Keep the latest exchange, from the last prompt on; summarize all
	// when there is no earlier one.
	cut := 0
	for i := len(a.msgs) - 1; i > 0; i-- {
		if a.msgs[i].Role == chat.RoleUser {
			cut = i
			break
		}
	}
	if cut == 0 && len(a.msgs) >= 2 {
		cut = len(a.msgs)
	}
	return a.compactAt(ctx, cut, &u)
}

const summarizerSystem = `You write summaries of coding sessions. Another assistant will continue the work from your summary alone, so keep every fact it needs and nothing else.`

const summarizeRequest = `Summarize the conversation above for the assistant who will continue it. Write plain text under these headings:
Task: what the user asked for, with their exact requirements.
Done: what was found and changed so far (files, functions, commands and their results).
State: what works, what fails, with the exact error messages that matter.
Next: the steps that remain.
Be concise; do not invent anything.`

func (a *Agent) compact(ctx context.Context, usage *Usage) error {
	return a.compactAt(ctx, a.cutIndex(a.keepBudget()), usage)
}

// compactAt replaces the messages before cut with a summary.
func (a *Agent) compactAt(ctx context.Context, cut int, usage *Usage) error {
	if cut <= 0 {
		return ErrCannotCompact
	}
	before := a.Tokens()
	old, kept := a.msgs[:cut], a.msgs[cut:]
	transcript := renderTranscript(old, 1500)
	req := Request{
		Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: summarizerSystem},
			{Role: chat.RoleUser, Content: "<conversation>\n" + transcript + "</conversation>\n\n" + summarizeRequest},
		},
		MaxTokens: max(256, a.window()/8),
	}
	resp, err := a.cfg.Client.Stream(ctx, req, func(Delta) error { return nil })
	if err != nil {
		return fmt.Errorf("agent: compact: %w", err)
	}
	*usage = usage.Add(resp.Usage)
	summary := strings.TrimSpace(resp.Message.Content)
	if summary == "" {
		return fmt.Errorf("agent: compact: the model wrote an empty summary")
	}
	head := "[This conversation was compacted. Summary of the earlier part:]\n" + summary
	// The request being worked on must survive even when it was summarized.
	if lastUser := lastUserMessage(old); lastUser != "" && lastUserMessage(kept) == "" {
		head += "\n\n[The user's latest request, verbatim:]\n" + lastUser
	}
	var msgs []chat.Message
	if len(kept) > 0 && kept[0].Role == chat.RoleUser {
		first := kept[0]
		first.Content = head + "\n\n" + first.Content
		msgs = append([]chat.Message{first}, kept[1:]...)
	} else {
		msgs = append([]chat.Message{{Role: chat.RoleUser, Content: head}}, kept...)
		if len(kept) == 0 {
			// Keep the turns alternating for the next prompt.
			msgs = append(msgs, chat.Message{Role: chat.RoleAssistant, Content: "Understood. I will continue from this summary."})
		}
	}
	a.msgs = msgs
	a.usageAt, a.usageTokens = 0, 0
	if a.cfg.Recorder != nil {
		if err := a.cfg.Recorder.Replace(msgs); err != nil {
			return err
		}
	}
	a.emit(Compacted{TokensBefore: before, TokensAfter: a.Tokens(), Summary: summary})
	return nil
}

func lastUserMessage(msgs []chat.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == chat.RoleUser {
			return msgs[i].Content
		}
	}
	return ""
}

// renderTranscript writes messages as plain text for the summarizer, each
// tool result cut to at most maxResult bytes.
func renderTranscript(msgs []chat.Message, maxResult int) string {
	var b strings.Builder
	for _, m := range msgs {
		switch m.Role {
		case chat.RoleUser:
			fmt.Fprintf(&b, "USER: %s\n\n", m.Content)
		case chat.RoleAssistant:
			if m.Content != "" {
				fmt.Fprintf(&b, "ASSISTANT: %s\n", m.Content)
			}
			for _, c := range m.ToolCalls {
				fmt.Fprintf(&b, "ASSISTANT CALLS %s %s\n", c.Name, clip(string(c.Arguments), 400))
			}
			b.WriteString("\n")
		case chat.RoleTool:
			fmt.Fprintf(&b, "RESULT of %s: %s\n\n", m.Name, truncate(m.Content, maxResult))
		}
	}
	return b.String()
}
