package tools

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		in   string
		want Rule
		err  string // substring of the error; "" for success
	}{
		{"bash", Rule{Tool: "bash"}, ""},
		{"Bash(go test:*)", Rule{Tool: "bash", Spec: "go test", Prefix: true}, ""},
		{"bash(git   status)", Rule{Tool: "bash", Spec: "git status"}, ""},
		{"bash(*)", Rule{Tool: "bash"}, ""},
		{" edit ", Rule{Tool: "edit"}, ""},
		{"edit(docs/**)", Rule{Tool: "edit", Spec: "docs/**"}, ""},
		{"read(secrets/**)", Rule{Tool: "read", Spec: "secrets/**"}, ""},
		{"read(*.pem)", Rule{Tool: "read", Spec: "*.pem"}, ""},
		{"", Rule{}, "empty"},
		{"bash(go test", Rule{}, `missing ")"`},
		{"bash)", Rule{}, `")" without "("`},
		{"(ls)", Rule{}, "tool name is missing"},
		{"bash()", Rule{}, "parentheses are empty"},
		{"ba sh", Rule{}, "character ' '"},
		{"todo(x)", Rule{}, "takes no pattern"},
		{"read([)", Rule{}, "not a valid glob"},
	}
	for _, tt := range tests {
		got, err := ParseRule(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadRule) {
				t.Errorf("ParseRule(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if err == nil {
			again, err := ParseRule(got.String())
			if err != nil || again != got {
				t.Errorf("ParseRule(%q.String() = %q) = %+v, %v", tt.in, got.String(), again, err)
			}
		}
	}
	_, err := ParseRules([]string{"bash(ls)", "bad("}, []string{"edit(", "read"})
	if err == nil || !strings.Contains(err.Error(), `"bad("`) || !strings.Contains(err.Error(), `"edit("`) {
		t.Errorf("ParseRules error %v names not both bad rules", err)
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": ModeAsk, "ask": ModeAsk, "accept-edits": ModeAcceptEdits, "acceptEdits": ModeAcceptEdits, "plan": ModePlan, "bypass": ModeBypass, "bypassPermissions": ModeBypass} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseMode("yolo"); !errors.Is(err, ErrBadMode) {
		t.Errorf("ParseMode(yolo) error %v", err)
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string // parts; a "!" prefix marks an unsafe part
	}{
		{"go test ./...", []string{"go test ./..."}},
		{"go vet && go test", []string{"go vet", "go test"}},
		{"a; b || c | d & e", []string{"a", "b", "c", "d", "e"}},
		{"a\nb", []string{"a", "b"}},
		{`echo "a && b; c"`, []string{`echo "a && b; c"`}},
		{`echo 'x | y'`, []string{`echo 'x | y'`}},
		{`echo a\;b`, []string{`echo a\;b`}},
		{"echo $(rm -rf /)", []string{"!echo $", "rm -rf /"}},
		{"echo `id`", []string{"!echo `id`"}},
		{`echo "$(id)"`, []string{`!echo "$(id)"`}},
		{"go test > out.txt", []string{"!go test > out.txt"}},
		{"go test >> ~/.bashrc", []string{"!go test >> ~/.bashrc"}},
		{"go test 2>&1", []string{"go test 2>&1"}},
		{"go test 2> /dev/null", []string{"go test 2> /dev/null"}},
		{"go test &> log", []string{"go test", "!> log"}},
		{"diff <(ls a) <(ls b)", []string{"!diff <", "ls a", "!<", "ls b"}},
		{"(cd x && make)", []string{"cd x", "make"}},
		{`echo "unterminated`, []string{`!echo "unterminated`}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range splitCommand(tt.in) {
			s := p.text
			if p.unsafe {
				s = "!" + s
			}
			got = append(got, s)
		}
		if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("splitCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	env := newTestEnv(t, map[string]string{"main.go": "package main\n", ".env": "KEY=1\n", "secrets/a.txt": "s"})
	reg := Default()
	call := func(tool, args string) Call {
		c, err := reg.Inspect(env, tool, json.RawMessage(args))
		if err != nil {
			t.Fatalf("Inspect(%s %s): %v", tool, args, err)
		}
		return c
	}
	mustRules := func(allow, deny []string) Rules {
		r, err := ParseRules(allow, deny)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var (
		none    = Rules{}
		goTest  = mustRules([]string{"bash(go test:*)", "bash(git status)"}, nil)
		denyRm  = mustRules([]string{"bash"}, []string{"bash(rm:*)"})
		allowEd = mustRules([]string{"edit"}, nil)
		docsEd  = mustRules([]string{"edit(docs/**)"}, nil)
		secrets = mustRules([]string{"read"}, []string{"read(secrets/**)"})
		envOK   = mustRules([]string{"read(.env)"}, nil)
		denyEd  = mustRules(nil, []string{"edit"})
		bothGo  = mustRules([]string{"bash(go:*)"}, []string{"bash(go generate:*)"})
		askPush = Rules{Allow: mustRules([]string{"bash"}, nil).Allow, Ask: mustRules([]string{"bash(git push:*)", "edit(go.mod)"}, nil).Allow}
	)
	var (
		read        = call("read", `{"file_path":"main.go"}`)
		readEnv     = call("read", `{"file_path":".env"}`)
		readOut     = call("read", `{"file_path":"/etc/hostname"}`)
		readSecret  = call("read", `{"file_path":"secrets/a.txt"}`)
		grepRoot    = call("grep", `{"pattern":"x"}`)
		edit        = call("edit", `{"file_path":"main.go","old_string":"a","new_string":"b"}`)
		editDocs    = call("write", `{"file_path":"docs/x.md","content":""}`)
		editOut     = call("write", `{"file_path":"../outside.txt","content":""}`)
		editEnv     = call("edit", `{"file_path":".env","old_string":"a","new_string":"b"}`)
		goTestCmd   = call("bash", `{"command":"go test ./..."}`)
		chained     = call("bash", `{"command":"go test ./... && git status"}`)
		chainedRm   = call("bash", `{"command":"go test ./... && rm -rf /"}`)
		redirect    = call("bash", `{"command":"go test ./... > /tmp/x"}`)
		substituted = call("bash", `{"command":"go test $(rm -rf x)"}`)
		goGenerate  = call("bash", `{"command":"go build && go generate ./..."}`)
		todo        = call("todo", `{"todos":[]}`)
	)
	tests := []struct {
		name  string
		mode  Mode
		rules Rules
		call  Call
		want  DecisionKind
		why   string // substring of the reason
	}{
		{"ask: read allowed", ModeAsk, none, read, Allow, ""},
		{"ask: edit asks", ModeAsk, none, edit, Ask, "edit main.go"},
		{"ask: bash asks", ModeAsk, none, goTestCmd, Ask, "run go test ./..."},
		{"ask: todo allowed", ModeAsk, none, todo, Allow, ""},
		{"ask: .env asks", ModeAsk, none, readEnv, Ask, "secrets"},
		{"ask: outside read asks", ModeAsk, none, readOut, Ask, "outside the project"},
		{"ask: grep of the root allowed", ModeAsk, none, grepRoot, Allow, ""},
		{"accept-edits: edit allowed", ModeAcceptEdits, none, edit, Allow, ""},
		{"accept-edits: write outside asks", ModeAcceptEdits, none, editOut, Ask, "outside the project"},
		{"accept-edits: edit of .env asks", ModeAcceptEdits, none, editEnv, Ask, "secrets"},
		{"accept-edits: bash asks", ModeAcceptEdits, none, goTestCmd, Ask, "run"},
		{"plan: edit refused", ModePlan, none, edit, Deny, "plan mode"},
		{"plan: bash refused", ModePlan, none, goTestCmd, Deny, "plan mode"},
		{"plan: allow rule does not lift plan", ModePlan, goTest, goTestCmd, Deny, "plan mode"},
		{"plan: read allowed", ModePlan, none, read, Allow, ""},
		{"plan: todo allowed", ModePlan, none, todo, Allow, ""},
		{"bypass: edit outside allowed", ModeBypass, none, editOut, Allow, ""},
		{"bypass: bash allowed", ModeBypass, none, chainedRm, Allow, ""},
		{"bypass: deny rule wins", ModeBypass, denyRm, chainedRm, Deny, "bash(rm:*)"},
		{"prefix rule allows", ModeAsk, goTest, goTestCmd, Allow, ""},
		{"every part must match", ModeAsk, goTest, chained, Allow, ""},
		{"one part unmatched asks", ModeAsk, goTest, chainedRm, Ask, "rm -rf"},
		{"redirect is not covered", ModeAsk, goTest, redirect, Ask, ""},
		{"substitution is not covered", ModeAsk, goTest, substituted, Ask, ""},
		{"deny part wins over allow", ModeAsk, denyRm, chainedRm, Deny, "deny rule bash(rm:*)"},
		{"tool-wide bash allow", ModeAsk, denyRm, goTestCmd, Allow, ""},
		{"deny prefix inside allow prefix", ModeBypass, bothGo, goGenerate, Deny, "go generate"},
		{"edit rule allows write", ModeAsk, allowEd, editDocs, Allow, ""},
		{"edit rule does not cover outside", ModeAsk, allowEd, editOut, Ask, "outside"},
		{"edit path rule inside", ModeAsk, docsEd, editDocs, Allow, ""},
		{"edit path rule elsewhere", ModeAsk, docsEd, edit, Ask, ""},
		{"deny edit in accept-edits", ModeAcceptEdits, denyEd, edit, Deny, "deny rule edit"},
		{"read deny path", ModeAsk, secrets, readSecret, Deny, "read(secrets/**)"},
		{"read deny covers other files? no", ModeAsk, secrets, read, Allow, ""},
		{"tool-wide read does not unlock .env", ModeAsk, secrets, readEnv, Ask, "secrets"},
		{"explicit path rule unlocks .env", ModeAsk, envOK, readEnv, Allow, ""},
		{"ask rule beats allow", ModeAsk, askPush, call("bash", `{"command":"go test && git push origin"}`), Ask, "the rule bash(git push:*) asks"},
		{"ask rule beats bypass", ModeBypass, askPush, call("bash", `{"command":"git push"}`), Ask, "git push"},
		{"ask rule beats accept-edits", ModeAcceptEdits, askPush, call("write", `{"file_path":"go.mod","content":""}`), Ask, "edit(go.mod)"},
		{"ask rule elsewhere", ModeAcceptEdits, askPush, edit, Allow, ""},
		{"deny beats ask", ModeAsk, askPush.Add(denyRm), call("bash", `{"command":"git push; rm x"}`), Deny, "rm:*"},
		{"plan beats ask", ModePlan, askPush, call("bash", `{"command":"git push"}`), Deny, "plan mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.mode, tt.rules, tt.call)
			if d.Kind != tt.want || !strings.Contains(d.Reason, tt.why) {
				t.Errorf("Decide = %v %q; want %v containing %q", d.Kind, d.Reason, tt.want, tt.why)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	env := newTestEnv(t, map[string]string{"a.go": ""})
	reg := Default()
	c, err := reg.Inspect(env, "edit", json.RawMessage(`{"file_path":"a.go","old_string":"x","new_string":"y"}`))
	if err != nil || c.Kind != KindEdit || len(c.Paths) != 1 || c.Paths[0] != env.Root+"/a.go" || c.Outside || c.Sensitive || c.Tool != "edit" {
		t.Errorf("Inspect(edit) = %+v, %v", c, err)
	}
	_, err = reg.Inspect(env, "nosuch", nil)
	if !errors.Is(err, ErrInvalidCall) || !strings.Contains(err.Error(), `no tool named "nosuch"`) {
		t.Errorf("Inspect(nosuch) error %v", err)
	}
	_, err = reg.Inspect(env, "bash", json.RawMessage(`{"command":"  "}`))
	if !errors.Is(err, ErrInvalidCall) {
		t.Errorf("Inspect(empty command) error %v", err)
	}
}

func TestPrefixRules(t *testing.T) {
	env := newTestEnv(t, nil)
	reg := Default()
	allowGit, _ := ParseRules([]string{"bash(git status)"}, nil)
	tests := []struct {
		cmd   string
		rules Rules
		want  string // the rules, joined by " "
	}{
		{"go test ./...", Rules{}, "bash(go test:*)"},
		{"go build ./... && go test -run X ./pkg", Rules{}, "bash(go build:*) bash(go test:*)"},
		{"cd src && go test && go test -v", Rules{}, "bash(cd src:*) bash(go test:*)"},
		{"git status; ls -la | grep x", allowGit, "bash(ls:*) bash(grep x:*)"},
		{"make > out.txt && ./run.sh --fast", Rules{}, "bash(./run.sh:*)"},
		{"FOO=1 go test", Rules{}, ""},
		{"echo $(whoami)", Rules{}, "bash(whoami:*)"}, // the echo part stays unsafe
		{"python3 -m pytest", Rules{}, "bash(python3:*)"},
	}
	for _, tt := range tests {
		args, _ := json.Marshal(map[string]string{"command": tt.cmd})
		c, err := reg.Inspect(env, "bash", args)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range PrefixRules(tt.rules, c) {
			got = append(got, r.String())
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("PrefixRules(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
		// With the rules added, the command runs without asking, unless a
		// part could not be covered.
		all := tt.rules
		all.Allow = append(all.Allow, PrefixRules(tt.rules, c)...)
		d := Decide(ModeAsk, all, c)
		coverable := !strings.ContainsAny(tt.cmd, "$>=")
		if (d.Kind == Allow) != coverable {
			t.Errorf("%q after the rules: %v %s", tt.cmd, d.Kind, d.Reason)
		}
	}
	if r := PrefixRules(Rules{}, Call{Tool: "edit"}); r != nil {
		t.Errorf("PrefixRules(edit) = %v", r)
	}
}
