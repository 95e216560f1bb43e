package agent

import (
	"fmt"
	"strings"
)

// maxToolOutput is the cap on a tool's output, in bytes.
func (a *Agent) maxToolOutput() int {
	if a.cfg.MaxToolOutput > 0 {
		return a.cfg.MaxToolOutput
	}
	n := a.window() / 8 * 3
	return min(max(n, 2048), 32768)
}

// truncate keeps the head and the tail of an output longer than max bytes
// (errors and summaries tend to be at the end, context at the start), cut
// at line boundaries when it can, and says how much it left out.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	headN, tailN := max*2/5, max*3/5
	head, tail := s[:headN], s[len(s)-tailN:]
	if i := strings.LastIndexByte(head, '\n'); i > headN/2 {
		head = head[:i+1]
	}
	if i := strings.IndexByte(tail, '\n'); i >= 0 && i < tailN/2 {
		tail = tail[i+1:]
	}
	head = strings.ToValidUTF8(head, "")
	tail = strings.ToValidUTF8(tail, "")
	cut := s[len(head) : len(s)-len(tail)]
	return fmt.Sprintf("%s\n[… %d lines (%d bytes) left out …]\n%s", strings.TrimSuffix(head, "\n"), strings.Count(cut, "\n"), len(cut), tail)
}
