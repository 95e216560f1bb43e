package tools

import (
	"context"
	"fmt"
)

// Journal records a change before it is written: the file's path and its
// content before the change, so that a crash between the write and the
// caller's checkpoint still leaves a record to undo it from. An error
// stops the write.
type Journal func(FileChange) error

type journalKey struct{}

// WithJournal returns a context whose tool calls give each file change to j
// before writing it (write-ahead). The edit, multiedit and write tools
// honour it.
func WithJournal(ctx context.Context, j Journal) context.Context {
	return context.WithValue(ctx, journalKey{}, j)
}

// writeChanges journals the changes (all of them, before any is written)
// and then writes them, restoring the written ones when one fails.
func (e *Env) writeChanges(ctx context.Context, changes []FileChange) error {
	if j, ok := ctx.Value(journalKey{}).(Journal); ok && j != nil {
		for _, c := range changes {
			if err := j(c); err != nil {
				return fmt.Errorf("tools: recording %s before the write: %w", e.rel(c.Path), err)
			}
		}
	}
	return e.files.apply(changes)
}
