package tui

import (
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/atelier-dev/atelier/internal/models"
)

// task is a long operation shown with a progress bar in the status line: a
// download or a model load. Its counters are set from the operation's
// goroutine and read when the status line is drawn.
type task struct {
	label       string
	done, total atomic.Int64
	start       time.Time
}

// Start, Add and Done implement models.Progress.
func (t *task) Start(name string, total, done int64) { t.total.Store(total); t.done.Store(done) }
func (t *task) Add(n int64)                          { t.done.Add(n) }
func (t *task) Done()                                {}

// pulledMsg reports the end of a download.
type pulledMsg struct {
	t    *task
	res  models.Result
	load bool
	err  error
}

// loadedMsg reports the end of a model load.
type loadedMsg struct {
	t   *task
	l   Loaded
	err error
}

// pull downloads a model, then loads it if load is set.
func (m *Model) pull(name string, load bool) tea.Cmd {
	if m.opts.Puller == nil {
		m.notice(noticeWarn, "Downloading is not set up in this session; run `atelier pull "+name+"` in a shell.")
		return nil
	}
	if m.task != nil {
		m.notice(noticeWarn, "Wait for "+m.task.label+" to finish.")
		return nil
	}
	ref, err := models.ParseRef(name)
	if err != nil {
		m.notice(noticeError, err.Error())
		return nil
	}
	t := &task{label: "pulling " + name, start: m.now()}
	m.task = t
	m.notice(noticeInfo, "Downloading "+name+"…")
	puller, ctx := m.opts.Puller, m.ctx
	return tea.Batch(m.tick(), func() tea.Msg {
		res, err := puller.Pull(ctx, ref, t)
		return pulledMsg{t, res, load, err}
	})
}

// useModel loads an installed model and switches to it.
func (m *Model) useModel(name string) tea.Cmd {
	if m.opts.Load == nil {
		m.notice(noticeWarn, "Switching models is not set up in this session; restart atelier with --model "+name+".")
		return nil
	}
	if m.task != nil {
		m.notice(noticeWarn, "Wait for "+m.task.label+" to finish.")
		return nil
	}
	t := &task{label: "loading " + name, start: m.now()}
	m.task = t
	load, ctx := m.opts.Load, m.ctx
	return tea.Batch(m.tick(), func() tea.Msg {
		l, err := load(ctx, name, func(done, total int64) { t.done.Store(done); t.total.Store(total) })
		return loadedMsg{t, l, err}
	})
}

// modelPicker lists the installed models and the catalog.
func (m *Model) modelPicker() tea.Cmd {
	store := m.opts.Models
	current := m.info.Name
	return func() tea.Msg {
		var items []pickItem
		installed := map[string]bool{}
		if store != nil {
			list, err := store.List()
			if err != nil {
				return failed(err)
			}
			sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
			for _, e := range list {
				installed[e.Name] = true
				d := "installed, " + models.FormatBytes(uint64(e.Size))
				if e.Name == current {
					d += ", in use"
				}
				items = append(items, pickItem{label: e.Name, detail: d, value: e.Name})
			}
		}
		for _, mod := range models.Catalog() {
			f := mod.Default()
			tag := mod.Tag(f)
			if installed[tag] || installed[mod.Name] {
				continue
			}
			items = append(items, pickItem{label: tag, detail: fmt.Sprintf("download %s · %s", models.FormatBytes(uint64(f.Size)), mod.Description), value: tag, remote: true})
		}
		return pickerMsg{&picker{title: "Choose a model", items: items, pick: func(it pickItem) tea.Cmd {
			return func() tea.Msg { return pickedModel{it} }
		}}}
	}
}

// pickedModel is the choice of the model picker.
type pickedModel struct{ it pickItem }

