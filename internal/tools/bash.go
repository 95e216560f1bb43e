package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

//go:embed bash.md
var bashDoc string

// Bash runs a shell command in the project, keeping the working directory
// from one call to the next.
type Bash struct{}

type bashArgs struct {
	Command string `json:"command"`
	Timeout int    `json:"timeout"`
}

// The bash tool's timeouts.
const (
	DefaultBashTimeout = 2 * time.Minute
	MaxBashTimeout     = 10 * time.Minute
)

// drainTimeout bounds the wait for the output pipes after the command's
// process group is killed (a process that left the group may hold them).
const drainTimeout = 2 * time.Second

func (Bash) Name() string        { return "bash" }
func (Bash) Description() string { return strings.TrimSpace(bashDoc) }
func (Bash) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"command":{"type":"string"},` +
		`"timeout":{"type":"integer","description":"Seconds; default 120, max 600."}},` +
		`"required":["command"]}`)
}

func (Bash) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a bashArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	if strings.TrimSpace(a.Command) == "" {
		return Call{}, errors.New("command is empty; give the shell command to run")
	}
	return Call{Kind: KindExec, Command: strings.TrimSpace(a.Command)}, nil
}

// Run implements Tool.
func (Bash) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a bashArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("bash: %v", err)
	}
	if strings.TrimSpace(a.Command) == "" {
		return errorf("command is empty; give the shell command to run.")
	}
	timeout := DefaultBashTimeout
	var notes []string
	if a.Timeout > 0 {
		timeout = time.Duration(a.Timeout) * time.Second
		if timeout > MaxBashTimeout {
			timeout = MaxBashTimeout
			notes = append(notes, "the timeout was lowered to the maximum, 600 seconds")
		}
	} else if a.Timeout < 0 {
		return errorf("timeout must be a positive number of seconds.")
	}
	cwd := env.Cwd()
	if st, err := os.Stat(cwd); err != nil || !st.IsDir() {
		notes = append(notes, fmt.Sprintf("the working directory %s no longer exists; the command ran in the project root", cwd))
		cwd = env.Root
		env.SetCwd(cwd)
	}
	run, err := runShell(ctx, cwd, a.Command, timeout, env.Limits.outputBytes(), env.PassEnv, env.HideEnv)
	if err != nil {
		return errorf("The command could not be started: %v.", err)
	}
	var sb strings.Builder
	sb.WriteString(run.output)
	if run.output == "" {
		sb.WriteString("(no output)")
	}
	res := Result{}
	switch {
	case run.timedOut:
		notes = append(notes, fmt.Sprintf("the command timed out after %v and was killed, with all its child processes; run long commands with a larger timeout, or in smaller steps", timeout))
		res.IsError = true
	case run.cancelled:
		notes = append(notes, "the command was cancelled and killed, with all its child processes")
		res.IsError = true
	case run.exitCode != 0:
		notes = append(notes, fmt.Sprintf("exit status %d", run.exitCode))
		res.IsError = true
	}
	if run.cwd != "" && run.cwd != cwd {
		if st, err := os.Stat(run.cwd); err == nil && st.IsDir() {
			env.SetCwd(run.cwd)
			where := env.rel(run.cwd)
			if where == "." {
				where = "the project root"
			}
			notes = append(notes, "the working directory is now "+where)
		}
	}
	for _, n := range notes {
		if !strings.HasSuffix(sb.String(), "\n") {
			sb.WriteString("\n")
		}
		sb.WriteString("(" + n + ")")
	}
	res.Output = sb.String()
	return res
}

// shellRun is the outcome of one command.
type shellRun struct {
	output    string
	exitCode  int
	timedOut  bool
	cancelled bool
	cwd       string // the shell's last working directory; "" if unknown
}

// runShell runs command with bash -c in dir, in its own process group,
// with the secrets and hideEnv removed from its environment (but for
// passEnv).
// The shell reports its final working directory on file descriptor 3.
// When the command ends, times out or ctx is cancelled, the whole process
// group is killed, so no child outlives the call.
func runShell(ctx context.Context, dir, command string, timeout time.Duration, outCap int, passEnv, hideEnv []string) (shellRun, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return shellRun{}, err
	}
	defer outR.Close()
	pwdR, pwdW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return shellRun{}, err
	}
	defer pwdR.Close()
	// The command is evaluated from a positional argument, so bash's error
	// messages quote it as written, with its own line numbers.
	const script = `trap 'pwd -P >&3 2>/dev/null' EXIT; __atelier_cmd=$1; shift; eval "$__atelier_cmd"`
	cmd := exec.Command("bash", "-c", script, "bash", command)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = outW, outW
	cmd.ExtraFiles = []*os.File{pwdW}
	newProcessGroup(cmd)
	// Credentials in atelier's environment (an API key for the model's
	// server, cloud tokens) are not the commands' business: a command the
	// model writes could print them into the conversation or send them away.
	cmd.Env, _ = CommandEnv(os.Environ(), passEnv, hideEnv, []string{"PAGER=cat", "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0", "TERM=dumb", "NO_COLOR=1"})
	err = cmd.Start()
	outW.Close()
	pwdW.Close()
	if err != nil {
		return shellRun{}, err
	}
	pgid := cmd.Process.Pid
	out := newHeadTail(outCap)
	outDone := make(chan struct{})
	go func() {
		io.Copy(out, outR)
		close(outDone)
	}()
	var pwd []byte
	pwdDone := make(chan struct{})
	go func() {
		pwd, _ = io.ReadAll(io.LimitReader(pwdR, 1<<16))
		close(pwdDone)
	}()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	var run shellRun
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err = <-waited:
	case <-timer.C:
		run.timedOut = true
		killGroup(pgid)
		err = <-waited
	case <-ctx.Done():
		run.cancelled = true
		killGroup(pgid)
		err = <-waited
	}
	// Background children die with the call.
	killGroup(pgid)
	drain := time.NewTimer(drainTimeout)
	defer drain.Stop()
	for _, ch := range []chan struct{}{outDone, pwdDone} {
		select {
		case <-ch:
		case <-drain.C:
			outR.Close()
			pwdR.Close()
			<-ch
		}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		run.exitCode = ee.ExitCode()
		if run.exitCode < 0 {
			run.exitCode = 128 + int(syscall.SIGKILL)
		}
	default:
		return shellRun{}, err
	}
	run.output = cleanOutput(out.String())
	if !run.timedOut && !run.cancelled {
		run.cwd = strings.TrimRight(string(pwd), "\n")
	}
	return run, nil
}

// ansiEscape matches terminal escape sequences.
var ansiEscape = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Z0-9]|[=>])`)

