package tui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/tools"
)

// TestStreamDocMatchesWhole checks that an answer rendered piece by piece,
// with the stable part cached, shows the same text as the whole answer
// rendered at once, at every cut.
func TestStreamDocMatchesWhole(t *testing.T) {
	md := newMarkdown("dark")
	texts := []string{
		answerMD,
		"First paragraph.\n\nSecond *one*.\n\n```python\nx = 1\n\ny = 2\n```\n\nAfter the code.\n",
		"# Title\n\nText with `code`.\n\n> a quote\n\nEnd.",
	}
	for _, text := range texts {
		whole := ansi.Strip(md.render(text, 60))
		var d streamDoc
		for i := 0; i < len(text); i += 5 {
			d.append(text[i:min(i+5, len(text))])
			d.render(md, 60) // exercise the cache at each step
		}
		got := ansi.Strip(d.render(md, 60))
		if norm(got) != norm(whole) {
			t.Errorf("streamed render differs from the whole:\n--- streamed\n%s\n--- whole\n%s", got, whole)
		}
		d.done = true
		if got := ansi.Strip(d.render(md, 60)); got != whole {
			t.Errorf("final render differs from the whole:\n%s\n---\n%s", got, whole)
		}
	}
}

// norm drops blank lines and trailing spaces, which the cut may move.
func norm(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " \u00a0"); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestStreamDocOpenFence(t *testing.T) {
	md := newMarkdown("dark")
	var d streamDoc
	d.append("Here:\n\n```go\nfunc main() {\n\n\tprintln(1)\n")
	if !d.inFence || d.cut != len("Here:\n\n") {
		t.Fatalf("inFence %v cut %d: the blank line inside the fence must not cut", d.inFence, d.cut)
	}
	got := ansi.Strip(d.render(md, 40))
	if strings.Contains(got, "```") || !strings.Contains(got, "println(1)") {
		t.Errorf("an open code block should show as code:\n%s", got)
	}
}

