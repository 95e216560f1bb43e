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
// rules, the failure modes they fall into named outright.
const basePrompt = `You are atelier, a coding assistant working in the user's project on their own computer. You act through tools: read files, search, edit, run commands. Do the task; do not just describe it.

How to work:
1. Look before you change: find the relevant files (glob, grep, ls) and read them before editing.
2. Make small, exact edits. The old text of an edit must match the file exactly, copied from what read showed (without the line numbers).
3. After changing code, check it: build it or run its tests with bash, and read the output.
4. If a tool returns an error, read it and fix the call. Never repeat the same call with the same arguments: its result will not change.
5. Stay inside the project directory. Do not touch files the task does not need.
6. When the task is done, or you cannot go further, stop calling tools and answer in a few sentences: what you changed, how you checked it, what is left.

Tool calls: call one tool at a time when the next step depends on the result. Give the arguments as a JSON object with exactly the parameters the tool describes.

Answers: short and plain. Show code only when the user asks for it.`

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
