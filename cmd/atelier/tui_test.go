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

// buildOnce builds the binary for the terminal tests once.
var buildOnce struct {
	sync.Once
	bin string
	err error
	out []byte
}

func atelierBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "atelier-tui-test")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.bin = filepath.Join(dir, "atelier")
		buildOnce.out, buildOnce.err = exec.Command("go", "build", "-o", buildOnce.bin, ".").CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildOnce.bin != "" {
		os.RemoveAll(filepath.Dir(buildOnce.bin))
	}
	os.Exit(code)
}

// startTUI starts the binary in a pseudo-terminal of the given size in the
// project dir, against a scripted model; env adds variables.
func startTUI(t *testing.T, dir, transcript string, cols, rows int, env ...string) (scr *screen, raw *rawLog, typeKeys func(string), exited chan error) {
	t.Helper()
	bin := atelierBinary(t)
	tr, err := scripted.Parse([]byte(transcript))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(scripted.NewHandler(tr))
	t.Cleanup(srv.Close)
	cmd := exec.Command(bin, "--base-url", srv.URL, "--remote-model", "m")
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "ATELIER_DATA="+filepath.Join(home, "data"),
		"ATELIER_MODELS="+filepath.Join(home, "models"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"TERM=xterm-256color", "COLORTERM=truecolor", "ATELIER_OFFLINE=1")
	cmd.Env = append(cmd.Env, env...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		t.Skipf("cannot open a pseudo-terminal here: %v", err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptmx.Close()
	})
	scr = &screen{emu: vt.NewEmulator(cols, rows)}
	raw = &rawLog{}
	go io.Copy(io.MultiWriter(scr, raw), ptmx) // what the program draws
	go io.Copy(ptmx, scr.emu)                  // the terminal's answers to its queries
	typeKeys = func(s string) {
		if _, err := ptmx.Write([]byte(s)); err != nil {
			t.Fatalf("typing %q: %v", s, err)
		}
	}
	return scr, raw, typeKeys, exited
}

// rawLog keeps the bytes the program wrote.
type rawLog struct {
	mu sync.Mutex
	b  []byte
}

func (r *rawLog) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.b = append(r.b, p...)
	return len(p), nil
}

func (r *rawLog) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.b)
}

func projectWithNote(t *testing.T) (dir, note string) {
	dir = t.TempDir()
	note = filepath.Join(dir, "note.txt")
	if err := os.WriteFile(note, []byte("Read teh manual.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, note
}

// TestTUIEndToEnd drives the real binary in a pseudo-terminal against a
// scripted model: a task asked, the edit shown and approved, the file
// changed, /undo restoring it, ctrl+c twice quitting.
func TestTUIEndToEnd(t *testing.T) {
	dir, note := projectWithNote(t)
	scr, _, typeKeys, exited := startTUI(t, dir, tuiTranscript, 80, 24)
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

// TestTUINoColorWide runs a task in a wide terminal with NO_COLOR: the
// screen has the same content and the program sends no colour.
func TestTUINoColorWide(t *testing.T) {
	dir, _ := projectWithNote(t)
	const answer = `{"turns": [{"text": "Plain **answer** with ` + "`code`" + `."}]}`
	scr, raw, typeKeys, _ := startTUI(t, dir, answer, 120, 40, "NO_COLOR=1")
	scr.waitFor(t, "Ask anything", 10*time.Second)
	typeKeys("hello\r")
	scr.waitFor(t, "Plain answer with", 10*time.Second)
	scr.waitFor(t, "mode ask", time.Second)
	for _, sgr := range []string{"\x1b[38;", "\x1b[48;", "\x1b[3", "\x1b[4"} {
		for _, seq := range strings.SplitAfter(raw.String(), sgr)[1:] {
			// 38;/48; are colours; \x1b[3Xm and \x1b[4Xm are the basic ones
			// (but \x1b[3 also starts cursor moves such as \x1b[3;1H).
			if sgr == "\x1b[38;" || sgr == "\x1b[48;" || len(seq) > 1 && seq[0] >= '0' && seq[0] <= '7' && seq[1] == 'm' {
				t.Fatalf("colour sent under NO_COLOR: %q", sgr+seq[:min(len(seq), 12)])
			}
		}
	}
}
