package agent

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/chat"
)

type harness struct {
	client *fakeClient
	tools  *fakeTools
	rec    *memRecorder
	events []Event
	agent  *Agent
}

func newHarness(t *testing.T, resps []Response, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{client: &fakeClient{resps: resps}, tools: &fakeTools{}, rec: &memRecorder{}}
	cfg := Config{Client: h.client, Tools: h.tools, Recorder: h.rec, System: "SYS", Events: func(e Event) { h.events = append(h.events, e) }}
	if edit != nil {
		edit(&cfg)
	}
	h.agent = New(cfg, nil, 0)
	return h
}

func (h *harness) kinds() []string {
	var k []string
	for _, e := range h.events {
		k = append(k, e.Kind())
	}
	return k
}

// toolResults returns the content of the tool messages of the conversation.
func (h *harness) toolResults() []string {
	var out []string
	for _, m := range h.agent.Messages() {
		if m.Role == chat.RoleTool {
			out = append(out, m.Content)
		}
	}
	return out
}

func TestRunSimple(t *testing.T) {
	h := newHarness(t, []Response{call("echo", `{"text": "hi"}`), say("all done")}, nil)
	res, err := h.agent.Run(context.Background(), "say hi")
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "all done" || res.Steps != 2 || len(res.ToolCalls) != 1 || res.Usage != (Usage{20, 4}) {
		t.Fatalf("result %+v", res)
	}
	want := []string{"turn_started", "tool_call", "tool_result", "text", "turn_finished"}
	if got := h.kinds(); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if got := h.toolResults(); !reflect.DeepEqual(got, []string{"hi"}) {
		t.Fatalf("tool results %q", got)
	}
	// Every message is recorded, the system prompt is not.
	if len(h.rec.msgs) != 4 || !reflect.DeepEqual(h.rec.msgs, h.agent.Messages()) {
		t.Fatalf("recorded %+v", h.rec.msgs)
	}
	// The model saw the system prompt first and the tool result last.
	last := h.client.requests[1].Messages
	if last[0].Role != chat.RoleSystem || last[0].Content != "SYS" || last[len(last)-1].Content != "hi" {
		t.Fatalf("second request %+v", last)
	}
	// Calls get ids, and results answer them.
	msgs := h.agent.Messages()
	if id := msgs[1].ToolCalls[0].ID; id == "" || msgs[2].ToolCallID != id {
		t.Fatalf("ids: %+v", msgs)
	}
}

func TestBadCallsGoBackToTheModel(t *testing.T) {
	tests := []struct {
		name string
		resp Response
		want string
	}{
		{"unknown tool", call("nope", `{}`), `there is no tool named "nope". The tools are: bash, block, echo, touch.`},
		{"invalid JSON", call("echo", `{"text": "hi`), "the arguments are not valid JSON"},
		{"not an object", call("echo", `["hi"]`), "must be a JSON object"},
		{"missing argument", call("echo", `{}`), `needs the argument "text"`},
		{"wrong type", call("echo", `{"text": 3}`), `"text" of echo must be of type string`},
		{"malformed", Response{Malformed: []Malformed{{Name: "echo", Raw: "<tool_call>{echo", Err: "unterminated JSON"}}}, "could not be read: unterminated JSON. The call as you wrote it: <tool_call>{echo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []Response{tt.resp, call("echo", `{"text":"fixed"}`), say("ok")}, nil)
			res, err := h.agent.Run(context.Background(), "go")
			if err != nil {
				t.Fatal(err)
			}
			got := h.toolResults()
			if len(got) != 2 || !strings.HasPrefix(got[0], "error: ") || !strings.Contains(got[0], tt.want) || got[1] != "fixed" {
				t.Fatalf("tool results %q, want an error with %q", got, tt.want)
			}
			if len(h.tools.ran) != 1 || !res.ToolCalls[0].IsError {
				t.Fatalf("ran %v, calls %+v", h.tools.ran, res.ToolCalls)
			}
			// The kept message has valid JSON arguments everywhere.
			for _, m := range h.rec.msgs {
				for _, c := range m.ToolCalls {
					if !json.Valid(c.Arguments) {
						t.Errorf("kept invalid arguments %q", c.Arguments)
					}
				}
			}
		})
	}
}

