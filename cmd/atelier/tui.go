package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/local"
	"github.com/atelier-dev/atelier/internal/engine"
	"github.com/atelier-dev/atelier/internal/models"
	"github.com/atelier-dev/atelier/internal/session"
	"github.com/atelier-dev/atelier/internal/tools"
	"github.com/atelier-dev/atelier/internal/tui"
)

// useTUI says whether the agent starts the full-screen interface: in a
// terminal (stdin and stdout both), without -p or --plain.
func useTUI(f agentFlags, s stdio) bool {
	if f.prompt != "" || f.plain {
		return false
	}
	return isTerminal(s.in) && isTerminal(s.out)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runTUI runs the coding agent in the full-screen interface. The model is
// the one the flags name, else the newest installed one, loaded inside the
// interface so its progress shows; with none installed the interface
// offers the best fit for this machine.
func runTUI(f agentFlags, st *session.Store, dir string, s stdio) error {
	mode, err := tools.ParseMode(f.mode)
	if err != nil {
		return err
	}
	store, err := models.DefaultStore()
	if err != nil {
		return err
	}
	o := tui.Options{Dir: dir, Sessions: st, Models: store, Load: loadLocal(store, f)}
	if p, err := models.NewPuller(store); err == nil {
		o.Puller = p
	}
	var client agent.Client
	name := ""
	switch {
	case f.baseURL != "":
		c, n, closeClient, err := newClient(f)
		if err != nil {
			return err
		}
		defer closeClient()
		client, name = c, n
		o.Model = tui.ModelInfo{Name: n}
	case f.model != "":
		o.Start, name = f.model, f.model
	default:
		if e, ok := newestModel(store); ok {
			o.Start, name = e.Name, e.Name
		}
	}
	sess, err := openSession(st, f, dir, name)
	if err != nil {
		return err
	}
	o.History, o.Turn, err = sess.Load()
	if err != nil {
		return err
	}
	o.Session, o.Dir = sess, sess.Project
	if o.Agent, err = agentConfig(f, sess, mode); err != nil {
		return err
	}
	o.Agent.Client = client
	return tui.Run(context.Background(), o)
}

// newestModel returns the most recently installed model.
func newestModel(store *models.Store) (models.Entry, bool) {
	list, err := store.List()
	if err != nil || len(list) == 0 {
		return models.Entry{}, false
	}
	best := list[0]
	for _, e := range list[1:] {
		if e.ModTime.After(best.ModTime) {
			best = e
		}
	}
	return best, true
}

// loadLocal loads an installed model (or a GGUF path) in process.
func loadLocal(store *models.Store, f agentFlags) tui.LoadFunc {
	return func(ctx context.Context, name string, progress func(done, total int64)) (tui.Loaded, error) {
		path, err := loadablePath(store, name, f.ctxLen)
		if err != nil {
			return tui.Loaded{}, err
		}
		e, err := engine.Load(path, engine.Options{ContextLength: f.ctxLen, Load: f.load})
		if err != nil {
			return tui.Loaded{}, err
		}
		shown := name
		if strings.HasSuffix(shown, ".gguf") {
			shown = strings.TrimSuffix(filepath.Base(shown), ".gguf")
		}
		lc, err := local.New(e, local.Options{Name: shown, Unconstrained: f.noGrammar})
		if err != nil {
			e.Close()
			return tui.Loaded{}, err
		}
		info := tui.ModelInfo{Name: shown}
		if in, err := models.InfoOf(path); err == nil {
			info.Quant = in.Quant
		}
		return tui.Loaded{Client: lc, Info: info, Close: e.Close}, nil
	}
}
