package tools

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed write.md
var writeDoc string

// Write creates or replaces a whole file.
type Write struct{}

type writeArgs struct {
	FilePath string `json:"file_path"`
	Content  string `json:"content"`
}

func (Write) Name() string        { return "write" }
func (Write) Description() string { return strings.TrimSpace(writeDoc) }
func (Write) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"file_path":{"type":"string"},` +
		`"content":{"type":"string","description":"The whole file."}},` +
		`"required":["file_path","content"]}`)
}

func (Write) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a writeArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	return pathCall(env, KindEdit, "file_path", a.FilePath)
}

func (Write) plan(env *Env, args json.RawMessage) ([]FileChange, error) {
	var a writeArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, err
	}
	r, err := env.resolve("file_path", a.FilePath)
	if err != nil {
		return nil, err
	}
	before, existed, err := loadText(env, r.Path)
	if err != nil && !existed {
		return nil, err
	}
	if err != nil {
		// Replacing a binary file is allowed; a directory is not.
		if _, isDir := statDir(r.Path); isDir {
			return nil, err
		}
		before, err = readAll(r.Path)
		if err != nil {
			return nil, err
		}
	}
	after := []byte(a.Content)
	if existed && bytes.Equal(before, after) {
		return nil, nil
	}
	return []FileChange{{Path: r.Path, Existed: existed, Before: before, After: after}}, nil
}

// Run implements Tool.
func (w Write) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	return planAndApply(ctx, env, w, args, func(cs []FileChange) string {
		if len(cs) == 0 {
			return "The file already has exactly this content; nothing was written."
		}
		c := cs[0]
		if !c.Existed {
			return fmt.Sprintf("Created %s (%s).", env.rel(c.Path), plural(countLines(c.After), "line"))
		}
		return fmt.Sprintf("Wrote %s (%s; it had %d).", env.rel(c.Path), plural(countLines(c.After), "line"), countLines(c.Before))
	})
}
