package toolcall

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/testshared"
)

var testTools = []chat.Tool{
	{Name: "read_file", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"},"start_line":{"type":"integer"}}}`)},
	{Name: "run", Parameters: json.RawMessage(`{"type":"object","properties":{"cmd":{"type":"string"},"timeout":{"type":"number"},"env":{"type":"object"},"args":{"type":"array"},"dry":{"type":"boolean"},"note":{"type":["string","null"]}}}`)},
}

// ev builds expected events compactly.
func text(s string) Event   { return Event{Kind: Text, Text: s} }
func reason(s string) Event { return Event{Kind: Reasoning, Text: s} }
func call(name, args string) Event {
	return Event{Kind: Call, Call: chat.ToolCall{Name: name, Arguments: json.RawMessage(args)}}
}
func fail(raw, msgPart string) Event { return Event{Kind: Error, Text: raw, Message: msgPart} }

type parseCase struct {
	name   string
	format Format
	prompt string // given to AfterPrompt
	in     string
	want   []Event
}

var parseCases = []parseCase{
	{"none keeps all", None, "", "<tool_call>{\"name\":\"x\"}</tool_call> <think>", []Event{text("<tool_call>{\"name\":\"x\"}</tool_call> <think>")}},
	{"hermes plain text", Hermes, "", "Hello <tool world>", []Event{text("Hello <tool world>")}},
	{"hermes text ending in partial opener", Hermes, "", "see <tool_ca", []Event{text("see <tool_ca")}},
	{"hermes call", Hermes, "", "Let me look.\n<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a.go\"}}\n</tool_call>",
		[]Event{text("Let me look.\n"), call("read_file", `{"path": "a.go"}`)}},
	{"hermes two calls", Hermes, "", "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"run\", \"arguments\": \"{\\\"cmd\\\": \\\"ls\\\"}\"}\n</tool_call>",
		[]Event{call("read_file", `{"path": "a"}`), text("\n"), call("run", `{"cmd": "ls"}`)}},
	{"hermes no arguments", Hermes, "", "<tool_call>{\"name\": \"run\"}</tool_call>done", []Event{call("run", `{}`), text("done")}},
	{"hermes bad json", Hermes, "", "<tool_call>\n{\"name\": \"run\", \"arguments\": {\"cmd\": }\n</tool_call>after",
		[]Event{fail("<tool_call>\n{\"name\": \"run\", \"arguments\": {\"cmd\": }\n</tool_call>", "not valid JSON"), text("after")}},
	{"hermes unknown tool", Hermes, "", "<tool_call>{\"name\": \"rm\", \"arguments\": {}}</tool_call>",
		[]Event{fail("<tool_call>{\"name\": \"rm\", \"arguments\": {}}</tool_call>", `no tool named "rm"; the tools are: read_file, run`)}},
	{"hermes arguments not object", Hermes, "", "<tool_call>{\"name\": \"run\", \"arguments\": [1]}</tool_call>",
		[]Event{fail("<tool_call>{\"name\": \"run\", \"arguments\": [1]}</tool_call>", "must be a JSON object")}},
	{"hermes unclosed but complete", Hermes, "", "<tool_call>\n{\"name\": \"run\", \"arguments\": {\"cmd\": \"ls\"}}\n", []Event{call("run", `{"cmd": "ls"}`)}},
	{"hermes unclosed and cut", Hermes, "", "<tool_call>\n{\"name\": \"run\", \"argu",
		[]Event{fail("<tool_call>\n{\"name\": \"run\", \"argu", "ends without </tool_call>")}},
	{"hermes closer inside string", Hermes, "", "<tool_call>{\"name\": \"run\", \"arguments\": {\"cmd\": \"echo ok\"}}</tool_call>", []Event{call("run", `{"cmd": "echo ok"}`)}},

	{"qwen3 think then call", Qwen3, "", "<think>\nI should list.\n\n</think>\n\nListing.\n<tool_call>\n{\"name\": \"run\", \"arguments\": {\"cmd\": \"ls\"}}\n</tool_call>",
		[]Event{reason("I should list."), text("Listing.\n"), call("run", `{"cmd": "ls"}`)}},
	{"qwen3 leading whitespace before think", Qwen3, "", "\n <think>a\nb</think>c", []Event{reason("a\nb"), text("c")}},
	{"qwen3 no think", Qwen3, "", "Just text <think> here", []Event{text("Just text <think> here")}},
	{"qwen3 almost think", Qwen3, "", "<thinking>x", []Event{text("<thinking>x")}},
	{"qwen3 think opened in prompt", Qwen3, "<|im_start|>assistant\n<think>\n", "Hmm.\n</think>\n\nHi", []Event{reason("Hmm."), text("Hi")}},
	{"qwen3 think closed in prompt", Qwen3, "<|im_start|>assistant\n<think>\n\n</think>\n\n", "Hi", []Event{text("Hi")}},
	{"qwen3 unfinished think", Qwen3, "", "<think>still going\n", []Event{reason("still going")}},
	{"qwen3 tool_call inside think is reasoning", Qwen3, "", "<think><tool_call>x</tool_call></think>ok", []Event{reason("<tool_call>x</tool_call>"), text("ok")}},
	{"smollm3 think", SmolLM3, "", "<think>\nplan\n</think>\nanswer", []Event{reason("plan"), text("answer")}},

	{"qwen3-coder call", Qwen3Coder, "", "I'll run it.\n<tool_call>\n<function=run>\n<parameter=cmd>\nls -la\n</parameter>\n<parameter=timeout>\n90.5\n</parameter>\n<parameter=env>\n{\"A\": \"1\"}\n</parameter>\n<parameter=args>\n[\"-v\"]\n</parameter>\n<parameter=dry>\ntrue\n</parameter>\n<parameter=note>\nnull\n</parameter>\n</function>\n</tool_call>",
		[]Event{text("I'll run it.\n"), call("run", `{"cmd":"ls -la","timeout":90.5,"env":{"A":"1"},"args":["-v"],"dry":true,"note":null}`)}},
	{"qwen3-coder string stays raw", Qwen3Coder, "", "<tool_call>\n<function=read_file>\n<parameter=path>\n123\n</parameter>\n<parameter=start_line>\n7\n</parameter>\n</function>\n</tool_call>",
		[]Event{call("read_file", `{"path":"123","start_line":7}`)}},
	{"qwen3-coder multiline value with tags", Qwen3Coder, "", "<tool_call>\n<function=run>\n<parameter=cmd>\ncat <<EOF\n<b>\"x\"</b>\nEOF\n</parameter>\n</function>\n</tool_call>",
		[]Event{call("run", `{"cmd":"cat <<EOF\n<b>\"x\"</b>\nEOF"}`)}},
	{"qwen3-coder bad typed value stays string", Qwen3Coder, "", "<tool_call><function=run><parameter=timeout>soon</parameter><parameter=dry>False</parameter></function></tool_call>",
		[]Event{call("run", `{"timeout":"soon","dry":false}`)}},
	{"qwen3-coder unknown parameter is string", Qwen3Coder, "", "<tool_call><function=run><parameter=extra>42</parameter></function></tool_call>",
		[]Event{call("run", `{"extra":"42"}`)}},
	{"qwen3-coder without tool_call", Qwen3Coder, "", "ok\n<function=run>\n<parameter=cmd>\npwd\n</parameter>\n</function>\nbye",
		[]Event{text("ok\n"), call("run", `{"cmd":"pwd"}`), text("\nbye")}},
	{"qwen3-coder missing closers", Qwen3Coder, "", "<tool_call>\n<function=run>\n<parameter=cmd>\npwd\n</tool_call>",
		[]Event{call("run", `{"cmd":"pwd"}`)}},
	{"qwen3-coder no function", Qwen3Coder, "", "<tool_call>\n{\"name\": \"run\"}\n</tool_call>",
		[]Event{fail("<tool_call>\n{\"name\": \"run\"}\n</tool_call>", "no <function=NAME>")}},
	{"qwen3-coder duplicate parameter", Qwen3Coder, "", "<tool_call><function=run><parameter=cmd>a</parameter><parameter=cmd>b</parameter></function></tool_call>",
		[]Event{fail("<tool_call><function=run><parameter=cmd>a</parameter><parameter=cmd>b</parameter></function></tool_call>", "given twice")}},
	{"qwen3-xml think and call", Qwen3XML, "", "<think>\nx\n</think>\n\n<tool_call>\n<function=run>\n<parameter=cmd>\nls\n</parameter>\n</function>\n</tool_call>",
		[]Event{reason("x"), call("run", `{"cmd":"ls"}`)}},

	{"llama call", Llama3, "", "{\"name\": \"run\", \"parameters\": {\"cmd\": \"ls\"}}", []Event{call("run", `{"cmd": "ls"}`)}},
	{"llama call after whitespace", Llama3, "", "\n\n {\"type\": \"function\", \"name\": \"run\", \"parameters\": {\"cmd\": \"}\"}}", []Event{call("run", `{"cmd": "}"}`)}},
	{"llama python tag", Llama3, "", "<|python_tag|>{\"name\": \"read_file\", \"parameters\": {\"path\": \"x\"}}", []Event{call("read_file", `{"path": "x"}`)}},
	{"llama two calls", Llama3, "", "{\"name\": \"run\", \"parameters\": {}}; {\"name\": \"run\", \"parameters\": {\"cmd\": \"pwd\"}}",
		[]Event{call("run", `{}`), call("run", `{"cmd": "pwd"}`)}},
	{"llama text", Llama3, "", "Use {braces} like this.", []Event{text("Use {braces} like this.")}},
	{"llama json answer", Llama3, "", "{\"answer\": 42} is it", []Event{text("{\"answer\": 42} is it")}},
	{"llama brace text", Llama3, "", "{braces} are text", []Event{text("{braces} are text")}},
	{"llama cut call", Llama3, "", "{\"name\": \"run\", \"parameters\": {\"cmd\": ",
		[]Event{fail("{\"name\": \"run\", \"parameters\": {\"cmd\": ", "incomplete")}},
	{"llama unknown tool", Llama3, "", "{\"name\": \"nope\", \"parameters\": {}}",
		[]Event{fail("{\"name\": \"nope\", \"parameters\": {}}", `no tool named "nope"`)}},
	{"llama python code", Llama3, "", "<|python_tag|>brave_search.call(query=\"x\")",
		[]Event{fail("<|python_tag|>brave_search.call(query=\"x\")", "After <|python_tag|> write a JSON tool call")}},
	{"llama text then python tag", Llama3, "", "Sure. <|python_tag|>{\"name\": \"run\", \"parameters\": {\"cmd\": \"ls\"}}",
		[]Event{text("Sure. "), call("run", `{"cmd": "ls"}`)}},
	{"llama whitespace only", Llama3, "", "  \n", []Event{text("  \n")}},
}

// run feeds the chunks and returns the events, text and reasoning deltas
// merged, call IDs checked and cleared.
func run(t *testing.T, c parseCase, chunks []string) []Event {
	t.Helper()
	p := NewParser(c.format, testTools)
	p.AfterPrompt(c.prompt)
	var all []Event
	for _, ch := range chunks {
		all = append(all, p.Add(ch)...)
	}
	all = append(all, p.Finish()...)
	var out []Event
	for _, e := range all {
		if e.Kind == Call {
			if !strings.HasPrefix(e.Call.ID, "call_") || len(e.Call.ID) < 12 {
				t.Errorf("call ID %q", e.Call.ID)
			}
			e.Call.ID = ""
		}
		if e.Text == "" && (e.Kind == Text || e.Kind == Reasoning) {
			t.Errorf("empty %v event", e.Kind)
		}
		if n := len(out); n > 0 && out[n-1].Kind == e.Kind && (e.Kind == Text || e.Kind == Reasoning) {
			out[n-1].Text += e.Text
			continue
		}
		out = append(out, e)
	}
	return out
}

func matches(got, want []Event) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.Text != w.Text || g.Call.Name != w.Call.Name || string(g.Call.Arguments) != string(w.Call.Arguments) {
			return false
		}
		if w.Kind == Error && !strings.Contains(g.Message, w.Message) {
			return false
		}
	}
	return true
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			// Whole, split at every byte, and byte by byte.
			splits := [][]string{{c.in}}
			for i := 1; i < len(c.in); i++ {
				splits = append(splits, []string{c.in[:i], c.in[i:]})
			}
			bytewise := make([]string, len(c.in))
			for i := range c.in {
				bytewise[i] = c.in[i : i+1]
			}
			splits = append(splits, bytewise)
			for _, chunks := range splits {
				if got := run(t, c, chunks); !matches(got, c.want) {
					t.Fatalf("chunks %q:\ngot  %s\nwant %s", chunks, show(got), show(c.want))
				}
			}
		})
	}
}

