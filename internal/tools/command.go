package tools

import (
	"os"
	"strings"
)

func homeDir() (string, error) { return os.UserHomeDir() }

// commandPart is one simple command of a command line.
type commandPart struct {
	// text is the command with its whitespace collapsed.
	text string
	// unsafe is set when the part substitutes commands ($(…), `…`, <(…))
	// or redirects output to a file, so no prefix rule may allow it.
	unsafe bool
}

// splitCommand splits a shell command line at &&, ||, ;, |, & and
// newlines outside quotes. It is a conservative reading for permission
// checks, not a shell parser: anything it cannot vouch for is unsafe.
func splitCommand(line string) []commandPart {
	var parts []commandPart
	var cur strings.Builder
	unsafe := false
	flush := func() {
		if t := normalizeCommand(cur.String()); t != "" {
			parts = append(parts, commandPart{text: t, unsafe: unsafe})
		} else if unsafe && len(parts) > 0 {
			parts[len(parts)-1].unsafe = true
		}
		cur.Reset()
		unsafe = false
	}
	var quote byte // 0, '\'' or '"'
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
			cur.WriteByte(c)
			continue
		case c == '\\' && i+1 < len(line):
			cur.WriteByte(c)
			cur.WriteByte(line[i+1])
			i++
			continue
		case quote == '"':
			if c == '"' {
				quote = 0
			} else if c == '`' || (c == '$' && i+1 < len(line) && line[i+1] == '(') {
				unsafe = true
			}
			cur.WriteByte(c)
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
			cur.WriteByte(c)
		case '`':
			unsafe = true
			cur.WriteByte(c)
		case '$', '<':
			if i+1 < len(line) && line[i+1] == '(' {
				unsafe = true
			}
			cur.WriteByte(c)
		case '>':
			if i+1 < len(line) && line[i+1] == '(' {
				unsafe = true
				cur.WriteByte(c)
				continue
			}
			j := i + 1
			if j < len(line) && line[j] == '>' {
				j++
			}
			if j < len(line) && line[j] == '&' { // >&2, 2>&1, >&-
				k := j + 1
				for k < len(line) && (line[k] >= '0' && line[k] <= '9' || line[k] == '-') {
					k++
				}
				cur.WriteString(line[i:k])
				i = k - 1
				continue
			}
			for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
				j++
			}
			k := j
			for k < len(line) && !strings.ContainsRune(" \t\n;&|<>()", rune(line[k])) {
				k++
			}
			if line[j:k] != "/dev/null" {
				unsafe = true
			}
			cur.WriteString(line[i:k])
			i = k - 1
		case ';', '\n':
			flush()
		case '&', '|':
			if i+1 < len(line) && line[i+1] == c {
				i++
			} else if c == '|' && i+1 < len(line) && line[i+1] == '&' {
				i++
			}
			flush()
		case '(', ')', '{', '}':
			// Subshells and groups: their contents are split like the rest.
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		unsafe = true
	}
	flush()
	return parts
}

// normalizeCommand trims a command and collapses runs of whitespace.
func normalizeCommand(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
