package tools

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

//go:embed read.md
var readDoc string

// Read shows a text file with numbered lines.
type Read struct{}

type readArgs struct {
	FilePath string `json:"file_path"`
	Offset   int    `json:"offset"`
	Limit    int    `json:"limit"`
}

func (Read) Name() string        { return "read" }
func (Read) Description() string { return strings.TrimSpace(readDoc) }
func (Read) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"file_path":{"type":"string"},` +
		`"offset":{"type":"integer","description":"First line, from 1."},` +
		`"limit":{"type":"integer","description":"Number of lines."}},` +
		`"required":["file_path"]}`)
}

func (Read) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a readArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	return pathCall(env, KindRead, "file_path", a.FilePath)
}

// Run implements Tool.
func (Read) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a readArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("read: %v", err)
	}
	r, err := env.resolve("file_path", a.FilePath)
	if err != nil {
		return errorf("%v", err)
	}
	rel := env.rel(r.Path)
	f, err := os.Open(r.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return errorf("%s does not exist. Use glob or ls to find the right path.", rel)
	}
	if err != nil {
		return errorf("Cannot open %s: %v.", rel, pathErr(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return errorf("Cannot open %s: %v.", rel, pathErr(err))
	}
	if st.IsDir() {
		return errorf("%s is a directory. Use ls to list it.", rel)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(8000)
	if isBinary(head, len(head) < 8000) {
		return errorf("%s is a binary file (%s); read shows text files only.", rel, describeBinary(head, st.Size()))
	}
	if a.Offset < 0 || a.Limit < 0 {
		return errorf("offset and limit must not be negative.")
	}
	first := max(a.Offset, 1)
	maxLines := env.Limits.readLines()
	if a.Limit > 0 && a.Limit < maxLines {
		maxLines = a.Limit
	}
	lineCap, outCap := env.Limits.lineBytes(), env.Limits.outputBytes()
	var sb strings.Builder
	n, shown, last := 0, 0, 0
	cutLines := 0
	stopped := false
	for {
		line, err := br.ReadString('\n')
		if line == "" && err != nil {
			if err != io.EOF {
				return errorf("Cannot read %s: %v.", rel, err)
			}
			break
		}
		n++
		if ctx.Err() != nil {
			return errorf("read was cancelled.")
		}
		if n < first || stopped {
			continue
		}
		if shown >= maxLines {
			stopped = true
			continue
		}
		text := strings.TrimRight(line, "\r\n")
		if len(text) > lineCap {
			text = truncateUTF8(text, lineCap) + fmt.Sprintf(" … [line cut: %d more bytes]", len(text)-lineCap)
			cutLines++
		}
		entry := fmt.Sprintf("%6d\t%s\n", n, text)
		if sb.Len()+len(entry) > outCap && shown > 0 {
			stopped = true
			continue
		}
		sb.WriteString(entry)
		shown++
		last = n
	}
	switch {
	case n == 0:
		return Result{Output: fmt.Sprintf("(%s is empty)", rel)}
	case first > n:
		return errorf("%s has only %d lines; offset %d is past the end.", rel, n, first)
	}
	if last < n {
		fmt.Fprintf(&sb, "(showing lines %d-%d of %d; call read with offset=%d to see more)\n", first, last, n, last+1)
	}
	if cutLines > 0 {
		fmt.Fprintf(&sb, "(%d long lines were cut at %d bytes)\n", cutLines, lineCap)
	}
	return Result{Output: sb.String()}
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
