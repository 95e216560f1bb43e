package scenario

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// archive is a parsed txtar file: a comment, then files introduced by
// "-- name --" lines.
type archive struct {
	comment string
	files   map[string]string
	order   []string
}

func readArchive(t *testing.T, path string) *archive {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := &archive{files: map[string]string{}}
	var name string
	var buf bytes.Buffer
	flush := func() {
		if name == "" {
			a.comment = buf.String()
		} else {
			a.files[name] = buf.String()
			a.order = append(a.order, name)
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trim := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			flush()
			name = strings.TrimSpace(trim[3 : len(trim)-3])
			continue
		}
		buf.WriteString(line)
	}
	flush()
	return a
}
