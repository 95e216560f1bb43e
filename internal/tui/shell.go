package tui

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/atelier-dev/atelier/internal/chat"
)

// Limits of what the interface reads on its own.
const (
	shellTimeout   = 2 * time.Minute
	shellMaxOutput = 16 << 10
	attachMaxBytes = 64 << 10
	maxListedFiles = 20000
)

// shellDone reports a !command's end.
type shellDone struct {
	block  *toolBlock
	output string
	failed bool
	note   string
}

// shell runs a command typed after ! in the project directory; its output
// is shown and goes to the model with the next prompt.
func (m *Model) shell(command string) tea.Cmd {
	if command == "" {
		return nil
	}
	args, _ := jsonString(command)
	b := &toolBlock{call: chat.ToolCall{Name: "!", Arguments: []byte(`{"command":` + args + `}`)}}
	m.tr.add(b)
	m.setActivity("running !" + firstLine(command))
	dir, ctx := m.opts.Dir, m.ctx
	return tea.Batch(m.tick(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, shellTimeout)
		defer cancel()
		sh := os.Getenv("SHELL")
		if sh == "" {
			sh = "/bin/sh"
		}
		cmd := exec.CommandContext(ctx, sh, "-c", command)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.Stdin = nil
		err := cmd.Run()
		text := out.String()
		if len(text) > shellMaxOutput {
			text = text[:shellMaxOutput/2] + "\n…\n" + text[len(text)-shellMaxOutput/2:]
		}
		failedRun := err != nil
		if err != nil {
			text = strings.TrimRight(text, "\n") + "\n" + err.Error()
		}
		note := fmt.Sprintf("The user ran `%s` in a shell; its output:\n%s", command, strings.TrimRight(text, "\n"))
		return shellDone{block: b, output: text, failed: failedRun, note: note}
	})
}

func jsonString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// attach reads the files a prompt mentions with @path and appends them to
// it; mentions of files that do not exist stay as they are.
func attach(dir, prompt string) tea.Cmd {
	return func() tea.Msg {
		var b strings.Builder
		b.WriteString(prompt)
		for _, p := range mentions(prompt) {
			path := p
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, p)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.IsDir() {
				continue
			}
			data, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			cut := ""
			if len(data) > attachMaxBytes {
				data, cut = data[:attachMaxBytes], " (cut: the file is longer; read it for the rest)"
			}
			fmt.Fprintf(&b, "\n\n<file path=%q%s>\n%s\n</file>", p, cut, strings.TrimRight(string(data), "\n"))
		}
		return startMsg{b.String()}
	}
}

// listFiles lists the project's files for @ completion, skipping hidden
// and vendored directories.
func listFiles(dir string) tea.Cmd {
	return func() tea.Msg {
		if dir == "" {
			return nil
		}
		var files []string
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if p != dir && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || name == "target" || name == "__pycache__") {
					return filepath.SkipDir
				}
				return nil
			}
			if rel, err := filepath.Rel(dir, p); err == nil {
				files = append(files, filepath.ToSlash(rel))
			}
			if len(files) >= maxListedFiles {
				return filepath.SkipAll
			}
			return nil
		})
		return filesMsg(files)
	}
}

// relPath shows path relative to dir when it is inside it.
func relPath(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