func TestLoopDetection(t *testing.T) {
	var resps []Response
	for range 6 {
		resps = append(resps, call("echo", `{"text":"same"}`))
	}
	h := newHarness(t, resps, nil)
	res, err := h.agent.Run(context.Background(), "go")
	if !errors.Is(err, ErrLoop) {
		t.Fatalf("err = %v, want ErrLoop", err)
	}
	got := h.toolResults()
	if len(got) != 5 || len(h.tools.ran) != 4 {
		t.Fatalf("results %q, ran %d", got, len(h.tools.ran))
	}
	if strings.Contains(got[1], "[atelier]") || !strings.Contains(got[2], "exact call 3 times") || !strings.Contains(got[4], "not run") {
		t.Fatalf("results %q", got)
	}
	if res.Steps != 5 || h.kinds()[len(h.events)-1] != "error" {
		t.Fatalf("steps %d, events %v", res.Steps, h.kinds())
	}
	// Arguments that differ only in spacing are the same call; a file
	// change resets the count.
	h = newHarness(t, []Response{
		call("echo", `{"text":"a"}`), call("echo", `{ "text" : "a" }`), call("touch", `{"path":"f"}`),
		call("echo", `{"text":"a"}`), call("echo", `{"text":"a"}`), call("echo", `{"text":"a"}`), say("done"),
	}, nil)
	if _, err := h.agent.Run(context.Background(), "go"); err != nil {
		t.Fatalf("reset by a change: %v", err)
	}
	if got := h.toolResults(); !strings.Contains(got[5], "exact call 3 times") || strings.Contains(got[4], "[atelier]") {
		t.Fatalf("results %q", got)
	}
}

func TestMaxTurns(t *testing.T) {
	h := newHarness(t, []Response{call("echo", `{"text":"1"}`), call("echo", `{"text":"2"}`), say("x")}, func(c *Config) { c.MaxTurns = 2 })
	_, err := h.agent.Run(context.Background(), "go")
	if !errors.Is(err, ErrMaxTurns) || !strings.Contains(err.Error(), "--max-turns") {
		t.Fatalf("err = %v", err)
	}
}

func TestPermissions(t *testing.T) {
	t.Run("not interactive", func(t *testing.T) {
		h := newHarness(t, []Response{call("bash", `{"command":"go test ./..."}`), say("could not")}, func(c *Config) { c.Gate = fakeGate{} })
		res, err := h.agent.Run(context.Background(), "go")
		if err != nil {
			t.Fatal(err)
		}
		if len(h.tools.ran) != 0 || !res.ToolCalls[0].Denied || !strings.Contains(h.toolResults()[0], "not interactive") {
			t.Fatalf("ran %v, result %q", h.tools.ran, h.toolResults())
		}
	})
	t.Run("deny rule", func(t *testing.T) {
		h := newHarness(t, []Response{call("bash", `{"command":"rm -rf /"}`), say("ok")}, func(c *Config) { c.Gate = fakeGate{} })
		h.agent.Run(context.Background(), "go")
		if len(h.tools.ran) != 0 || !strings.Contains(h.toolResults()[0], "rm is not allowed") {
			t.Fatalf("ran %v, result %q", h.tools.ran, h.toolResults())
		}
	})
	t.Run("answers", func(t *testing.T) {
		answers := []Answer{No, Yes, AlwaysPrefix, AlwaysTool}
		var asked []string
		var h *harness
		h = newHarness(t, []Response{
			call("bash", `{"command":"go test ./..."}`),     // no
			call("bash", `{"command":"go test ./a"}`),       // yes
			call("bash", `{"command":"go test ./b"}`),       // always "go test"
			call("bash", `{"command":"go test ./c"}`),       // granted
			call("bash", `{"command":"go test ./c; curl"}`), // not covered: asked, always bash
			call("bash", `{"command":"make"}`),              // granted by tool
			call("touch", `{"path":"x"}`),                   // another tool: asked, no
			say("done"),
		}, func(c *Config) {
			c.Gate = fakeGate{}
			c.Interactive = true
			c.Events = func(e Event) {
				h.events = append(h.events, e)
				if p, ok := e.(PermissionRequest); ok {
					asked = append(asked, p.Prefix+"|"+p.Preview)
					a := No
					if len(answers) > 0 {
						a, answers = answers[0], answers[1:]
					}
					p.Answer(a)
				}
			}
		})
		if _, err := h.agent.Run(context.Background(), "go"); err != nil {
			t.Fatal(err)
		}
		wantAsked := []string{"go test|PREVIEW bash", "go test|PREVIEW bash", "go test|PREVIEW bash", "go test|PREVIEW bash", "|PREVIEW touch"}
		if !reflect.DeepEqual(asked, wantAsked) {
			t.Errorf("asked %q, want %q", asked, wantAsked)
		}
		if len(h.tools.ran) != 5 {
			t.Errorf("ran %q", h.tools.ran)
		}
		if r := h.toolResults(); !strings.Contains(r[0], "said no") || !strings.Contains(r[6], "said no") {
			t.Errorf("results %q", r)
		}
	})
	t.Run("cancel while asking", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		h := newHarness(t, []Response{call("bash", `{"command":"ls"}`), say("x")}, func(c *Config) {
			c.Gate = fakeGate{}
			c.Interactive = true
			c.Events = func(e Event) {
				if _, ok := e.(PermissionRequest); ok {
					cancel()
				}
			}
		})
		if _, err := h.agent.Run(ctx, "go"); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if len(h.tools.ran) != 0 || len(h.toolResults()) != 1 {
			t.Fatalf("ran %v, results %q", h.tools.ran, h.toolResults())
		}
	})
}

