package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent/scripted"
)

// agentEnv makes a project directory with note.txt, a data directory and a
// scripted server, and moves into the project.
func agentEnv(t *testing.T, transcript string) (dir, url string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "note.txt"), []byte("Read teh manual.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("ATELIER_DATA", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tr, err := scripted.Parse([]byte(transcript))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(scripted.NewHandler(tr))
	t.Cleanup(srv.Close)
	return dir, srv.URL
}

func runAtelier(t *testing.T, stdin string, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	code = mainArgs(args, stdio{strings.NewReader(stdin), &o, &e})
	return code, o.String(), e.String()
}

const fixTypo = `{"turns": [
  {"text": "Fixing.", "tool_calls": [{"name": "edit", "arguments": {"file_path": "note.txt", "old_string": "teh", "new_string": "the"}}]},
  {"expect": "EXPECT", "text": "ANSWER"}
]}`

func fixTypoWith(expect, answer string) string {
	return strings.NewReplacer("EXPECT", expect, "ANSWER", answer).Replace(fixTypo)
}

func readNote(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "note.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHeadlessJSONAndUndo(t *testing.T) {
	dir, url := agentEnv(t, fixTypoWith("note.txt", "Fixed the typo."))
	code, out, errOut := runAtelier(t, "", "-p", "fix the typo", "--output-format", "json", "--permission-mode", "accept-edits", "--base-url", url, "--remote-model", "m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Result    string `json:"result"`
		SessionID string `json:"session_id"`
		Turns     int    `json:"turns"`
		ToolCalls []struct {
			Name string `json:"name"`
		} `json:"tool_calls"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
		Error *string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if rep.Result != "Fixed the typo." || rep.SessionID == "" || rep.Turns != 2 || len(rep.ToolCalls) != 1 || rep.ToolCalls[0].Name != "edit" ||
		rep.Usage.PromptTokens == 0 || rep.Error != nil {
		t.Fatalf("report %s", out)
	}
	if got := readNote(t, dir); got != "Read the manual.\n" {
		t.Fatalf("note.txt = %q", got)
	}
	// The session is listed.
	if code, out, _ := runAtelier(t, "", "--sessions"); code != 0 || !strings.Contains(out, rep.SessionID) || !strings.Contains(out, "fix the typo") {
		t.Fatalf("--sessions: %d %q", code, out)
	}
	// atelier undo restores the file, once.
	code, out, errOut = runAtelier(t, "", "undo")
	if code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("undo: %d %q %q", code, out, errOut)
	}
	if got := readNote(t, dir); got != "Read teh manual.\n" {
		t.Fatalf("after undo note.txt = %q", got)
	}
	if code, out, _ = runAtelier(t, "", "undo"); code != 0 || !strings.Contains(out, "nothing to undo") {
		t.Fatalf("second undo: %d %q", code, out)
	}
}

// In ask mode without a terminal, the edit is denied and the model told.
func TestHeadlessAskDenies(t *testing.T) {
	dir, url := agentEnv(t, fixTypoWith("not interactive", "I could not edit: permission needed."))
	code, out, errOut := runAtelier(t, "", "-p", "fix the typo", "--base-url", url, "--remote-model", "m")
	if code != 0 || out != "I could not edit: permission needed.\n" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	if got := readNote(t, dir); got != "Read teh manual.\n" {
		t.Fatalf("note.txt changed: %q", got)
	}
}

func TestHeadlessStreamJSON(t *testing.T) {
	_, url := agentEnv(t, fixTypoWith("note.txt", "Done."))
	code, out, errOut := runAtelier(t, "", "-p", "fix", "--output-format", "stream-json", "--permission-mode", "bypass", "--base-url", url, "--remote-model", "m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var types []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Type == "" {
			t.Fatalf("line %q: %v", line, err)
		}
		if len(types) == 0 || types[len(types)-1] != ev.Type {
			types = append(types, ev.Type)
		}
	}
	want := "turn_started text tool_call tool_result text turn_finished result"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
}

func TestHeadlessFailures(t *testing.T) {
	loop := `{"turns": [` + strings.Repeat(`{"tool_calls": [{"name": "read", "arguments": {"file_path": "note.txt"}}]},`, 5)
	loop = strings.TrimSuffix(loop, ",") + `]}`
	_, url := agentEnv(t, loop)
	code, out, errOut := runAtelier(t, "", "-p", "read it", "--output-format", "json", "--base-url", url, "--remote-model", "m")
	if code == 0 || !strings.Contains(out, `"error":"agent: stopped a loop`) || !strings.Contains(errOut, "stopped a loop") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-p", "x"}, "atelier pull"},
		{[]string{"-p", "x", "--model", "/nonexistent.gguf"}, "there is no file /nonexistent.gguf and no installed model of that name"},
		{[]string{"-p", "x", "--base-url", "localhost:1", "--remote-model", "m"}, "is not an http(s) URL"},
		{[]string{"-p", "x", "--base-url", url}, "--remote-model"},
		{[]string{"-p", "x", "--output-format", "yaml"}, "want text, json or stream-json"},
		{[]string{"-p", "x", "--load", "huge"}, `--load "huge": want auto, mmap or read`},
		{[]string{"-p", "x", "--permission-mode", "yolo", "--base-url", url, "--remote-model", "m"}, "permission mode"},
		{[]string{"--continue", "--resume", "x"}, "not both"},
		{[]string{"-p", "x", "--resume", "nope", "--base-url", url, "--remote-model", "m"}, `no conversation "nope"`},
		{[]string{"stray"}, `unexpected argument "stray"`},
	}
	for _, tt := range tests {
		code, _, errOut := runAtelier(t, "", tt.args...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("atelier %q: exit %d, stderr %q; want %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestContinue(t *testing.T) {
	_, url := agentEnv(t, `{"turns": [{"text": "first answer"}, {"expect": "second", "text": "second answer"}]}`)
	code, out1, errOut := runAtelier(t, "", "-p", "first", "--output-format", "json", "--base-url", url, "--remote-model", "m")
	if code != 0 {
		t.Fatal(errOut)
	}
	code, out2, errOut := runAtelier(t, "", "-p", "second", "--continue", "--output-format", "json", "--base-url", url, "--remote-model", "m")
	if code != 0 {
		t.Fatal(errOut)
	}
	var r1, r2 struct {
		SessionID string `json:"session_id"`
		Result    string `json:"result"`
	}
	json.Unmarshal([]byte(out1), &r1)
	json.Unmarshal([]byte(out2), &r2)
	if r1.SessionID == "" || r1.SessionID != r2.SessionID || r2.Result != "second answer" {
		t.Fatalf("%s / %s", out1, out2)
	}
}

func TestInteractive(t *testing.T) {
	dir, url := agentEnv(t, fixTypoWith("note.txt", "Fixed."))
	stdin := "/help\nfix the typo\ny\n/undo\n/model\n/bogus\n/quit\n"
	code, out, errOut := runAtelier(t, stdin, "--base-url", url, "--remote-model", "m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"/compact", "● edit note.txt", "-Read teh manual.", "+Read the manual.", "Allow? [y]es", "Fixed.", "restored " + filepath.Join(dir, "note.txt"), "model: m", "unknown command /bogus"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := readNote(t, dir); got != "Read teh manual.\n" {
		t.Fatalf("note.txt after /undo = %q", got)
	}
}