// sessionPicker lists the project's sessions.
func (m *Model) sessionPicker() tea.Cmd {
	store, dir := m.opts.Sessions, m.opts.Dir
	if store == nil {
		m.notice(noticeWarn, "Sessions are not saved in this run, so there is nothing to resume.")
		return nil
	}
	return func() tea.Msg {
		list, err := store.List(dir)
		if err != nil {
			return failed(err)
		}
		var items []pickItem
		for _, s := range list {
			if s.Messages == 0 {
				continue
			}
			title := s.Title
			if title == "" {
				title = "(untitled)"
			}
			items = append(items, pickItem{label: title, detail: fmt.Sprintf("%s · %d messages · %s", s.Updated.Format("2006-01-02 15:04"), s.Messages, s.Model), value: s.ID})
		}
		if len(items) == 0 {
			return doneMsg{kind: noticeInfo, text: "No earlier session in this project."}
		}
		return pickerMsg{&picker{title: "Resume a session", items: items, pick: func(it pickItem) tea.Cmd {
			return func() tea.Msg { return pickedSession{it.value} }
		}}}
	}
}

// pickedSession is the choice of the session picker.
type pickedSession struct{ id string }

// recommendation is the first run's advice: the machine and the best model
// for it.
type recommendation struct {
	machine models.Machine
	best    string
	size    int64
	why     string
}

// detected reports the hardware check.
type detected struct{ r recommendation }

// detect runs the hardware check (it reads the system) for the first run.
func detect(given *models.Machine, store *models.Store) tea.Cmd {
	return func() tea.Msg {
		var mc models.Machine
		if given != nil {
			mc = *given
		} else {
			dir := ""
			if store != nil {
				dir = store.Dir
			}
			mc = models.Detect(dir)
		}
		r := recommendation{machine: mc}
		for _, row := range models.FitTable(mc) {
			if row.Best {
				r.best, r.size = row.Model.Tag(row.File), row.File.Size
				r.why = models.DefaultPolicy().Why(row)
			}
		}
		if r.best == "" {
			// Unknown memory, or nothing fits: offer the smallest tool model.
			var small *models.Model
			for _, mod := range models.Catalog() {
				if mod.Tools && (small == nil || mod.Default().Size < small.Default().Size) {
					mm := mod
					small = &mm
				}
			}
			if small != nil {
				r.best, r.size = small.Tag(small.Default()), small.Default().Size
				r.why = "the smallest tool-capable model (the memory available could not be judged)"
			}
		}
		return detected{r}
	}
}

// welcomeLines renders the first-run screen.
func (m *Model) welcomeLines(width int) []string {
	th := m.th
	out := []string{th.bold.Render("Welcome to atelier"), "", "No model is loaded yet. atelier runs open-weight models on this computer's CPU."}
	r := m.rec
	if r == nil {
		return append(out, "", th.dim.Render("Checking this machine…"))
	}
	mc := r.machine
	mem := "unknown memory"
	if mc.RAMTotal > 0 {
		mem = fmt.Sprintf("%s memory (%s available)", models.FormatBytes(mc.RAMTotal), models.FormatBytes(mc.RAMAvailable))
	}
	cores := fmt.Sprintf("%d cores", mc.LogicalCores)
	out = append(out, "", th.dim.Render("This machine: ")+fmt.Sprintf("%s/%s, %s, %s, %s", mc.OS, mc.Arch, cores, mem, mc.SIMDString()))
	if r.best == "" {
		return append(out, "", th.warn.Render("No catalog model fits; /model lists them all."))
	}
	out = append(out, "",
		"Recommended: "+th.accent.Render(r.best)+th.dim.Render(fmt.Sprintf(" (%s download)", models.FormatBytes(uint64(r.size)))),
		th.dim.Render("  "+r.why+"."),
		"",
		th.key.Render("enter")+" download and use it   "+th.key.Render("/model")+" choose another   "+th.key.Render("ctrl+c")+" twice to quit")
	var lines []string
	for _, l := range out {
		lines = append(lines, wrap(l, width-2)...)
	}
	return indent(lines, "  ", "  ")
}
