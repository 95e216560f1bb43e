package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed edit.md
var editDoc string

// Edit replaces text in a file: old_string → new_string.
type Edit struct{}

type editArgs struct {
	FilePath string `json:"file_path"`
	replacement
}

func (Edit) Name() string        { return "edit" }
func (Edit) Description() string { return strings.TrimSpace(editDoc) }
func (Edit) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{` +
		`"file_path":{"type":"string"},` +
		`"old_string":{"type":"string"},` +
		`"new_string":{"type":"string"},` +
		`"replace_all":{"type":"boolean"}},` +
		`"required":["file_path","old_string","new_string"]}`)
}

func (Edit) inspect(env *Env, args json.RawMessage) (Call, error) {
	var a editArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return Call{}, err
	}
	return pathCall(env, KindEdit, "file_path", a.FilePath)
}

func (Edit) plan(env *Env, args json.RawMessage) ([]FileChange, error) {
	var a editArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, err
	}
	c, _, err := editFile(env, a.FilePath, []replacement{a.replacement})
	if err != nil {
		return nil, err
	}
	return []FileChange{c}, nil
}

// Run implements Tool.
func (Edit) Run(ctx context.Context, env *Env, args json.RawMessage) Result {
	var a editArgs
	if err := json.Unmarshal(args, &a); err != nil {
		return errorf("edit: %v", err)
	}
	c, res, err := editFile(env, a.FilePath, []replacement{a.replacement})
	if err != nil {
		return errorf("%v", err)
	}
	if err := env.writeChanges(ctx, []FileChange{c}); err != nil {
		return errorf("The change could not be written, and the file was left as it was: %v", err)
	}
	return Result{Output: editReport(env, c, res), Changes: []FileChange{c}}
}

// editFile applies edits in order to the file's content in memory; all
// must succeed. An empty old_string in the first edit creates a file that
// does not exist (or fills an empty one).
func editFile(env *Env, path string, edits []replacement) (FileChange, []editResult, error) {
	r, err := env.resolve("file_path", path)
	if err != nil {
		return FileChange{}, nil, err
	}
	before, existed, err := loadText(env, r.Path)
	if err != nil {
		return FileChange{}, nil, err
	}
	content := string(before)
	if !existed && (len(edits) == 0 || edits[0].Old != "") {
		return FileChange{}, nil, fmt.Errorf("%s does not exist. Check the path with glob or ls; to create a new file, use write", env.rel(r.Path))
	}
	crlf := strings.Contains(content, "\r\n") && strings.Count(content, "\r\n") == strings.Count(content, "\n")
	if crlf {
		content = strings.ReplaceAll(content, "\r\n", "\n")
	}
	results := make([]editResult, 0, len(edits))
	for i, e := range edits {
		e.Old = strings.ReplaceAll(e.Old, "\r\n", "\n")
		e.New = strings.ReplaceAll(e.New, "\r\n", "\n")
		var res editResult
		if i == 0 && e.Old == "" && content == "" {
			content, res = e.New, editResult{count: 1, first: 1, last: countLines([]byte(e.New))}
		} else {
			content, res, err = applyReplacement(content, e)
			if err != nil {
				if len(edits) > 1 {
					return FileChange{}, nil, fmt.Errorf("edit %d of %d failed: %v.\nNo edit was applied: the file is unchanged. Fix that edit and send all the edits again.", i+1, len(edits), err)
				}
				return FileChange{}, nil, fmt.Errorf("%v.\nThe file %s is unchanged.", err, env.rel(r.Path))
			}
		}
		results = append(results, res)
	}
	if crlf {
		content = strings.ReplaceAll(content, "\n", "\r\n")
	}
	return FileChange{Path: r.Path, Existed: existed, Before: before, After: []byte(content)}, results, nil
}

// editReport tells the model what an edit did and shows the changed lines.
func editReport(env *Env, c FileChange, results []editResult) string {
	var sb strings.Builder
	total, fuzzy := 0, false
	for _, r := range results {
		total += r.count
		fuzzy = fuzzy || r.fuzzy
	}
	verb := "Edited"
	if !c.Existed {
		verb = "Created"
	}
	fmt.Fprintf(&sb, "%s %s: %s", verb, env.rel(c.Path), plural(total, "replacement"))
	if len(results) > 1 {
		fmt.Fprintf(&sb, " by %s", plural(len(results), "edit"))
	}
	if fuzzy {
		sb.WriteString(" (old_string matched when differences of whitespace were ignored; the new text was indented like the file)")
	}
	sb.WriteString(".")
	if len(results) == 1 && results[0].count >= 1 {
		lines := splitLines(string(c.After))
		from := max(results[0].first-3, 0)
		to := min(results[0].last+2, len(lines), from+30)
		if from < to {
			fmt.Fprintf(&sb, " %s now read:\n", capitalize(lineRange(from+1, to)))
			sb.WriteString(strings.TrimRight(numbered(lines[from:to], from+1), "\n"))
		}
	}
	return sb.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
