package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzApplyReplacement checks that an edit never panics and that an exact,
// unique match is replaced exactly.
func FuzzApplyReplacement(f *testing.F) {
	f.Add("a\nb\nc\n", "b", "B", false)
	f.Add("\tif x {\n\t\ty()\n\t}\n", "  if x {\n    y()\n  }", "  if z {\n    y()\n  }", false)
	f.Add("x x x", "x", "y", true)
	f.Add("     1\tone\n", "     1\tone", "two", false)
	f.Add("", "\n\n", "", false)
	f.Fuzz(func(t *testing.T, content, old, nw string, all bool) {
		out, res, err := applyReplacement(content, replacement{Old: old, New: nw, ReplaceAll: all})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if res.count < 1 {
			t.Fatalf("success with %d replacements", res.count)
		}
		if !res.fuzzy && old != "" && strings.Count(content, old) == 1 {
			if want := strings.Replace(content, old, nw, 1); out != want {
				t.Fatalf("exact edit gave %q, want %q", out, want)
			}
		}
	})
}

// FuzzCheckArgs checks that no argument text makes the checker panic and
// that what it accepts is a JSON object.
func FuzzCheckArgs(f *testing.F) {
	schema := MultiEdit{}.Schema()
	f.Add(`{"file_path":"a","edits":[{"old_string":"x","new_string":"y"}]}`)
	f.Add(`"{\"file_path\":1}"`)
	f.Add(`{"edits":"[{}]"}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, args string) {
		out, err := checkArgs(schema, json.RawMessage(args))
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(out, &m) != nil {
			t.Fatalf("accepted %q as %q, not an object", args, out)
		}
	})
}

// FuzzSplitCommand checks that splitting never panics and never loses a
// command's words outside quotes.
func FuzzSplitCommand(f *testing.F) {
	f.Add("go test ./... && git status")
	f.Add(`echo "a;b" | grep '$(x)' > /dev/null 2>&1`)
	f.Add("a >")
	f.Fuzz(func(t *testing.T, line string) {
		for _, p := range splitCommand(line) {
			if p.text == "" {
				t.Fatal("empty part")
			}
		}
	})
}

// TestEditLargeInputs runs the matching on inputs whose naive search is
// quadratic: a long file of equal lines and a long old_string that almost
// matches everywhere.
func TestEditLargeInputs(t *testing.T) {
	content := strings.Repeat("x\n", 20000)
	old := strings.Repeat("x\n", 10000) + "y"
	_, _, err := applyReplacement(content, replacement{Old: old, New: "z"})
	if err == nil || !strings.Contains(err.Error(), "closest text is at lines 1-10001") {
		t.Errorf("error %v", err)
	}
	out, res, err := applyReplacement(content, replacement{Old: "  x\n  x", New: "y", ReplaceAll: true})
	if err != nil || res.count != 10000 || out != strings.Repeat("y\n", 10000) {
		t.Errorf("replace_all: %d replacements, %v", res.count, err)
	}
}
