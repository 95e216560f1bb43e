package toolcall

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/testshared"
)

// TestRenderedCallsParseBack takes the assistant turns that real chat
// templates render for a tool call (the jinja2 goldens of internal/template)
// and parses them in the format DetectFormat picks for that template: what
// the template shows the model must read back as the same call. (The
// case's arguments are a string and integers: templates print other values
// Python's way, e.g. None and True, which reads back typed only where the
// schema gives the type.)
func TestRenderedCallsParseBack(t *testing.T) {
	dir := testshared.Path(t, "testdata/templates")
	base := filepath.Join("..", "template", "testdata")
	var c struct {
		Messages []chat.Message `json:"messages"`
		Tools    []chat.Tool    `json:"tools"`
	}
	data, err := os.ReadFile(filepath.Join(base, "cases", "toolcall.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	want := c.Messages[2].ToolCalls[0]
	for _, x := range []struct{ template, start, end string }{
		{"Qwen-Qwen2.5-7B-Instruct", "<|im_start|>assistant\n", "<|im_end|>"},
		{"Qwen-Qwen3-0.6B", "<|im_start|>assistant\n", "<|im_end|>"},
		{"Qwen3-Coder", "<|im_start|>assistant\n", "<|im_end|>"},
		{"meta-llama-Llama-3.2-3B-Instruct", "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>"},
	} {
		src, err := os.ReadFile(filepath.Join(dir, x.template+".jinja"))
		if err != nil {
			t.Fatal(err)
		}
		rendered, err := os.ReadFile(filepath.Join(base, "golden", x.template, "toolcall-gen0-thinknone.txt"))
		if err != nil {
			t.Fatal(err)
		}
		// The first assistant turn is the one with the call.
		_, turn, ok := strings.Cut(string(rendered), x.start)
		turn, _, ok2 := strings.Cut(turn, x.end)
		if !ok || !ok2 {
			t.Fatalf("%s: no assistant turn in the golden", x.template)
		}
		f := DetectFormat(string(src))
		p := NewParser(f, c.Tools)
		evs := append(p.Add(turn), p.Finish()...)
		var calls []chat.ToolCall
		for _, e := range evs {
			switch e.Kind {
			case Call:
				calls = append(calls, e.Call)
			case Error:
				t.Errorf("%s (%v): parse error %s", x.template, f, e.Message)
			}
		}
		if len(calls) != 1 || calls[0].Name != want.Name || !sameJSON(t, calls[0].Arguments, want.Arguments) {
			t.Errorf("%s (%v): turn %q parsed to %s; want %s %s", x.template, f, turn, show(evs), want.Name, want.Arguments)
		}
	}
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.NewDecoder(bytes.NewReader(a)).Decode(&x) != nil || json.NewDecoder(bytes.NewReader(b)).Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