func TestMatchFiles(t *testing.T) {
	files := []string{"internal/tui/model.go", "cmd/atelier/main.go", "README.md", "internal/agent/agent.go", "docs/readme-extra.md"}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", []string{"README.md", "cmd/atelier/main.go", "docs/readme-extra.md"}},
		{"read", []string{"README.md", "docs/readme-extra.md"}},
		{"agent", []string{"internal/agent/agent.go"}},
		{"main", []string{"cmd/atelier/main.go"}},
		{"model", []string{"internal/tui/model.go"}},
		{"zzz", nil},
	} {
		if got := matchFiles(files, c.q, 3); !reflect.DeepEqual(got, c.want) {
			t.Errorf("matchFiles(%q) = %q, want %q", c.q, got, c.want)
		}
	}
}

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"look at @calc.go and @pkg/x.go, please", []string{"calc.go", "pkg/x.go"}},
		{"mail me at a@b.c", nil},
		{"@a @a", []string{"a"}},
		{"@ alone", nil},
	} {
		if got := mentions(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("mentions(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAttach(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "calc.go"), []byte("package calc\n"), 0o644)
	msg := attach(dir, "explain @calc.go and @missing.go")().(startMsg)
	want := "explain @calc.go and @missing.go\n\n<file path=\"calc.go\">\npackage calc\n</file>"
	if msg.prompt != want {
		t.Errorf("prompt = %q, want %q", msg.prompt, want)
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		m.key(press(string(r)))
	}
}

func TestInputHistoryAndPaste(t *testing.T) {
	in := newInput(newTheme(true))
	in.remember("first")
	in.remember("second")
	in.ta.SetValue("draft")
	in.key(press("up"))
	if in.value() != "second" {
		t.Fatalf("up: %q", in.value())
	}
	in.key(press("up"))
	in.key(press("up"))
	if in.value() != "first" {
		t.Fatalf("up up up: %q", in.value())
	}
	in.key(press("down"))
	in.key(press("down"))
	if in.value() != "draft" {
		t.Fatalf("back down: %q, want the draft", in.value())
	}

	in.reset()
	big := strings.Repeat("line\n", 20)
	in.ta.InsertString("see ")
	in.paste(big)
	if got := in.value(); got != "see [Pasted text #1 +21 lines]" {
		t.Fatalf("placeholder: %q", got)
	}
	if got := in.expanded(); got != "see "+big {
		t.Fatalf("expanded: %q", got)
	}
	in.reset()
	in.paste("small")
	if in.value() != "small" {
		t.Fatalf("small paste: %q", in.value())
	}
}

func TestCompletion(t *testing.T) {
	m := newFrameModel(t, 80, 24, withAgent())
	m.Update(filesMsg{"calc.go", "calc_test.go", "main.go"})
	typeText(m, "/und")
	if !reflect.DeepEqual(m.in.comp, []string{"/undo"}) {
		t.Fatalf("completions of /und: %q", m.in.comp)
	}
	m.key(press("tab"))
	if m.in.value() != "/undo " {
		t.Fatalf("after tab: %q", m.in.value())
	}
	m.in.reset()
	typeText(m, "fix @calc_")
	if !reflect.DeepEqual(m.in.comp, []string{"@calc_test.go"}) {
		t.Fatalf("completions of @calc_: %q", m.in.comp)
	}
	m.key(press("enter")) // takes the completion, does not send
	if m.in.value() != "fix @calc_test.go " || m.running {
		t.Fatalf("after enter: %q running=%v", m.in.value(), m.running)
	}
}

func TestPermissionKeys(t *testing.T) {
	for _, c := range []struct {
		key    string
		prefix string
		want   agent.Answer
		ok     bool
	}{
		{"y", "", agent.Yes, true},
		{"enter", "", agent.Yes, true},
		{"n", "", agent.No, true},
		{"a", "", agent.AlwaysTool, true},
		{"p", "go test", agent.AlwaysPrefix, true},
		{"p", "", 0, false},
		{"x", "", 0, false},
	} {
		d := &permDialog{req: agent.PermissionRequest{Prefix: c.prefix}}
		got, ok := d.key(press(c.key))
		if ok != c.ok || ok && got != c.want {
			t.Errorf("key %q (prefix %q) = %v, %v; want %v, %v", c.key, c.prefix, got, ok, c.want, c.ok)
		}
	}
}

func TestCtrlCTwice(t *testing.T) {
	m := newFrameModel(t, 80, 24, withAgent())
	typeText(m, "some text")
	if cmd := m.key(press("ctrl+c")); m.quitting || cmd == nil {
		t.Fatal("the first ctrl+c must not quit")
	}
	if m.in.value() != "" {
		t.Errorf("the first ctrl+c should clear the input, left %q", m.in.value())
	}
	if !strings.Contains(ansi.Strip(m.frameText()), "press ctrl+c again to quit") {
		t.Error("the status line should say how to quit")
	}
	m.key(press("ctrl+c"))
	if !m.quitting {
		t.Fatal("the second ctrl+c must quit")
	}
}

func TestModeCycle(t *testing.T) {
	o := withAgent()
	m := newFrameModel(t, 80, 24, o)
	var seen []tools.Mode
	for range 4 {
		m.key(press("shift+tab"))
		seen = append(seen, m.mode)
	}
	want := []tools.Mode{tools.ModeAcceptEdits, tools.ModePlan, tools.ModeBypass, tools.ModeAsk}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("modes %v, want %v", seen, want)
	}
	if ts := o.Agent.Gate.(*agent.Toolset); ts.Mode != tools.ModeAsk {
		t.Errorf("the gate's mode is %v", ts.Mode)
	}
}

// TestThemes checks both backgrounds colour the same text differently.
func TestThemes(t *testing.T) {
	dark := newFrameModel(t, 80, 24, withAgent())
	light := newFrameModel(t, 80, 24, withAgent())
	light.Update(tea.BackgroundColorMsg{Color: whiteColor{}})
	if light.th.dark {
		t.Fatal("a white background should select the light theme")
	}
	for _, m := range []*Model{dark, light} {
		conversation(m)
		finishConversation(m)
	}
	d, l := dark.frameText(), light.frameText()
	if d == l {
		t.Error("the light and dark frames have the same colours")
	}
	if ansi.Strip(d) != ansi.Strip(l) {
		t.Errorf("the themes differ in text:\n%s\n---\n%s", ansi.Strip(d), ansi.Strip(l))
	}
}

type whiteColor struct{}

func (whiteColor) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }
