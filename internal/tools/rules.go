package tools

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Rule is one allow or deny rule, written `tool` or `tool(spec)`:
//
//	bash              every command
//	bash(go test:*)   commands starting with the words "go test"
//	bash(git status)  exactly "git status"
//	edit              every edit (edit, multiedit and write)
//	edit(docs/**)     edits of files under docs/
//	read(secrets/**)  reading files under secrets/ (read, grep, glob, ls)
//
// Path patterns use doublestar syntax and are relative to the project
// root unless they start with "/" or "~/"; a pattern without "/" matches
// the file name at any depth.
type Rule struct {
	// Tool is the tool name, lower case, or a group: "edit" covers write,
	// edit and multiedit; "read" covers read, grep, glob and ls.
	Tool string
	// Spec is the command or path pattern; empty for a rule on the whole
	// tool.
	Spec string
	// Prefix is set for a bash rule ending in ":*".
	Prefix bool
}

// ErrBadRule reports a rule that does not parse.
var ErrBadRule = errors.New("invalid permission rule")

// ParseRule parses a rule such as `bash(go test:*)`.
func ParseRule(s string) (Rule, error) {
	in := strings.TrimSpace(s)
	bad := func(why string) (Rule, error) {
		return Rule{}, fmt.Errorf("tools: rule %q: %s: %w", s, why, ErrBadRule)
	}
	if in == "" {
		return bad("the rule is empty")
	}
	name, spec, hasSpec := in, "", false
	if i := strings.IndexByte(in, '('); i >= 0 {
		if !strings.HasSuffix(in, ")") {
			return bad(`missing ")" at the end`)
		}
		name, spec, hasSpec = strings.TrimSpace(in[:i]), strings.TrimSpace(in[i+1:len(in)-1]), true
	} else if strings.ContainsAny(in, ")") {
		return bad(`")" without "("`)
	}
	name = strings.ToLower(name)
	if name == "" {
		return bad("the tool name is missing")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return bad(fmt.Sprintf("the tool name %q has the character %q; want letters, digits, _ or -", name, r))
		}
	}
	if hasSpec && spec == "" {
		return bad("the parentheses are empty; write the tool name alone for a rule on the whole tool")
	}
	r := Rule{Tool: name, Spec: spec}
	if !hasSpec || spec == "*" || spec == "**" {
		r.Spec = ""
		return r, nil
	}
	switch {
	case name == "bash":
		if p, ok := strings.CutSuffix(spec, ":*"); ok {
			r.Spec, r.Prefix = normalizeCommand(p), true
			if r.Spec == "" {
				r.Spec, r.Prefix = "", false
			}
		} else {
			r.Spec = normalizeCommand(spec)
		}
	case isPathTool(name):
		if !doublestar.ValidatePattern(filepath.ToSlash(spec)) {
			return bad(fmt.Sprintf("the path pattern %q is not a valid glob", spec))
		}
		r.Spec = filepath.ToSlash(spec)
	default:
		return bad(fmt.Sprintf("the %s tool takes no pattern; write %q", name, name))
	}
	return r, nil
}

// String formats the rule as it parses.
func (r Rule) String() string {
	switch {
	case r.Spec == "":
		return r.Tool
	case r.Prefix:
		return r.Tool + "(" + r.Spec + ":*)"
	}
	return r.Tool + "(" + r.Spec + ")"
}

// toolGroups lists the tools a group rule covers.
var toolGroups = map[string][]string{
	"edit": {"edit", "multiedit", "write"},
	"read": {"read", "grep", "glob", "ls"},
}

func isPathTool(name string) bool {
	switch name {
	case "edit", "multiedit", "write", "read", "grep", "glob", "ls":
		return true
	}
	return false
}

func (r Rule) coversTool(tool string) bool {
	if r.Tool == tool {
		return true
	}
	return slices.Contains(toolGroups[r.Tool], tool)
}

// Rules are the allow, ask and deny rules of a configuration. A deny rule
// that matches a call refuses it; an ask rule makes it ask even where an
// allow rule or the mode would allow it; allow rules allow it.
type Rules struct {
	Allow []Rule
	Ask   []Rule
	Deny  []Rule
}

// Add returns the union of two sets of rules (rs first).
func (rs Rules) Add(o Rules) Rules {
	return Rules{
		Allow: append(slices.Clip(rs.Allow), o.Allow...),
		Ask:   append(slices.Clip(rs.Ask), o.Ask...),
		Deny:  append(slices.Clip(rs.Deny), o.Deny...),
	}
}

