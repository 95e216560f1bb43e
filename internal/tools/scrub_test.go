package tools

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestIsSecretEnv(t *testing.T) {
	for name, want := range map[string]bool{
		"OPENAI_API_KEY":          true,
		"OPENAI_BASE_URL":         true,
		"ANTHROPIC_AUTH_TOKEN":    true,
		"HF_TOKEN":                true,
		"GITHUB_TOKEN":            true,
		"GH_TOKEN":                true,
		"NPM_TOKEN":               true,
		"AWS_ACCESS_KEY_ID":       true,
		"AWS_PROFILE":             true,
		"AWS_SECRET_ACCESS_KEY":   true,
		"STRIPE_SECRET":           true,
		"CLIENT_SECRET_ID":        true,
		"DB_PASSWORD":             true,
		"my_service_api_key":      true,
		"GPG_KEY":                 true,
		"DATABASE_URL":            true,
		"GOOGLE_CREDENTIALS":      true,
		"GITLAB_PAT":              true,
		"PATH":                    false,
		"HOME":                    false,
		"GOPATH":                  false,
		"TOKENIZERS_PARALLELISM":  false,
		"KEY_ID_FORMAT":           false,
		"SSH_AUTH_SOCK":           false,
		"LANG":                    false,
		"HF_HOME":                 false,
		"GOFLAGS":                 false,
		"PATHEXT":                 false,
		"SECRETARY_NAME":          false,
		"XDG_CONFIG_HOME":         false,
		"PASSENGER_COUNT":         false,
		"CARGO_REGISTRIES_CRATES": false,
	} {
		if got := IsSecretEnv(name); got != want {
			t.Errorf("IsSecretEnv(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCommandEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "OPENAI_API_KEY=sk-1", "HOME=/h", "MY_TOKEN=t", "HF_TOKEN=h", "=weird", "LLM=k"}
	env, removed := CommandEnv(environ, []string{"MY_TOKEN"}, []string{"LLM"}, []string{"TERM=dumb"})
	want := []string{"PATH=/bin", "HOME=/h", "MY_TOKEN=t", "=weird", "TERM=dumb"}
	if !slices.Equal(env, want) {
		t.Errorf("env = %q, want %q", env, want)
	}
	if !slices.Equal(removed, []string{"HF_TOKEN", "LLM", "OPENAI_API_KEY"}) {
		t.Errorf("removed = %q", removed)
	}
}

// The bash tool's commands do not see atelier's secrets, but do see the
// variables passed through and everything else.
func TestBashScrubsSecrets(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-leak-1")
	t.Setenv("GITHUB_TOKEN", "ghp-leak-2")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-leak-3")
	t.Setenv("MY_DEPLOY_TOKEN", "pass-4")
	t.Setenv("ATELIER_TEST_PLAIN", "plain-5")
	env := newTestEnv(t, nil)
	env.PassEnv = []string{"MY_DEPLOY_TOKEN"}
	res := runBash(t, context.Background(), env, "env; echo \"[$OPENAI_API_KEY]\"", 10)
	if res.IsError {
		t.Fatal(res.Output)
	}
	for _, leak := range []string{"sk-leak-1", "ghp-leak-2", "aws-leak-3", "OPENAI_API_KEY="} {
		if strings.Contains(res.Output, leak) {
			t.Errorf("the command saw %q:\n%s", leak, res.Output)
		}
	}
	for _, kept := range []string{"MY_DEPLOY_TOKEN=pass-4", "ATELIER_TEST_PLAIN=plain-5", "PATH=", "[]"} {
		if !strings.Contains(res.Output, kept) {
			t.Errorf("the command did not see %q:\n%s", kept, res.Output)
		}
	}
}