func show(es []Event) string {
	var b strings.Builder
	for _, e := range es {
		switch e.Kind {
		case Call:
			fmt.Fprintf(&b, "[call %s %s]", e.Call.Name, e.Call.Arguments)
		case Error:
			fmt.Fprintf(&b, "[error %q: %s]", e.Text, e.Message)
		default:
			fmt.Fprintf(&b, "[%v %q]", e.Kind, e.Text)
		}
	}
	return b.String()
}

func TestHoldBack(t *testing.T) {
	p := NewParser(Hermes, nil)
	if got := p.Add("text <tool"); !reflect.DeepEqual(got, []Event{text("text ")}) {
		t.Errorf("Add(\"text <tool\") = %s; want the text before \"<tool\" only", show(got))
	}
	if got := p.Add("_ca"); len(got) != 0 {
		t.Errorf("Add(\"_ca\") = %s; want nothing yet", show(got))
	}
	if got := p.Add("ke"); !reflect.DeepEqual(got, []Event{text("<tool_cake")}) {
		t.Errorf("Add(\"ke\") = %s; want the held text", show(got))
	}
}

func TestCallIDsUnique(t *testing.T) {
	p := NewParser(Hermes, nil)
	evs := p.Add(strings.Repeat("<tool_call>{\"name\": \"f\"}</tool_call>", 50))
	seen := map[string]bool{}
	for _, e := range evs {
		if e.Kind != Call || seen[e.Call.ID] {
			t.Fatalf("event %s: want a call with a fresh ID", show([]Event{e}))
		}
		seen[e.Call.ID] = true
	}
	if len(seen) != 50 {
		t.Errorf("got %d calls; want 50", len(seen))
	}
}

