package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
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
func (MultiEdit) Description() string { return multieditDoc }
func (MultiEdit) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"file_path":{"type":"string","description":"The file to change, relative to the project root or absolute."},` +
		`"edits":{"type":"array","description":"The edits, applied in order; each sees the result of the previous ones.","items":{"type":"object","properties":{` +
		`"old_string":{"type":"string","description":"The exact text to replace."},` +
		`"new_string":{"type":"string","description":"The text to put in its place."},` +
		`"replace_all":{"type":"boolean","description":"Replace every occurrence. Default false."}},` +
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
	if err := env.files.apply([]FileChange{c}); err != nil {
		return errorf("The change could not be written, and the file was left as it was: %v", err)
	}
	return Result{Output: editReport(env, c, res), Changes: []FileChange{c}}
}
