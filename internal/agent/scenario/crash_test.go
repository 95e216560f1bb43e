package scenario

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/scripted"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
)

// crashRecorder passes writes to the session until the crash, then drops
// them: from the database's view the process died at that instant.
type crashRecorder struct {
	s       *session.Session
	crashed *bool
}

func (c crashRecorder) Append(turn int, m chat.Message) error {
	if *c.crashed {
		return nil
	}
	return c.s.Append(turn, m)
}

func (c crashRecorder) Replace(msgs []chat.Message) error {
	if *c.crashed {
		return nil
	}
	return c.s.Replace(msgs)
}

func (c crashRecorder) Prepare(turn int, ch session.Change) error {
	if *c.crashed {
		return nil
	}
	return c.s.Prepare(turn, ch)
}

func (c crashRecorder) Checkpoint(turn int, ch []session.Change) error {
	if *c.crashed {
		return nil
	}
	return c.s.Checkpoint(turn, ch)
}

// TestCrashAndResume stops a scenario at each of its events in turn (as a
// Ctrl+C or a crash would), checks that every file is as the last finished
// tool call left it, then reopens the database, resumes the session and
// runs it to the end, which must reach the scenario's final state.
func TestCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, sc := range loadScenarios(t) {
		// The loop scenario ends in an error; the timeout one is covered
		// by TestCancelDuringCommand.
		if sc.name == "loop" || sc.name == "timeout" {
			continue
		}
		sc.transcript = withoutGo(sc.transcript)
		t.Run(sc.name, func(t *testing.T) {
			// Count the events of a whole run.
			var all []string
			dir := sc.setUp(t)
			ref := newAgent(t, dir, scripted.NewClient(sc.transcript, 0, true), nil, func(e agent.Event) { all = append(all, e.Kind()) }, nil, 0)
			if _, err := ref.Run(context.Background(), sc.prompt); err != nil {
				t.Fatal(err)
			}
			for k := 1; k <= len(all); k++ {
				crashAt(t, sc, k, all[k-1])
			}
		})
	}
}

func crashAt(t *testing.T, sc scenario, k int, kind string) {
	t.Helper()
	dir := sc.setUp(t)
	dbDir := t.TempDir()
	store, err := session.Open(dbDir)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := store.Create(dir, "scripted")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crashed := false
	last := snapshot(t, dir)
	n := 0
	events := func(e agent.Event) {
		if crashed {
			return
		}
		n++
		if _, ok := e.(agent.ToolResult); ok {
			last = snapshot(t, dir)
		}
		if n == k {
			crashed = true
			cancel()
		}
	}
	a := newAgent(t, dir, scripted.NewClient(sc.transcript, 0, true), crashRecorder{sess, &crashed}, events, nil, 0)
	_, runErr := a.Run(ctx, sc.prompt)
	if !crashed {
		t.Fatalf("stop %d (%s): never reached", k, kind)
	}
	if got := snapshot(t, dir); !maps.Equal(got, last) {
		t.Fatalf("stop %d (%s): files are not as the last finished call left them:\n%v\nwant\n%v", k, kind, got, last)
	}
	store.Close()

	// Resume from the database alone.
	store, err = session.Open(dbDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sess, err = store.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	msgs, turn, err := sess.Load()
	if err != nil {
		t.Fatal(err)
	}
	from := resumePoint(msgs)
	b := newAgent(t, dir, scripted.NewClient(sc.transcript, from, false), sess, nil, msgs, turn)
	res, err := b.Run(context.Background(), "")
	if errors.Is(err, agent.ErrNothingToContinue) {
		// The first run had finished before the stop.
		if runErr != nil && kind != "turn_finished" {
			t.Fatalf("stop %d (%s): nothing to continue after %v", k, kind, runErr)
		}
		res.Text = b.Messages()[len(b.Messages())-1].Content
		err = nil
	}
	if err != nil {
		t.Fatalf("stop %d (%s): resume from turn %d: %v", k, kind, from, err)
	}
	if res.Text != sc.result {
		t.Errorf("stop %d (%s): result %q", k, kind, res.Text)
	}
	checkFiles(t, dir, sc.want)
	saved, _, err := sess.Load()
	if err != nil {
		t.Fatal(err)
	}
	checkAnswered(t, saved)
}

// withoutGo returns a copy of the transcript where the go commands (which
// build, and so take a second each) become a quick echo, with no
// expectations: the test runs the scenario dozens of times.
func withoutGo(tr *scripted.Transcript) *scripted.Transcript {
	out := &scripted.Transcript{}
	for _, turn := range tr.Turns {
		turn.Expect = ""
		calls := append([]scripted.Call(nil), turn.ToolCalls...)
		for i, c := range calls {
			if c.Name == "bash" && strings.Contains(c.Raw(), `"go `) {
				calls[i].Arguments = []byte(`{"command": "grep -c . go.mod"}`)
			}
		}
		turn.ToolCalls = calls
		out.Turns = append(out.Turns, turn)
	}
	return out
}

// resumePoint is the transcript turn to play next: one per assistant
// message saved, except that a turn whose calls did not all finish is
// played again.
func resumePoint(msgs []chat.Message) int {
	n, last := 0, -1
	for i, m := range msgs {
		if m.Role == chat.RoleAssistant {
			n++
			last = i
		}
	}
	if last < 0 {
		return 0
	}
	answered := 0
	for _, m := range msgs[last+1:] {
		if m.Role == chat.RoleTool && !strings.Contains(m.Content, "not run:") {
			answered++
		}
	}
	if answered < len(msgs[last].ToolCalls) {
		return n - 1
	}
	return n
}

// TestCancelDuringCommand cancels while bash runs a long command: the
// command is killed at once, the result says so, and the session resumes.
func TestCancelDuringCommand(t *testing.T) {
	var sc scenario
	for _, s := range loadScenarios(t) {
		if s.name == "timeout" {
			sc = s
		}
	}
	tr := &scripted.Transcript{Turns: []scripted.Turn{
		{ToolCalls: []scripted.Call{{Name: "bash", Arguments: []byte(`{"command": "sleep 30"}`)}}},
		{Expect: "cancelled", Text: "Stopped."},
	}}
	dir := sc.setUp(t)
	store, err := session.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sess, _ := store.Create(dir, "scripted")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := newAgent(t, dir, scripted.NewClient(tr, 0, true), sess, func(e agent.Event) {
		if _, ok := e.(agent.ToolCallStarted); ok {
			time.AfterFunc(200*time.Millisecond, cancel)
		}
	}, nil, 0)
	start := time.Now()
	_, err = a.Run(ctx, "run it")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the cancelled command took %v to stop", d)
	}
	msgs, turn, _ := sess.Load()
	b := newAgent(t, dir, scripted.NewClient(tr, 1, true), sess, nil, msgs, turn)
	res, err := b.Run(context.Background(), "")
	if err != nil || res.Text != "Stopped." {
		t.Fatalf("resume: %+v %v", res, err)
	}
}