func TestCancelDuringToolKeepsConversationConsistent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	two := Response{Message: chat.Message{ToolCalls: []chat.ToolCall{{Name: "block"}, {Name: "echo", Arguments: json.RawMessage(`{"text":"x"}`)}}}}
	h := newHarness(t, []Response{two, say("x")}, func(c *Config) {
		c.Events = func(e Event) {
			if s, ok := e.(ToolCallStarted); ok && s.Call.Name == "block" {
				cancel()
			}
		}
	})
	_, err := h.agent.Run(ctx, "go")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if r := h.toolResults(); len(r) != 2 || !strings.Contains(r[1], "not run") {
		t.Fatalf("results %q", r)
	}
	// The conversation continues after it.
	h.client.resps = []Response{say("resumed")}
	res, err := h.agent.Run(context.Background(), "")
	if err != nil || res.Text != "resumed" {
		t.Fatalf("continue: %+v %v", res, err)
	}
}

func TestContinueRepairsUnansweredCalls(t *testing.T) {
	history := []chat.Message{
		{Role: chat.RoleUser, Content: "go"},
		{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "a", Name: "echo", Arguments: json.RawMessage(`{"text":"1"}`)}, {ID: "b", Name: "echo", Arguments: json.RawMessage(`{"text":"2"}`)}}},
		{Role: chat.RoleTool, ToolCallID: "a", Name: "echo", Content: "1"},
	}
	rec := &memRecorder{}
	client := &fakeClient{resps: []Response{say("finished")}}
	a := New(Config{Client: client, Tools: &fakeTools{}, Recorder: rec}, history, 1)
	res, err := a.Run(context.Background(), "")
	if err != nil || res.Text != "finished" {
		t.Fatalf("%+v %v", res, err)
	}
	msgs := a.Messages()
	if len(msgs) != 5 || msgs[3].ToolCallID != "b" || !strings.Contains(msgs[3].Content, "interrupted") || len(rec.msgs) != 2 {
		t.Fatalf("messages %+v", msgs)
	}
	if a.Turn() != 1 {
		t.Fatalf("turn %d", a.Turn())
	}
	// Nothing to continue now.
	if _, err := a.Run(context.Background(), ""); !errors.Is(err, ErrNothingToContinue) {
		t.Fatalf("err = %v", err)
	}
}

func TestCompaction(t *testing.T) {
	long := strings.Repeat("word ", 300) // ~500 estimated tokens
	var resps []Response
	for i := range 8 {
		resps = append(resps, call("echo", `{"text":"`+long+string(rune('a'+i))+`"}`))
	}
	resps = append(resps, say("done"))
	for i := range resps {
		resps[i].Usage = Usage{} // count by estimate
	}
	h := newHarness(t, resps, func(c *Config) { c.ContextWindow = 4096 })
	res, err := h.agent.Run(context.Background(), "the task")
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "done" {
		t.Fatalf("result %+v", res)
	}
	var compacted []Compacted
	for _, e := range h.events {
		if c, ok := e.(Compacted); ok {
			compacted = append(compacted, c)
		}
	}
	if len(compacted) == 0 || h.rec.replaced != len(compacted) {
		t.Fatalf("compacted %d times, recorded %d", len(compacted), h.rec.replaced)
	}
	for _, c := range compacted {
		if c.TokensAfter >= c.TokensBefore || c.Summary != "SUMMARY" {
			t.Errorf("compaction %+v", c)
		}
	}
	msgs := h.agent.Messages()
	if msgs[0].Role != chat.RoleUser || !strings.Contains(msgs[0].Content, "SUMMARY") || !strings.Contains(msgs[0].Content, "the task") {
		t.Fatalf("first message after compaction: %+v", msgs[0])
	}
	if h.agent.Tokens() > 4096*3/4 {
		t.Errorf("context still %d tokens", h.agent.Tokens())
	}
	// The recorder holds the same context as the agent.
	if !reflect.DeepEqual(h.rec.msgs, msgs) {
		t.Errorf("recorder and agent differ")
	}
	// A tool result never starts the kept part.
	for i, m := range msgs {
		if m.Role == chat.RoleTool && (i == 0 || msgs[i-1].Role == chat.RoleUser) {
			t.Errorf("orphan tool result at %d", i)
		}
	}
}

