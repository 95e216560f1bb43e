package tui

// The agent's events as the transcript shows them: streamed text and
// reasoning, tool calls and their results, a run's end; and a saved
// conversation shown again.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/chat"
)

// event handles what the backend reported.
func (m *Model) event(e any) tea.Cmd {
	switch e := e.(type) {
	case runEnded:
		m.running, m.streaming, m.tool, m.cancel, m.runCtx = false, false, "", nil, nil
		m.perm = nil
		m.finishAnswer()
		if len(m.queued) > 0 && !m.quitting {
			q := m.queued[0]
			m.queued = m.queued[1:]
			return m.send(q.shown, q.prompt)
		}
		return m.be.tokens()
	case agent.TurnStarted:
		m.turns++
	case agent.ReasoningDelta:
		m.gotText()
		if b, ok := last[*reasoningBlock](&m.tr); ok && !b.done {
			b.text += e.Text
			b.ver++
		} else {
			m.tr.add(&reasoningBlock{text: e.Text})
		}
	case agent.TextDelta:
		m.gotText()
		if b, ok := last[*reasoningBlock](&m.tr); ok && !b.done {
			b.done = true
			b.ver++
		}
		if b, ok := last[*answerBlock](&m.tr); ok && !b.doc.done {
			b.add(e.Text)
		} else {
			b := &answerBlock{}
			b.add(e.Text)
			m.tr.add(b)
		}
	case agent.ToolCallStarted:
		m.endStep()
		m.finishAnswer()
		m.tool = e.Call.Name
		m.stepStart = m.now()
		m.tr.add(&toolBlock{call: e.Call})
	case agent.PermissionRequest:
		if b := m.toolBlock(e.Call.ID); b != nil {
			b.preview, b.state = e.Preview, toolAsking
			b.ver++
		}
		m.perm = &permDialog{req: e}
		m.tr.scroll = 0
	case agent.ToolResult:
		b := m.toolBlock(e.Call.ID)
		if b == nil {
			b = &toolBlock{call: e.Call}
			m.tr.add(b)
		}
		b.output = e.Output
		switch {
		case e.Denied:
			b.state = toolDenied
		case e.IsError:
			b.state = toolFailed
		default:
			b.state = toolOK
		}
		b.ver++
		if m.perm != nil && m.perm.req.Call.ID == e.Call.ID {
			m.perm = nil
		}
		m.tool = ""
		m.streaming = false
		m.stepStart = m.now()
	case agent.Compacted:
		m.notice(noticeInfo, fmt.Sprintf("Context compacted: %s → %s tokens.", short(e.TokensBefore), short(e.TokensAfter)))
	case agent.TurnFinished:
		m.endStep()
		m.finishAnswer()
		m.total = m.total.Add(e.Usage)
		if sp, ok := m.client.(Speedometer); ok && sp.LastSpeed() > 0 {
			m.speed = sp.LastSpeed()
		} else if m.streamDur > 0 && e.Usage.CompletionTokens > 0 {
			m.speed = float64(e.Usage.CompletionTokens) / m.streamDur.Seconds()
		}
	case agent.Error:
		m.endStep()
		m.finishAnswer()
		if errors.Is(e.Err, context.Canceled) {
			m.notice(noticeWarn, "Interrupted.")
		} else {
			m.notice(noticeError, e.Err.Error())
		}
	}
	return nil
}

func (m *Model) endTask(t *task) {
	if m.task == t {
		m.task = nil
	}
}

// gotText notes the first text of a model call.
func (m *Model) gotText() {
	if !m.streaming {
		m.streaming = true
		m.stepStart = m.now()
	}
}

// endStep adds the streaming time of the model call that ends.
func (m *Model) endStep() {
	if m.streaming {
		m.streamDur += m.now().Sub(m.stepStart)
	}
	m.streaming = false
}

func (m *Model) finishAnswer() {
	if b, ok := last[*answerBlock](&m.tr); ok && !b.doc.done {
		b.finish()
	}
	if b, ok := last[*reasoningBlock](&m.tr); ok && !b.done {
		b.done = true
		b.ver++
	}
}

func (m *Model) toolBlock(id string) *toolBlock {
	for i := len(m.tr.blocks) - 1; i >= 0; i-- {
		if b, ok := m.tr.blocks[i].(*toolBlock); ok && b.call.ID == id {
			return b
		}
	}
	return nil
}

// replay shows a saved conversation.
func (m *Model) replay(msgs []chat.Message) {
	for _, msg := range msgs {
		switch msg.Role {
		case chat.RoleUser:
			m.tr.add(&userBlock{text: msg.Content})
		case chat.RoleAssistant:
			if msg.Reasoning != "" {
				m.tr.add(&reasoningBlock{text: msg.Reasoning, done: true})
			}
			if strings.TrimSpace(msg.Content) != "" {
				b := &answerBlock{}
				b.add(msg.Content)
				b.finish()
				m.tr.add(b)
			}
			for _, c := range msg.ToolCalls {
				m.tr.add(&toolBlock{call: c, state: toolOK})
			}
		case chat.RoleTool:
			if b := m.toolBlock(msg.ToolCallID); b != nil {
				b.output = msg.Content
				if strings.HasPrefix(msg.Content, "error") || strings.HasPrefix(msg.Content, "denied") {
					b.state = toolFailed
				}
				b.ver++
			}
		}
	}
}