// cleanOutput removes terminal escapes and progress-bar redraws (text
// before a carriage return on the same line) and invalid UTF-8.
func cleanOutput(s string) string {
	s = ansiEscape.ReplaceAllString(s, "")
	if strings.Contains(s, "\r") {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			l = strings.TrimSuffix(l, "\r")
			if j := strings.LastIndexByte(l, '\r'); j >= 0 {
				l = l[j+1:]
			}
			lines[i] = l
		}
		s = strings.Join(lines, "\n")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// headTail keeps the first and last bytes written to it, up to a cap, and
// counts what falls between.
type headTail struct {
	cap       int
	head      []byte
	tail      []byte
	total     int64
	lines     int64
	overflown bool
}

func newHeadTail(cap int) *headTail {
	return &headTail{cap: cap}
}

func (h *headTail) Write(p []byte) (int, error) {
	n := len(p)
	h.total += int64(n)
	for _, c := range p {
		if c == '\n' {
			h.lines++
		}
	}
	half := h.cap / 2
	if room := half - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	if len(p) > 0 {
		h.tail = append(h.tail, p...)
		if len(h.tail) > 2*(h.cap-half) {
			h.overflown = true
			h.tail = append(h.tail[:0], h.tail[len(h.tail)-(h.cap-half):]...)
		}
	}
	return n, nil
}

// String returns the output, with a marker in place of what was cut.
// Cuts fall on line ends when one is near.
func (h *headTail) String() string {
	keepTail := h.cap - h.cap/2
	if int64(len(h.head)+len(h.tail)) == h.total && len(h.tail) <= keepTail {
		return string(h.head) + string(h.tail)
	}
	head, tail := h.head, h.tail
	if len(tail) > keepTail {
		tail = tail[len(tail)-keepTail:]
	}
	if i := strings.LastIndexByte(string(head), '\n'); i >= len(head)/2 {
		head = head[:i+1]
	}
	if i := strings.IndexByte(string(tail), '\n'); i >= 0 && i < len(tail)/2 {
		tail = tail[i+1:]
	}
	cut := h.total - int64(len(head)) - int64(len(tail))
	cutLines := h.lines - int64(strings.Count(string(head), "\n")) - int64(strings.Count(string(tail), "\n"))
	var sb strings.Builder
	sb.Write(head)
	if len(head) > 0 && head[len(head)-1] != '\n' {
		sb.WriteByte('\n')
	}
	fmt.Fprintf(&sb, "… [%s cut: %d bytes, %d lines; only the start and the end of the output are shown] …\n", "output", cut, max(cutLines, 0))
	sb.Write(tail)
	return sb.String()
}
