// Package config loads atelier's settings for the coding agent from two
// JSON files and says where each value came from:
//
//   - the user's file, $XDG_CONFIG_HOME/atelier/config.json (else
//     ~/.config/atelier/config.json), and its "projects" entry for the
//     current project;
//   - the project's file, .atelier/config.json in the project root.
//
// A project's file comes with the code, from whoever wrote the repository,
// so it is not trusted by default: it may only make atelier more careful
// (add deny and ask rules, pick the ask or plan mode). Everything that would
// give it power, such as allow rules, the accept-edits and bypass modes,
// the model, the server (which would receive the code) and the environment
// variables passed to commands, is ignored with a warning until the user's
// file marks the project trusted ("projects": {"/path": {"trusted":
// true}}). A repository therefore cannot grant itself permissions or send
// its reader's code elsewhere by shipping a config file.
//
// API keys are never read from or written to a file: remote.api_key_env
// names the environment variable that holds the key.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/atelier-dev/atelier/internal/tools"
)

// FileName is the config file's name in both places.
const FileName = "config.json"

// ProjectFile returns the project config's path under a project root.
func ProjectFile(root string) string { return filepath.Join(root, ".atelier", FileName) }

// UserFile returns the user config's path in atelier's config directory
// (see agent.ConfigDir), or "" when there is none.
func UserFile(configDir string) string {
	if configDir == "" {
		return ""
	}
	return filepath.Join(configDir, FileName)
}

// Setting is a value and where it came from: "default", a flag ("--model")
// or a file and line ("/home/u/.config/atelier/config.json:3").
type Setting[T any] struct {
	Value T
	From  string
}

func (s *Setting[T]) set(v T, from string) { s.Value, s.From = v, from }

// Rule is one permission rule with its kind and origin.
type Rule struct {
	// Kind is "allow", "ask" or "deny".
	Kind string
	Rule tools.Rule
	From string
}

// Config is the effective configuration.
type Config struct {
	Mode        Setting[tools.Mode]
	Model       Setting[string]
	Context     Setting[int]
	BaseURL     Setting[string]
	RemoteModel Setting[string]
	APIKeyEnv   Setting[string]
	// PassEnv are the secret-looking variables commands may see.
	PassEnv []Setting[string]
	// Rules are the permission rules, in order of origin.
	Rules []Rule
	// Trusted tells whether the user's file trusts the project.
	Trusted bool
	// UserFile and ProjectFile are the files read ("" or missing files
	// are skipped).
	UserFile, ProjectFile string
	// Project is the project root the config was loaded for.
	Project string
	// Warnings say what was ignored, one sentence each.
	Warnings []string
}

// PermissionRules returns the rules for tools.Decide.
func (c *Config) PermissionRules() tools.Rules {
	var rs tools.Rules
	for _, r := range c.Rules {
		switch r.Kind {
		case "allow":
			rs.Allow = append(rs.Allow, r.Rule)
		case "ask":
			rs.Ask = append(rs.Ask, r.Rule)
		case "deny":
			rs.Deny = append(rs.Deny, r.Rule)
		}
	}
	return rs
}

// PassEnvNames returns the names of PassEnv.
func (c *Config) PassEnvNames() []string {
	out := make([]string, len(c.PassEnv))
	for i, s := range c.PassEnv {
		out[i] = s.Value
	}
	return out
}