func TestDetectFormat(t *testing.T) {
	for _, c := range []struct {
		src  string
		want Format
	}{
		{"", None},
		{"{{ '<|im_start|>' + m.content }}", None},
		{"<tool_call>\n{\"name\": <function-name>}</tool_call>", Hermes},
		{"<tool_call><think>", Qwen3},
		{"<tool_call>\n<function=x>\n<parameter=y>", Qwen3Coder},
		{"<think><tool_call>\n<function=x>\n<parameter=y>", Qwen3XML},
		{"<|start_header_id|> {\"name\": function name, \"parameters\": dictionary}", Llama3},
		{"<|python_tag|>", Llama3},
	} {
		if got := DetectFormat(c.src); got != c.want {
			t.Errorf("DetectFormat(%q) = %v; want %v", c.src, got, c.want)
		}
	}
	// The shared templates of real models.
	dir := testshared.Path(t, "testdata/templates")
	for file, want := range map[string]Format{
		"Qwen-Qwen2.5-7B-Instruct.jinja":         Hermes,
		"Qwen-Qwen3-0.6B.jinja":                  Qwen3,
		"Qwen3-Coder.jinja":                      Qwen3Coder,
		"meta-llama-Llama-3.2-3B-Instruct.jinja": Llama3,
		"HuggingFaceTB-SmolLM3-3B.jinja":         SmolLM3,
	} {
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if got := DetectFormat(string(src)); got != want {
			t.Errorf("DetectFormat(%s) = %v; want %v", file, got, want)
		}
	}
}

func TestFormatNames(t *testing.T) {
	for f := None; f <= SmolLM3; f++ {
		if g, ok := ParseFormat(f.String()); !ok || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), g, ok)
		}
	}
	if _, ok := ParseFormat("nope"); ok {
		t.Error("ParseFormat accepted an unknown name")
	}
	if got := Openers(Llama3); !reflect.DeepEqual(got, []string{"<|python_tag|>", "{"}) {
		t.Errorf("Openers(Llama3) = %q", got)
	}
	if got := Openers(None); len(got) != 0 {
		t.Errorf("Openers(None) = %q", got)
	}
}
