// Package scripted is a model that replays a recorded transcript, for
// deterministic tests of the agent: as an agent.Client in process, and as an
// HTTP handler speaking the OpenAI chat-completions wire format (streaming
// and not), so the same transcript drives the OpenAI-compatible backend.
//
// A transcript is JSON:
//
//	{"turns": [
//	  {"expect": "FAIL", "text": "The test fails; let me read it.",
//	   "tool_calls": [{"name": "read", "arguments": {"path": "calc.go"}}]},
//	  {"tool_calls": [{"name": "edit", "arguments": "{\"path\": \"calc.go\""}]},
//	  {"text": "Fixed."}
//	]}
//
// Each turn is one answer of the model. "arguments" is the JSON object of
// the call, or a JSON string holding the arguments text verbatim (to script
// invalid JSON). "expect", when set, is a text the last message sent to the
// model must contain (the result the model is meant to react to); a request
// that lacks it fails the test. Requests without tools (the agent asking for
// a summary) are answered with a fixed summary and use no turn.
package scripted

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Call is a scripted tool call.
type Call struct {
	Name string `json:"name"`
	// Arguments is a JSON object, or a JSON string with the raw text.
	Arguments json.RawMessage `json:"arguments,omitempty"`
}

// Raw returns the arguments text as the model writes it.
func (c Call) Raw() string {
	a := bytes.TrimSpace(c.Arguments)
	if len(a) == 0 {
		return "{}"
	}
	if a[0] == '"' {
		var s string
		if json.Unmarshal(a, &s) == nil {
			return s
		}
	}
	return string(a)
}

// Malformed is a call the model wrote so badly that no parser could read
// it; the in-process client reports it as agent.Malformed, the HTTP handler
// as plain text.
type Malformed struct {
	Name string `json:"name,omitempty"`
	Raw  string `json:"raw"`
	Err  string `json:"err"`
}

// Turn is one scripted answer.
type Turn struct {
	Expect    string      `json:"expect,omitempty"`
	Reasoning string      `json:"reasoning,omitempty"`
	Text      string      `json:"text,omitempty"`
	ToolCalls []Call      `json:"tool_calls,omitempty"`
	Malformed []Malformed `json:"malformed,omitempty"`
}

// Transcript is a scripted conversation.
type Transcript struct {
	Turns []Turn `json:"turns"`
}

// Parse reads a transcript.
func Parse(data []byte) (*Transcript, error) {
	var t Transcript
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("scripted: %w", err)
	}
	return &t, nil
}

// Load reads a transcript file.
func Load(path string) (*Transcript, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scripted: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("scripted: %s: %w", path, err)
	}
	return t, nil
}

// Summary is the answer to a request without tools.
const Summary = "Summary: the scripted conversation so far."

// ErrExhausted: the model was asked for more turns than the script has.
var ErrExhausted = errors.New("scripted: no turns left")

// player hands out the turns in order; it is shared by the client and the
// handler.
type player struct {
	mu     sync.Mutex
	t      *Transcript
	next   int
	strict bool
}

// turn returns the next turn for a request whose last message has content
// last.
func (p *player) turn(last string, withTools bool) (Turn, error) {
	if !withTools {
		return Turn{Text: Summary}, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next >= len(p.t.Turns) {
		return Turn{}, fmt.Errorf("%w (after %d)", ErrExhausted, len(p.t.Turns))
	}
	t := p.t.Turns[p.next]
	if p.strict && t.Expect != "" && !strings.Contains(last, t.Expect) {
		return Turn{}, fmt.Errorf("scripted: turn %d expects the last message to contain %q; it is %q", p.next+1, t.Expect, clip(last, 2000))
	}
	p.next++
	return t, nil
}

// Position returns how many turns were played.
func (p *player) Position() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// pieces splits text into a few chunks, as a streaming model sends it.
func pieces(s string) []string {
	var out []string
	for len(s) > 0 {
		n := min(len(s), 7)
		for n < len(s) && (s[n]&0xC0) == 0x80 {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func lastContent(msgs []chat.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Content
}
