package tui

import (
	"context"
	"errors"
	"os"

	tea "charm.land/bubbletea/v2"
)

// Run runs the interface until the user quits or ctx ends.
func Run(ctx context.Context, o Options) error {
	if o.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		o.Dir = wd
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := New(ctx, o)
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if o.Input != nil {
		opts = append(opts, tea.WithInput(o.Input))
	}
	if o.Output != nil {
		opts = append(opts, tea.WithOutput(o.Output))
	}
	if o.Width > 0 && o.Height > 0 {
		opts = append(opts, tea.WithWindowSize(o.Width, o.Height))
	}
	_, err := tea.NewProgram(m, opts...).Run()
	cancel()
	// A run still going ends on the cancelled context; drain its events so
	// it is not stuck sending them, then free the model.
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-m.be.events:
			case <-stop:
				return
			}
		}
	}()
	m.be.close()
	close(stop)
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