// ParseRules parses allow and deny rule strings; the error lists every
// rule that does not parse.
func ParseRules(allow, deny []string) (Rules, error) {
	var rs Rules
	var errs []error
	for _, s := range allow {
		r, err := ParseRule(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rs.Allow = append(rs.Allow, r)
	}
	for _, s := range deny {
		r, err := ParseRule(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rs.Deny = append(rs.Deny, r)
	}
	return rs, errors.Join(errs...)
}

// denies returns the first deny rule that matches the call.
func (rs Rules) denies(call Call) (Rule, bool) { return firstMatch(rs.Deny, call) }

// asks returns the first ask rule that matches the call.
func (rs Rules) asks(call Call) (Rule, bool) { return firstMatch(rs.Ask, call) }

// firstMatch returns the first rule that matches the call: any part of a
// compound command, or any of its paths.
func firstMatch(rules []Rule, call Call) (Rule, bool) {
	for _, r := range rules {
		if !r.coversTool(call.Tool) {
			continue
		}
		switch {
		case r.Spec == "":
			return r, true
		case call.Tool == "bash":
			for _, part := range splitCommand(call.Command) {
				if r.matchCommand(part.text) {
					return r, true
				}
			}
		default:
			for _, p := range call.Paths {
				if r.matchPath(call.Root, p) {
					return r, true
				}
			}
		}
	}
	return Rule{}, false
}

// allows reports whether the allow rules cover the whole call.
func (rs Rules) allows(call Call) bool {
	if call.Tool == "bash" {
		parts := splitCommand(call.Command)
		if len(parts) == 0 {
			return false
		}
		for _, r := range rs.Allow {
			if r.Tool == "bash" && r.Spec == "" {
				return true
			}
		}
	parts:
		for _, part := range parts {
			if part.unsafe {
				return false
			}
			for _, r := range rs.Allow {
				if r.Tool == "bash" && r.matchCommand(part.text) {
					continue parts
				}
			}
			return false
		}
		return true
	}
	for _, r := range rs.Allow {
		if !r.coversTool(call.Tool) {
			continue
		}
		if r.Spec == "" {
			if !call.Outside && !call.Sensitive {
				return true
			}
			continue
		}
		if len(call.Paths) == 0 {
			continue
		}
		all := true
		for _, p := range call.Paths {
			if !r.matchPath(call.Root, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (r Rule) matchCommand(part string) bool {
	if r.Spec == "" {
		return true
	}
	if r.Prefix {
		return part == r.Spec || strings.HasPrefix(part, r.Spec+" ")
	}
	return part == r.Spec
}

// matchPath matches a path rule against an absolute path.
func (r Rule) matchPath(root, path string) bool {
	pat := r.Spec
	target := relTo(root, path)
	switch {
	case strings.HasPrefix(pat, "~/"):
		if home, err := homeDir(); err == nil {
			pat = filepath.ToSlash(filepath.Join(home, pat[2:]))
		}
		target = filepath.ToSlash(path)
	case strings.HasPrefix(pat, "/"):
		target = filepath.ToSlash(path)
	case !strings.Contains(pat, "/"):
		target = filepath.Base(path)
	}
	return matchGlob(pat, target)
}

// matchGlob matches a doublestar pattern; a pattern ending in "/**" also
// matches the directory itself.
func matchGlob(pat, name string) bool {
	if ok, _ := doublestar.Match(pat, name); ok {
		return true
	}
	if dir, ok := strings.CutSuffix(pat, "/**"); ok {
		m, _ := doublestar.Match(dir, name)
		return m
	}
	return false
}

// CommandPrefix returns the prefix an "always" answer allows for one simple
// command: the program and, when the next word is a plain subcommand, that
// word too ("go test", "git status", "ls", "./run.sh"). It returns "" for a
// command it cannot vouch for (one that starts with a variable assignment
// or shell syntax).
func CommandPrefix(part string) string {
	f := strings.Fields(part)
	if len(f) == 0 || strings.ContainsAny(f[0], "=;&|`$()<>{}\\'\"*?") {
		return ""
	}
	if len(f) > 1 && isSubcommand(f[1]) {
		return f[0] + " " + f[1]
	}
	return f[0]
}

func isSubcommand(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || i > 0 && (r == '-' || r == '_' || r >= '0' && r <= '9')) {
			return false
		}
	}
	return s != ""
}

// PrefixRules returns the allow rules that would let a bash call run next
// time without asking: one `bash(PREFIX:*)` rule for each part of the
// command line that the rules do not allow yet, in order, without
// duplicates. Parts no prefix rule can cover (command substitution, output
// redirected to a file, a leading variable assignment) get none: such a
// command keeps asking. It returns nil for other tools.
func PrefixRules(rules Rules, call Call) []Rule {
	if call.Tool != "bash" {
		return nil
	}
	var out []Rule
	for _, part := range splitCommand(call.Command) {
		if part.unsafe || rules.allows(Call{Tool: "bash", Kind: KindExec, Command: part.text}) {
			continue
		}
		p := CommandPrefix(part.text)
		if p == "" {
			continue
		}
		r := Rule{Tool: "bash", Spec: p, Prefix: true}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
