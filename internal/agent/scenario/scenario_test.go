package scenario

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/openai"
	"github.com/atelier-dev/atelier/internal/agent/scripted"
	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/session"
	"github.com/atelier-dev/atelier/internal/tools"
)

// scenario is one testdata/*.txtar.
type scenario struct {
	name       string
	prompt     string
	transcript *scripted.Transcript
	repo, want map[string]string
	result     string // the final answer, or
	wantErr    string // a text the run's error must contain
}

func loadScenarios(t *testing.T) []scenario {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(paths) < 6 {
		t.Fatalf("scenarios: %v, %v", paths, err)
	}
	var out []scenario
	for _, p := range paths {
		a := readArchive(t, p)
		sc := scenario{
			name:    strings.TrimSuffix(filepath.Base(p), ".txtar"),
			prompt:  strings.TrimSpace(a.files["prompt"]),
			repo:    map[string]string{},
			want:    map[string]string{},
			result:  strings.TrimSpace(a.files["want-result"]),
			wantErr: strings.TrimSpace(a.files["want-error"]),
		}
		tr, err := scripted.Parse([]byte(a.files["transcript.json"]))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		sc.transcript = tr
		for name, body := range a.files {
			if rest, ok := strings.CutPrefix(name, "repo/"); ok {
				sc.repo[rest] = body
			}
			if rest, ok := strings.CutPrefix(name, "want/"); ok {
				sc.want[rest] = body
			}
		}
		out = append(out, sc)
	}
	return out
}

// setUp writes the scenario's repository into a new directory.
func (sc scenario) setUp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range sc.repo {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// snapshot reads the files of the repository (not the directories the
// tools may create, such as caches).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// backend makes the client for one run of a transcript, starting at turn
// from (strict: each turn's expect is checked).
type backend struct {
	name string
	make func(t *testing.T, tr *scripted.Transcript, from int, strict bool) agent.Client
}

var backends = []backend{
	{"inprocess", func(t *testing.T, tr *scripted.Transcript, from int, strict bool) agent.Client {
		return scripted.NewClient(tr, from, strict)
	}},
	{"openai-stream", func(t *testing.T, tr *scripted.Transcript, from int, strict bool) agent.Client {
		return openaiClient(t, tr, from, strict, false)
	}},
	{"openai-whole", func(t *testing.T, tr *scripted.Transcript, from int, strict bool) agent.Client {
		return openaiClient(t, tr, from, strict, true)
	}},
}

func openaiClient(t *testing.T, tr *scripted.Transcript, from int, strict, noStream bool) agent.Client {
	t.Helper()
	if from > 0 || !strict {
		tr = &scripted.Transcript{Turns: append([]scripted.Turn(nil), tr.Turns[from:]...)}
		if !strict {
			for i := range tr.Turns {
				tr.Turns[i].Expect = ""
			}
		}
	}
	h := scripted.NewHandler(tr)
	h.Model, h.APIKey = "scripted-model", "secret"
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := openai.New(openai.Options{BaseURL: srv.URL + "/v1", APIKey: "secret", Model: "scripted-model", NoStream: noStream})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newToolset gives the scenarios the real tools: edits allowed in the
// project, the commands they use allowed by rule, anything else denied
// (the run is not interactive).
func newToolset(t *testing.T, dir string) *agent.Toolset {
	t.Helper()
	rules, err := tools.ParseRules([]string{"bash(go test:*)", "bash(go vet:*)", "bash(grep:*)", "bash(sleep:*)", "bash(sort)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := agent.NewToolset(dir, tools.ModeAcceptEdits, rules)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func newAgent(t *testing.T, dir string, client agent.Client, rec agent.Recorder, events func(agent.Event), history []chat.Message, turn int) *agent.Agent {
	ts := newToolset(t, dir)
	return agent.New(agent.Config{
		Client:   client,
		Tools:    ts,
		Gate:     ts,
		Recorder: rec,
		Events:   events,
		System:   agent.SystemPrompt(agent.Environment{Dir: dir, OS: runtime.GOOS}),
	}, history, turn)
}

func TestScenarios(t *testing.T) {
	for _, sc := range loadScenarios(t) {
		for _, be := range backends {
			t.Run(sc.name+"/"+be.name, func(t *testing.T) {
				dir := sc.setUp(t)
				store, err := session.Open(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				defer store.Close()
				sess, err := store.Create(dir, "scripted")
				if err != nil {
					t.Fatal(err)
				}
				var kinds []string
				a := newAgent(t, dir, be.make(t, sc.transcript, 0, true), sess, func(e agent.Event) { kinds = append(kinds, e.Kind()) }, nil, 0)
				res, err := a.Run(context.Background(), sc.prompt)
				checkOutcome(t, sc, res, err)
				if res.Steps != len(sc.transcript.Turns) {
					t.Errorf("%d model calls, want %d (the whole transcript)", res.Steps, len(sc.transcript.Turns))
				}
				checkFiles(t, dir, sc.want)
				// The session holds exactly the conversation, every call answered.
				msgs, turn, err := sess.Load()
				if err != nil {
					t.Fatal(err)
				}
				if turn != 1 || jsonOf(t, msgs) != jsonOf(t, a.Messages()) {
					t.Errorf("saved conversation differs from the agent's (turn %d)", turn)
				}
				checkAnswered(t, msgs)
				if last := kinds[len(kinds)-1]; (sc.wantErr == "") != (last == "turn_finished") {
					t.Errorf("last event %s", last)
				}
			})
		}
	}
}

func checkOutcome(t *testing.T, sc scenario, res agent.Result, err error) {
	t.Helper()
	if sc.wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), sc.wantErr) {
			t.Fatalf("err = %v, want one with %q", err, sc.wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	if res.Text != sc.result {
		t.Errorf("result %q, want %q", res.Text, sc.result)
	}
}

func checkFiles(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := snapshot(t, dir)
	for name, body := range want {
		if got[name] != body {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got[name], body)
		}
	}
	for name := range got {
		if strings.Contains(name, ".tmp") || strings.Contains(name, ".undo-") || strings.HasPrefix(filepath.Base(name), ".atelier") {
			t.Errorf("left a temporary file: %s", name)
		}
	}
}

// checkAnswered checks that every tool call has exactly one result.
func checkAnswered(t *testing.T, msgs []chat.Message) {
	t.Helper()
	pending := map[string]bool{}
	for _, m := range msgs {
		switch m.Role {
		case chat.RoleAssistant:
			if len(pending) > 0 {
				t.Errorf("calls without results: %v", pending)
			}
			pending = map[string]bool{}
			for _, c := range m.ToolCalls {
				pending[c.ID] = true
			}
		case chat.RoleTool:
			if !pending[m.ToolCallID] {
				t.Errorf("result for unknown or answered call %q", m.ToolCallID)
			}
			delete(pending, m.ToolCallID)
		}
	}
	if len(pending) > 0 {
		t.Errorf("calls without results at the end: %v", pending)
	}
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
