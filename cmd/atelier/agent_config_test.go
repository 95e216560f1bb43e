package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func userConfig(t *testing.T) string {
	return filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "atelier", "config.json")
}

// The config files feed the headless run: the user's allow rule lets the
// edit run in ask mode; an untrusted project's allow rule does not, and its
// deny rule counts.
func TestHeadlessConfig(t *testing.T) {
	tests := []struct {
		name, user, project string
		expect, answer      string
		fixed               bool
		warn                string
	}{
		{"user allow", `{"permissions": {"allow": ["edit(*.txt)"]}}`, "", "note.txt", "Fixed.", true, ""},
		{"user mode", `{"permissions": {"mode": "accept-edits"}}`, "", "note.txt", "Fixed.", true, ""},
		{"untrusted project allow", "", `{"permissions": {"allow": ["edit"], "mode": "bypass"}}`, "not interactive", "Could not.", false, "ignored permissions.mode bypass, permissions.allow"},
		{"project deny wins", `{"permissions": {"mode": "bypass"}}`, `{"permissions": {"deny": ["edit(note.txt)"]}}`, "deny rule edit(note.txt)", "Denied.", false, ""},
		{"trusted project", `{"projects": {"DIR": {"trusted": true}}}`, `{"permissions": {"allow": ["edit"]}}`, "note.txt", "Fixed.", true, ""},
		{"project rules saved", `{"projects": {"DIR": {"permissions": {"allow": ["write", "edit"]}}}}`, "", "note.txt", "Fixed.", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, url := agentEnv(t, fixTypoWith(tt.expect, tt.answer))
			if tt.user != "" {
				writeFile(t, userConfig(t), strings.ReplaceAll(tt.user, "DIR", dir))
			}
			if tt.project != "" {
				writeFile(t, filepath.Join(dir, ".atelier", "config.json"), tt.project)
			}
			code, out, errOut := runAtelier(t, "", "-p", "fix the typo", "--base-url", url, "--remote-model", "m")
			if code != 0 || out != tt.answer+"\n" {
				t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
			}
			if fixed := readNote(t, dir) == "Read the manual.\n"; fixed != tt.fixed {
				t.Errorf("fixed = %v, want %v", fixed, tt.fixed)
			}
			if tt.warn != "" && !strings.Contains(errOut, tt.warn) {
				t.Errorf("stderr %q lacks %q", errOut, tt.warn)
			}
		})
	}
}

func TestConfigCommand(t *testing.T) {
	dir, _ := agentEnv(t, `{"turns": []}`)
	writeFile(t, filepath.Join(dir, ".atelier", "config.json"), "{\n  \"model\": \"evil\",\n  \"permissions\": {\"deny\": [\"bash(rm:*)\"]}\n}\n")
	writeFile(t, userConfig(t), "{\n  \"model\": \"qwen2.5-coder:1.5b\",\n  \"remote\": {\"api_key_env\": \"ATELIER_TEST_UNSET_KEY\"}\n}\n")
	code, out, errOut := runAtelier(t, "", "config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"not trusted",
		"qwen2.5-coder:1.5b", userConfig(t) + ":2",
		"bash(rm:*)", filepath.Join(dir, ".atelier", "config.json") + ":3",
		"ATELIER_TEST_UNSET_KEY (not set)",
		"ignored model",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runAtelier(t, "", "config", "--trust")
	if code != 0 || !strings.Contains(out, "trusted "+dir) || !strings.Contains(out, "evil") {
		t.Fatalf("--trust: exit %d\n%s%s", code, out, errOut)
	}

	// A malformed file stops every command that reads it, with one line.
	writeFile(t, userConfig(t), "{\n  \"permissions\": {\"allow\": [\"bash(go\"]}\n}\n")
	for _, args := range [][]string{{"config"}, {"-p", "x"}} {
		code, _, errOut = runAtelier(t, "", args...)
		want := "atelier: config: " + userConfig(t) + `:2: permissions.allow[0]: rule "bash(go": missing ")" at the end`
		if code == 0 || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("atelier %q: exit %d, stderr %q; want %q", args, code, errOut, want)
		}
	}
}

// "Always" for a compound command's prefixes covers later commands made of
// the same parts in the session, and, once saved, in later sessions.
func TestAlwaysPrefixSaved(t *testing.T) {
	dir, url := agentEnv(t, `{"turns": [
  {"tool_calls": [{"name": "bash", "arguments": {"command": "true --x && pwd"}}]},
  {"tool_calls": [{"name": "bash", "arguments": {"command": "pwd; true --y"}}]},
  {"text": "Done."},
  {"tool_calls": [{"name": "bash", "arguments": {"command": "pwd && true --z"}}]},
  {"expect": "TestAlwaysPrefixSaved", "text": "Ran."}
]}`)
	code, out, errOut := runAtelier(t, "go\np\ny\n/quit\n", "--base-url", url, "--remote-model", "m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "Allow?"); n != 1 || !strings.Contains(out, `[p] always "true, pwd"`) || !strings.Contains(out, "(saved)") || !strings.Contains(out, "Done.") {
		t.Fatalf("asked %d times:\n%s", n, out)
	}
	b, err := os.ReadFile(userConfig(t))
	if err != nil || !strings.Contains(string(b), `"bash(true:*)"`) || !strings.Contains(string(b), `"bash(pwd:*)"`) || !strings.Contains(string(b), dir) {
		t.Fatalf("user config %s, %v", b, err)
	}
	// A headless run in ask mode now runs the command.
	code, out, errOut = runAtelier(t, "", "-p", "run it", "--base-url", url, "--remote-model", "m")
	if code != 0 || out != "Ran.\n" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
}

// The server and its key come from the config; commands do not see the key,
// whatever the variable's name.
func TestRemoteFromConfig(t *testing.T) {
	_, url := agentEnv(t, `{"turns": [
  {"tool_calls": [{"name": "bash", "arguments": {"command": "echo \"[$MYLLM]\""}}]},
  {"expect": "[]", "text": "No key."}
]}`)
	t.Setenv("MYLLM", "k-123")
	writeFile(t, userConfig(t), `{"remote": {"base_url": "`+url+`", "model": "m", "api_key_env": "MYLLM"}}`)
	code, out, errOut := runAtelier(t, "", "-p", "look", "--permission-mode", "bypass")
	if code != 0 || out != "No key.\n" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
	t.Setenv("MYLLM", "")
	code, _, errOut = runAtelier(t, "", "-p", "look")
	if code == 0 || !strings.Contains(errOut, "names MYLLM, which is not set") {
		t.Fatalf("unset key: exit %d, err %q", code, errOut)
	}
}