// Load reads the user file (userFile, "" for none) and the project file of
// the project root, and merges them over the defaults. Missing files are
// fine; a malformed one is an error naming the file, line and field.
func Load(userFile, project string) (*Config, error) {
	root, err := canonical(project)
	if err != nil {
		return nil, err
	}
	c := &Config{UserFile: userFile, ProjectFile: ProjectFile(root), Project: root}
	c.Mode.set(tools.ModeAsk, "default")
	c.Model.From, c.Context.From, c.BaseURL.From, c.RemoteModel.From, c.APIKeyEnv.From = "default", "default", "default", "default", "default"

	var user *parsed
	if userFile != "" {
		if user, err = readFile(userFile); err != nil {
			return nil, err
		}
	}
	if user != nil {
		if err := c.apply(user, "", user.file.Permissions, true); err != nil {
			return nil, err
		}
		for key, pr := range user.file.Projects {
			if p, err := canonical(key); err != nil || p != root {
				continue
			}
			c.Trusted = c.Trusted || pr.Trusted
			if err := c.applyPermissions(user, "projects."+key+".permissions", pr.Permissions, true); err != nil {
				return nil, err
			}
		}
	}
	proj, err := readFile(c.ProjectFile)
	if err != nil {
		return nil, err
	}
	if proj != nil {
		if len(proj.file.Projects) > 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s:%d: projects is read only from the user's config file; ignored", proj.path, proj.line("projects")))
		}
		if err := c.apply(proj, "", proj.file.Permissions, c.Trusted); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// canonical makes a project path absolute with its symlinks evaluated, as
// tools.NewEnv does, so that trust entries match however the directory is
// reached.
func canonical(dir string) (string, error) {
	if strings.HasPrefix(dir, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, dir[2:])
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("config: project %s: %w", dir, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs, nil
}

// readFile reads and parses a config file; a missing file gives nil.
func readFile(path string) (*parsed, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parse(path, data)
}

// modeRank orders the modes from the most careful.
func modeRank(m tools.Mode) int {
	switch m {
	case tools.ModePlan:
		return 0
	case tools.ModeAsk:
		return 1
	case tools.ModeAcceptEdits:
		return 2
	}
	return 3
}

// apply merges one file; trusted says whether it may grant power.
func (c *Config) apply(p *parsed, prefix string, perms Permissions, trusted bool) error {
	f := p.file
	at := func(field string) string { return fmt.Sprintf("%s:%d", p.path, p.line(field)) }
	var ignored []string
	if f.Model != "" {
		if trusted {
			c.Model.set(f.Model, at("model"))
		} else {
			ignored = append(ignored, "model")
		}
	}
	if f.Context != 0 {
		if f.Context < 0 {
			return p.errorf("context", "want a positive number of tokens, not %d", f.Context)
		}
		if trusted {
			c.Context.set(f.Context, at("context"))
		} else {
			ignored = append(ignored, "context")
		}
	}
	if f.Remote != (Remote{}) {
		if !trusted {
			ignored = append(ignored, "remote")
		} else {
			if f.Remote.BaseURL != "" {
				if !strings.HasPrefix(f.Remote.BaseURL, "http://") && !strings.HasPrefix(f.Remote.BaseURL, "https://") {
					return p.errorf("remote.base_url", "want an http:// or https:// URL, not %q", f.Remote.BaseURL)
				}
				c.BaseURL.set(f.Remote.BaseURL, at("remote.base_url"))
			}
			if f.Remote.Model != "" {
				c.RemoteModel.set(f.Remote.Model, at("remote.model"))
			}
			if f.Remote.APIKeyEnv != "" {
				if strings.ContainsAny(f.Remote.APIKeyEnv, "= $") {
					return p.errorf("remote.api_key_env", "want the name of an environment variable, such as OPENAI_API_KEY, not %q", f.Remote.APIKeyEnv)
				}
				c.APIKeyEnv.set(f.Remote.APIKeyEnv, at("remote.api_key_env"))
			}
		}
	}
	for i, name := range f.PassEnv {
		field := fmt.Sprintf("pass_env[%d]", i)
		if name == "" || strings.ContainsAny(name, "= ") {
			return p.errorf(field, "want the name of an environment variable, not %q", name)
		}
		if !trusted {
			ignored = append(ignored, "pass_env")
			break
		}
		c.PassEnv = append(c.PassEnv, Setting[string]{name, at(field)})
	}
	if err := c.applyPermissions(p, join(prefix, "permissions"), perms, trusted); err != nil {
		return err
	}
	if !trusted {
		if len(perms.Allow) > 0 {
			ignored = append([]string{"permissions.allow"}, ignored...)
		}
		if m, err := tools.ParseMode(perms.Mode); err == nil && perms.Mode != "" && modeRank(m) > modeRank(tools.ModeAsk) {
			ignored = append([]string{"permissions.mode " + string(m)}, ignored...)
		}
	}
	if len(ignored) > 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: ignored %s, because the project is not trusted; to trust it, run `atelier config --trust` in %s (it adds the project to %s)",
			p.path, strings.Join(ignored, ", "), c.Project, orDefault(c.UserFile, "the user's config file")))
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// applyPermissions merges a permissions object at the path field. An
// untrusted one adds only ask and deny rules and makes the mode no less
// careful.
func (c *Config) applyPermissions(p *parsed, field string, perms Permissions, trusted bool) error {
	if perms.Mode != "" {
		m, err := tools.ParseMode(perms.Mode)
		if err != nil {
			return p.errorf(field+".mode", "unknown mode %q (want ask, accept-edits, plan or bypass)", perms.Mode)
		}
		if trusted || modeRank(m) <= modeRank(tools.ModeAsk) && modeRank(m) <= modeRank(c.Mode.Value) {
			c.Mode.set(m, fmt.Sprintf("%s:%d", p.path, p.line(field+".mode")))
		}
	}
	for _, list := range []struct {
		kind  string
		rules []string
	}{{"deny", perms.Deny}, {"ask", perms.Ask}, {"allow", perms.Allow}} {
		for i, s := range list.rules {
			f := fmt.Sprintf("%s.%s[%d]", field, list.kind, i)
			r, err := tools.ParseRule(s)
			if err != nil {
				return p.errorf(f, "%s", strings.TrimSuffix(strings.TrimPrefix(err.Error(), "tools: "), ": "+tools.ErrBadRule.Error()))
			}
			if list.kind == "allow" && !trusted {
				continue
			}
			c.Rules = append(c.Rules, Rule{Kind: list.kind, Rule: r, From: fmt.Sprintf("%s:%d", p.path, p.line(f))})
		}
	}
	return nil
}
