package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/atelier-dev/atelier/internal/tools"
)

// ErrNoUserFile: there is no user config directory to save to.
var ErrNoUserFile = errors.New("config: no user config directory (set XDG_CONFIG_HOME or HOME)")

// AddProjectRules adds permission rules of the given kind ("allow", "ask"
// or "deny") to the user file's entry for the project, as the permission
// dialog's "always" answers are saved. Rules already there are not added
// twice. The file is rewritten atomically; a malformed file is left alone
// and its error returned.
func AddProjectRules(userFile, project, kind string, rules []string) error {
	if kind != "allow" && kind != "ask" && kind != "deny" {
		panic("config: AddProjectRules: kind " + kind)
	}
	for _, r := range rules {
		if _, err := tools.ParseRule(r); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return editProject(userFile, project, func(p *Project) {
		list := map[string]*[]string{"allow": &p.Permissions.Allow, "ask": &p.Permissions.Ask, "deny": &p.Permissions.Deny}[kind]
		for _, r := range rules {
			if !slices.Contains(*list, r) {
				*list = append(*list, r)
			}
		}
	})
}

// TrustProject marks the project trusted in the user file, so that its own
// .atelier/config.json may grant permissions and pick the model and server.
func TrustProject(userFile, project string) error {
	return editProject(userFile, project, func(p *Project) { p.Trusted = true })
}

func editProject(userFile, project string, edit func(*Project)) error {
	if userFile == "" {
		return ErrNoUserFile
	}
	root, err := canonical(project)
	if err != nil {
		return err
	}
	p, err := readFile(userFile)
	if err != nil {
		return err
	}
	var f File
	if p != nil {
		f = p.file
	}
	if f.Projects == nil {
		f.Projects = map[string]Project{}
	}
	key := root
	for k := range f.Projects {
		if c, err := canonical(k); err == nil && c == root {
			key = k
			break
		}
	}
	pr := f.Projects[key]
	edit(&pr)
	f.Projects[key] = pr
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := tools.WriteFileAtomic(userFile, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("config: save %s: %w", userFile, err)
	}
	return nil
}