func TestCompactOnDemandAndClear(t *testing.T) {
	h := newHarness(t, []Response{call("echo", `{"text":"x"}`), say("one"), say("two")}, nil)
	h.agent.Run(context.Background(), "first")
	h.agent.Run(context.Background(), "second")
	if err := h.agent.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msgs := h.agent.Messages(); !strings.Contains(msgs[0].Content, "SUMMARY") {
		t.Fatalf("%+v", msgs)
	}
	if err := h.agent.Clear(); err != nil || len(h.agent.Messages()) != 0 || len(h.rec.msgs) != 0 {
		t.Fatalf("clear: %v %d", err, len(h.agent.Messages()))
	}
	if err := h.agent.Compact(context.Background()); !errors.Is(err, ErrCannotCompact) {
		t.Fatalf("compact of nothing: %v", err)
	}
}

func TestNote(t *testing.T) {
	h := newHarness(t, []Response{say("ok")}, nil)
	h.agent.Note("the user undid the last turn")
	h.agent.Run(context.Background(), "go on")
	if got := h.agent.Messages()[0].Content; got != "(the user undid the last turn)\n\ngo on" {
		t.Fatalf("prompt %q", got)
	}
}

func TestTruncate(t *testing.T) {
	var lines []string
	for i := range 1000 {
		lines = append(lines, strings.Repeat("x", 20)+string(rune('0'+i%10)))
	}
	long := strings.Join(lines, "\n")
	tests := []struct {
		in   string
		max  int
		same bool
	}{
		{"short", 100, true},
		{long, len(long), true},
		{long, 2000, false},
		{strings.Repeat("é", 5000), 1000, false},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.max)
		if tt.same {
			if got != tt.in {
				t.Errorf("truncate changed a short input")
			}
			continue
		}
		if len(got) > tt.max+100 || !strings.Contains(got, "left out") {
			t.Errorf("truncate(%d bytes, %d) = %d bytes", len(tt.in), tt.max, len(got))
		}
		if !strings.HasPrefix(tt.in, strings.SplitN(got, "\n[…", 2)[0]) || !strings.HasSuffix(tt.in, got[strings.Index(got, "…]\n")+len("…]\n"):]) {
			t.Errorf("head or tail not kept")
		}
	}
}

func TestMarshalEvent(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{TextDelta{Text: "hi"}, `{"text":"hi","type":"text"}`},
		{Error{Err: errors.New("boom")}, `{"error":"boom","type":"error"}`},
		{ToolCallStarted{Call: chat.ToolCall{ID: "1", Name: "read", Arguments: json.RawMessage(`{"path":"a"}`)}}, `{"call":{"arguments":{"path":"a"},"id":"1","name":"read"},"type":"tool_call"}`},
	}
	for _, tt := range tests {
		b, err := MarshalEvent(tt.e)
		if err != nil || string(b) != tt.want {
			t.Errorf("MarshalEvent(%T) = %s, %v; want %s", tt.e, b, err, tt.want)
		}
	}
}

// A file change is recorded before the tool writes it and checkpointed
// after, under the turn's number.
func TestWriteAhead(t *testing.T) {
	h := newHarness(t, []Response{call("touch", `{"path":"f"}`), call("touch", `{"path":"g"}`), say("done")}, nil)
	if _, err := h.agent.Run(context.Background(), "go"); err != nil {
		t.Fatal(err)
	}
	want := []string{"prepare 1 f", "checkpoint 1 f", "prepare 1 g", "checkpoint 1 g"}
	if !reflect.DeepEqual(h.rec.log, want) {
		t.Fatalf("log %q, want %q", h.rec.log, want)
	}
}
