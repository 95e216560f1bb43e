package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/tokenizer"
)

// cmdTokenize prints the token ids of stdin, space-separated on one line,
// without BOS; --special parses control tokens written in the text.
func cmdTokenize(args []string, s stdio) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	fs.SetOutput(s.err)
	model := fs.String("model", "", "GGUF `file` whose vocabulary to use (a vocabulary-only file will do)")
	special := fs.Bool("special", false, "parse control tokens such as <|im_start|> written in the text")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *model == "" || fs.NArg() != 0 {
		return fmt.Errorf("tokenize: give --model and the text on stdin: %w", errUsage)
	}
	f, err := gguf.Open(*model)
	if err != nil {
		return err
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return err
	}
	text, err := io.ReadAll(s.in)
	if err != nil {
		return fmt.Errorf("tokenize: reading stdin: %w", err)
	}
	ids := tok.Encode(string(text), false, *special)
	w := bufio.NewWriter(s.out)
	var buf []byte
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(buf, int64(id), 10)
		if len(buf) > 4096 {
			w.Write(buf)
			buf = buf[:0]
		}
	}
	buf = append(buf, '\n')
	w.Write(buf)
	return w.Flush()
}
