package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed multiedit.md
var multieditDoc string

// MultiEdit applies several edits to one file, all or none.
type MultiEdit struct{}

type multieditArgs struct {
	FilePath string        `json:"file_path"`
	Edits    []replacement `json:"edits"`
}

func (MultiEdit) Name() string        { return "multiedit" }
func (MultiEdit) Description() string { return strings.TrimSpace(multieditDoc) }
func (MultiEdit) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"file_path":{"type":"string"},` +
		`"edits":{"type":"array","items":{"type":"object","properties":{` +
		`"old_string":{"type":"string"},` +
		`"new_string":{"type":"string"},` +
		`"replace_all":{"type":"boolean"}},` +
		`"required":["old_string","new_string"]}}},` +
		`"required":["file_path","edits"]}`)
}

func (MultiEdit) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a multieditArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	return pathCall(env, KindEdit, "file_path", a.FilePath)
}

func (MultiEdit) plan(env *Env, args json.RawMessage) ([]FileChange, error) {
	c, _, err := multiedit(env, args)
	if err != nil {
		return nil, err
	}
	return []FileChange{c}, nil
}

func multiedit(env *Env, args json.RawMessage) (FileChange, []editResult, error) {
	var a multieditArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return FileChange{}, nil, err
	}
	if len(a.Edits) == 0 {
		return FileChange{}, nil, fmt.Errorf("edits is empty; give at least one {old_string, new_string}")
	}
	return editFile(env, a.FilePath, a.Edits)
}

// Run implements Tool.
func (MultiEdit) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	c, res, err := multiedit(env, args)
	if err != nil {
		return errorf("%v", err)
	}
	if err := env.writeChanges(ctx, []FileChange{c}); err != nil {
		return errorf("The change could not be written, and the file was left as it was: %v", err)
	}
	return Result{Output: editReport(env, c, res), Changes: []FileChange{c}}
}
