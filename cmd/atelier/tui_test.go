package main

import (
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/atelier-dev/atelier/internal/agent/scripted"
)

// screen is a terminal emulator fed by the program's output; its replies to
// the program's queries go back to the program, as a real terminal's do.
type screen struct {
	mu  sync.Mutex
	emu *vt.Emulator
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.Write(p)
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

// waitFor waits until the screen shows want.
func (s *screen) waitFor(t *testing.T, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(s.text(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the screen did not show %q within %v; it shows:\n%s", want, d, s.text())
}

const tuiTranscript = `{"turns": [
  {"text": "I will fix the typo.", "tool_calls": [{"name": "edit", "arguments": {"file_path": "note.txt", "old_string": "teh", "new_string": "the"}}]},
  {"expect": "note.txt", "text": "Fixed the **typo** in note.txt."}
]}`

// TestTUIEndToEnd drives the real binary in a pseudo-terminal against a
// scripted model: a task asked, the edit shown and approved, the file
// changed, /undo restoring it, ctrl+c twice quitting.
func TestTUIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "atelier")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	note := filepath.Join(dir, "note.txt")
	if err := os.WriteFile(note, []byte("Read teh manual.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := scripted.Parse([]byte(tuiTranscript))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(scripted.NewHandler(tr))
	defer srv.Close()

	cmd := exec.Command(bin, "--base-url", srv.URL, "--remote-model", "m")
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "ATELIER_DATA="+filepath.Join(home, "data"),
		"ATELIER_MODELS="+filepath.Join(home, "models"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"TERM=xterm-256color", "ATELIER_OFFLINE=1")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Skipf("cannot open a pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	}()

	scr := &screen{emu: vt.NewEmulator(80, 24)}
	go io.Copy(scr, ptmx)     // what the program draws
	go io.Copy(ptmx, scr.emu) // the terminal's answers to its queries
	typeKeys := func(s string) {
		if _, err := ptmx.Write([]byte(s)); err != nil {
			t.Fatalf("typing %q: %v", s, err)
		}
	}

	scr.waitFor(t, "Ask anything", 10*time.Second)
	typeKeys("fix the typo in note.txt")
	scr.waitFor(t, "fix the typo in note.txt", 5*time.Second)
	typeKeys("\r")
	scr.waitFor(t, "Apply this edit to note.txt?", 10*time.Second)
	scr.waitFor(t, "+Read the manual.", time.Second)
	if b, _ := os.ReadFile(note); string(b) != "Read teh manual.\n" {
		t.Fatalf("the file changed before the edit was approved: %q", b)
	}
	typeKeys("y")
	scr.waitFor(t, "Fixed the typo in note.txt.", 10*time.Second)
	if b, _ := os.ReadFile(note); string(b) != "Read the manual.\n" {
		t.Fatalf("after the approved edit note.txt holds %q", b)
	}
	typeKeys("/undo")
	scr.waitFor(t, "/undo", 5*time.Second)
	typeKeys("\r")
	scr.waitFor(t, "Undid the changes of turn 1", 10*time.Second)
	if b, _ := os.ReadFile(note); string(b) != "Read teh manual.\n" {
		t.Fatalf("after /undo note.txt holds %q", b)
	}
	t.Logf("screen:\n%s", scr.text())
	typeKeys("\x03")
	scr.waitFor(t, "press ctrl+c again to quit", 5*time.Second)
	typeKeys("\x03")
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("atelier exited with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("atelier did not quit on the second ctrl+c; the screen shows:\n%s", scr.text())
	}
}
