package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func runBash(t *testing.T, ctx context.Context, env *Env, command string, timeout int) Result {
	t.Helper()
	args, _ := json.Marshal(map[string]any{"command": command, "timeout": timeout})
	return Default().Call(ctx, env, "bash", args)
}

// alive reports whether a process exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesized command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	for range 100 {
		b, err := os.ReadFile(path)
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the command did not write its pid")
	return 0
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d outlived the command", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBash(t *testing.T) {
	tests := []struct {
		name    string
		command string
		want    []string // substrings of the output
		isError bool
	}{
		{"echo", "echo hello", []string{"hello"}, false},
		{"stderr", "echo oops >&2", []string{"oops"}, false},
		{"exit status", "echo before; exit 3", []string{"before", "(exit status 3)"}, true},
		{"no output", "true", []string{"(no output)"}, false},
		{"syntax error", "if then fi", []string{"syntax error", "`if then fi'"}, true},
		{"no stdin", "cat", []string{"(no output)"}, false},
		{"ansi stripped", `printf '\033[31mred\033[0m\n'`, []string{"red\n"}, false},
		{"progress redraw", `printf '10%%\r50%%\r100%%\n'`, []string{"100%"}, false},
		{"no pager", "echo $GIT_PAGER", []string{"cat"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			res := runBash(t, context.Background(), env, tt.command, 0)
			if res.IsError != tt.isError {
				t.Errorf("IsError = %v, want %v; output %q", res.IsError, tt.isError, res.Output)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Output, w) {
					t.Errorf("output %q lacks %q", res.Output, w)
				}
			}
			if strings.Contains(res.Output, "\x1b") || strings.Contains(res.Output, "10%") {
				t.Errorf("output %q keeps terminal control text", res.Output)
			}
		})
	}
}

func TestBashCwdPersists(t *testing.T) {
	env := newTestEnv(t, map[string]string{"sub/dir/f.txt": "x"})
	ctx := context.Background()
	res := runBash(t, ctx, env, "cd sub/dir", 0)
	if res.IsError || !strings.Contains(res.Output, "working directory is now sub/dir") {
		t.Fatalf("cd: %+v", res)
	}
	res = runBash(t, ctx, env, "ls; pwd", 0)
	if !strings.Contains(res.Output, "f.txt") || !strings.Contains(res.Output, filepath.Join(env.Root, "sub", "dir")) {
		t.Fatalf("second call ran elsewhere: %q", res.Output)
	}
	// cd then a failing command and exit: the cwd is still tracked.
	res = runBash(t, ctx, env, "cd .. && false", 0)
	if !res.IsError || env.Cwd() != filepath.Join(env.Root, "sub") {
		t.Fatalf("cwd %s after cd .. && false; %+v", env.Cwd(), res)
	}
	// A removed working directory falls back to the root.
	if err := os.RemoveAll(filepath.Join(env.Root, "sub")); err != nil {
		t.Fatal(err)
	}
	res = runBash(t, ctx, env, "pwd", 0)
	if !strings.Contains(res.Output, "no longer exists") || env.Cwd() != env.Root {
		t.Fatalf("after removal: cwd %s, %q", env.Cwd(), res.Output)
	}
}

func TestBashTimeoutKillsChildren(t *testing.T) {
	env := newTestEnv(t, nil)
	pidFile := filepath.Join(env.Root, "pid")
	start := time.Now()
	res := runBash(t, context.Background(), env, "sleep 60 & echo $! > pid; sleep 60", 1)
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("the call took %v", elapsed)
	}
	if !res.IsError || !strings.Contains(res.Output, "timed out after 1s") {
		t.Errorf("result %+v", res)
	}
	waitGone(t, readPid(t, pidFile))
}

func TestBashCancelKillsChildren(t *testing.T) {
	env := newTestEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- runBash(t, ctx, env, "sleep 60 & echo $! > pid; wait", 0) }()
	pid := readPid(t, filepath.Join(env.Root, "pid"))
	cancel()
	select {
	case res := <-done:
		if !res.IsError || !strings.Contains(res.Output, "cancelled") {
			t.Errorf("result %+v", res)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not return after cancel")
	}
	waitGone(t, pid)
}

func TestBashBackgroundJobEnds(t *testing.T) {
	env := newTestEnv(t, nil)
	res := runBash(t, context.Background(), env, "sleep 60 & echo $! > pid", 0)
	if res.IsError {
		t.Fatalf("result %+v", res)
	}
	waitGone(t, readPid(t, filepath.Join(env.Root, "pid")))
}

func TestBashOutputCap(t *testing.T) {
	env := newTestEnv(t, nil)
	env.Limits.OutputBytes = 1000
	res := runBash(t, context.Background(), env, "seq 1 100000", 0)
	out := res.Output
	if len(out) > 1300 {
		t.Errorf("output is %d bytes, cap 1000", len(out))
	}
	if !strings.HasPrefix(out, "1\n2\n3\n") || !strings.Contains(out, "99999\n100000") {
		t.Errorf("head or tail missing:\n%s", out)
	}
	if !strings.Contains(out, "cut:") || !strings.Contains(out, "lines") {
		t.Errorf("no marker of the cut:\n%s", out)
	}
	// The marker counts what was cut: the shown lines plus the cut ones
	// make the whole.
	shown := 0
	for _, l := range strings.Split(out, "\n") {
		if _, err := strconv.Atoi(l); err == nil {
			shown++
		}
	}
	var cutBytes, cutLines int
	i := strings.Index(out, "cut: ")
	fmt.Sscanf(out[i:], "cut: %d bytes, %d lines", &cutBytes, &cutLines)
	if shown+cutLines != 100000 {
		t.Errorf("shown %d + cut %d lines != 100000", shown, cutLines)
	}
}

func TestHeadTail(t *testing.T) {
	for _, n := range []int{0, 5, 10, 11, 50, 1000} {
		h := newHeadTail(10)
		data := strings.Repeat("x", n)
		for i := 0; i < n; i += 3 { // in small writes
			h.Write([]byte(data[i:min(i+3, n)]))
		}
		got := h.String()
		if n <= 10 && got != data {
			t.Errorf("n=%d: got %q", n, got)
		}
		if n > 10 && !strings.Contains(got, fmt.Sprintf("%d bytes", n-10)) {
			t.Errorf("n=%d: got %q", n, got)
		}
	}
}
