package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment is what the system prompt tells the model about where it
// works.
type Environment struct {
	// Dir is the project directory.
	Dir string
	// OS is the operating system (runtime.GOOS).
	OS string
	// Date is today's date, YYYY-MM-DD ("" to leave it out).
	Date string
	// Memory is the project memory (see LoadMemory).
	Memory []MemoryFile
}

// MemoryFile is an instruction file the user keeps for the agent.
type MemoryFile struct {
	Path    string
	Content string
}

// memoryNames are the project memory files, in the order they are read.
var memoryNames = []string{"AGENTS.md", "CLAUDE.md"}

// maxMemoryBytes caps each memory file, so that a huge file cannot fill a
// small model's context.
const maxMemoryBytes = 16 << 10

// LoadMemory reads the project memory: AGENTS.md and CLAUDE.md from the
// user's config directory (configDir, usually $XDG_CONFIG_HOME/atelier;
// "" to skip it) and then from the project root. Missing files are skipped.
func LoadMemory(projectDir, configDir string) ([]MemoryFile, error) {
	var out []MemoryFile
	for _, dir := range []string{configDir, projectDir} {
		if dir == "" {
			continue
		}
		for _, name := range memoryNames {
			path := filepath.Join(dir, name)
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("agent: memory: %w", err)
			}
			text := strings.TrimSpace(string(b))
			if len(text) > maxMemoryBytes {
				text = strings.ToValidUTF8(text[:maxMemoryBytes], "") + "\n[… cut: the file is longer …]"
			}
			if text != "" {
				out = append(out, MemoryFile{Path: path, Content: text})
			}
		}
	}
	return out, nil
}

// ConfigDir returns atelier's directory under the user's config directory
// ($XDG_CONFIG_HOME/atelier, else ~/.config/atelier), or "" when there is no
// home.
func ConfigDir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "atelier")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config", "atelier")
	}
	return ""
}

// basePrompt is written for small local models: short sentences, concrete
// rules, the failure modes they fall into named outright. It is kept short
// (see the token budget test in scenario) so that the instructions and the
// tools leave most of a small context to the work.
const basePrompt = `You are atelier, a coding assistant. Work in the user's project through tools: do the task, do not just describe it.
1. Read the relevant files before changing them.
2. Make small edits; copy old_string exactly from the file.
3. After a change, build or test it with bash.
4. If a call fails, fix it; never repeat the same call.
5. Touch only what the task needs, inside the project.
6. When done or stuck, stop calling tools and answer: what you changed, how you checked it, what is left.`

// SystemPrompt builds the system prompt for the environment.
func SystemPrompt(env Environment) string {
	var b strings.Builder
	b.WriteString(basePrompt)
	b.WriteString("\n\nEnvironment:\n")
	if env.Dir != "" {
		fmt.Fprintf(&b, "- project directory: %s\n", env.Dir)
	}
	if env.OS != "" {
		fmt.Fprintf(&b, "- operating system: %s\n", env.OS)
	}
	if env.Date != "" {
		fmt.Fprintf(&b, "- date: %s\n", env.Date)
	}
	for _, m := range env.Memory {
		fmt.Fprintf(&b, "\nInstructions from %s (follow them):\n%s\n", m.Path, m.Content)
	}
	return strings.TrimRight(b.String(), "\n")
}
