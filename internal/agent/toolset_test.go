package agent

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/tools"
)

// An "always" answer to a compound command allows each of its parts'
// prefixes for the session, so a later command made of allowed parts runs
// without asking, whatever the order, and one with a new part asks about
// that part only.
func TestAlwaysPrefixCompound(t *testing.T) {
	ts, err := NewToolset(t.TempDir(), tools.ModeAsk, tools.Rules{})
	if err != nil {
		t.Fatal(err)
	}
	type ask struct {
		prefix string
		rules  string
	}
	var asked []ask
	answers := []Answer{AlwaysPrefix, Yes, No, AlwaysTool}
	h := newHarness(t, []Response{
		call("bash", `{"command":"true --a && pwd"}`), // asked: always "true, pwd"
		call("bash", `{"command":"pwd; true --b"}`),   // runs
		call("bash", `{"command":"pwd && ls -a"}`),    // asked about ls only: yes
		call("bash", `{"command":"pwd && ls -a"}`),    // asked again: no
		call("bash", `{"command":"pwd > out.txt"}`),   // a redirect: asked, no prefix; always bash
		call("bash", `{"command":"pwd > out2.txt"}`),  // runs
		say("done"),
	}, func(c *Config) {
		c.Tools, c.Gate, c.Interactive = ts, ts, true
		c.Events = func(e Event) {
			if p, ok := e.(PermissionRequest); ok {
				asked = append(asked, ask{p.Prefix, strings.Join(p.PrefixRules, " ")})
				a := No
				if len(answers) > 0 {
					a, answers = answers[0], answers[1:]
				}
				p.Answer(a)
			}
		}
	})
	res, err := h.agent.Run(context.Background(), "go")
	if err != nil {
		t.Fatal(err)
	}
	want := []ask{
		{"true, pwd", "bash(true:*) bash(pwd:*)"},
		{"ls", "bash(ls:*)"},
		{"ls", "bash(ls:*)"},
		{"", ""},
	}
	if !reflect.DeepEqual(asked, want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
	var denied []bool
	for _, c := range res.ToolCalls {
		denied = append(denied, c.Denied)
	}
	if !reflect.DeepEqual(denied, []bool{false, false, false, true, false, false}) {
		t.Errorf("denied %v", denied)
	}
	var rules []string
	for _, r := range ts.SessionRules() {
		rules = append(rules, r.String())
	}
	if got := strings.Join(rules, " "); got != "bash(true:*) bash(pwd:*) bash" {
		t.Errorf("session rules %s", got)
	}
}
