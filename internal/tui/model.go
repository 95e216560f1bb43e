package tui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/tools"
)

// Model is the interface's one top-level model.
type Model struct {
	ctx  context.Context
	opts *Options
	be   *backend
	th   *theme
	pt   *painter
	now  func() time.Time

	width, height int
	tr            transcript
	in            *input

	// The run of the agent.
	running   bool
	cancel    context.CancelFunc
	runCtx    context.Context
	queued    []queuedPrompt
	streaming bool   // the current model call has sent text
	tool      string // the tool running, "" when none
	stepStart time.Time
	streamDur time.Duration
	perm      *permDialog

	// client is the model in use (nil before the first is loaded); the
	// backend has its own copy.
	client agent.Client

	// Status.
	info   ModelInfo
	mode   tools.Mode
	used   int
	window int
	speed  float64
	total  agent.Usage
	turns  int

	// busy names a command that runs (compacting), busyStart its start.
	busy      string
	busyStart time.Time
	task      *task
	picker    *picker
	rec       *recommendation
	firstRun  bool

	frame    int
	ticking  bool
	armedAt  time.Time
	quitting bool
}

// queuedPrompt is a prompt sent while the model was busy.
type queuedPrompt struct{ shown, prompt string }

// New returns the model for the options; Run runs it. ctx ends the agent's
// work when the interface quits.
func New(ctx context.Context, o Options) *Model {
	th := newTheme(true)
	m := &Model{
		ctx:    ctx,
		opts:   &o,
		th:     th,
		now:    time.Now,
		width:  max(o.Width, 20),
		height: max(o.Height, 8),
		info:   o.Model,
		client: o.Agent.Client,
		mode:   o.mode(),
	}
	m.pt = &painter{th: th, md: newMarkdown(th.markdown), hl: newHighlighter(th.chroma)}
	m.in = newInput(th)
	m.be = newBackend(m.opts)
	m.firstRun = o.Agent.Client == nil && o.Start == ""
	m.in.setWidth(m.width - 2)
	m.replay(o.History)
	return m
}

// setDark switches the styles for the terminal's background.
func (m *Model) setDark(dark bool) {
	if dark == m.th.dark {
		return
	}
	th := newTheme(dark)
	m.th = th
	m.pt = &painter{th: th, md: newMarkdown(th.markdown), hl: newHighlighter(th.chroma), expanded: m.pt.expanded}
	value := m.in.ta.Value()
	hist, hpos := m.in.history, m.in.hpos
	files, pastes := m.in.files, m.in.pastes
	m.in = newInput(th)
	m.in.ta.SetValue(value)
	m.in.history, m.in.hpos, m.in.files, m.in.pastes = hist, hpos, files, pastes
	m.in.setWidth(m.width - 2)
	for i := range m.tr.cache {
		m.tr.cache[i].width = -1
	}
}

// Init starts listening to the backend, and on a first run checks the
// machine.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.be.listen(), listFiles(m.opts.Dir), tea.RequestBackgroundColor}
	switch {
	case m.firstRun:
		cmds = append(cmds, detect(m.opts.Machine, m.opts.Models))
	case m.opts.Agent.Client == nil:
		cmds = append(cmds, m.useModel(m.opts.Start))
	default:
		cmds = append(cmds, m.be.tokens())
	}
	return tea.Batch(cmds...)
}

// filesMsg gives the project's files for @ completion.
type filesMsg []string

// tickMsg redraws the activity while something runs.
type tickMsg struct{}

const tickEvery = 100 * time.Millisecond

// tick keeps one tick going while anything runs.
func (m *Model) tick() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	return tea.Tick(tickEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *Model) active() bool {
	return m.running || m.task != nil || m.busy != ""
}

func (m *Model) notice(kind noticeKind, text string) {
	m.tr.add(&noticeBlock{kind: kind, text: text})
	m.tr.scroll = 0
}

func (m *Model) setActivity(s string) {
	m.busy, m.busyStart = s, m.now()
}

func (m *Model) quitArmed() bool {
	return !m.armedAt.IsZero() && m.now().Sub(m.armedAt) < 2*time.Second
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	if m.cancel != nil {
		m.cancel()
	}
	if m.perm != nil {
		req := m.perm.req
		m.perm = nil
		return tea.Sequence(answer(req, agent.No), tea.Quit)
	}
	return tea.Quit
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 8)
		m.in.setWidth(m.width - 2)
		return m, nil
	case tea.BackgroundColorMsg:
		m.setDark(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.perm == nil && m.picker == nil {
			m.in.paste(msg.Content)
		}
		return m, nil
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.tr.scroll += 3
		case tea.MouseWheelDown:
			m.tr.scroll = max(m.tr.scroll-3, 0)
		}
		return m, nil
	case eventsMsg:
		var cmds []tea.Cmd
		for _, e := range msg {
			cmds = append(cmds, m.event(e))
		}
		cmds = append(cmds, m.be.listen())
		return m, tea.Batch(cmds...)
	case tickMsg:
		m.ticking = false
		m.frame++
		if m.active() {
			return m, m.tick()
		}
		return m, nil
	case filesMsg:
		m.in.files = msg
		return m, nil
	case tokensMsg:
		m.used, m.window = msg.used, msg.window
		return m, nil
	case startMsg:
		return m, m.start(msg.prompt)
	case shellDone:
		b := msg.block
		b.output, b.state = msg.output, toolOK
		if msg.failed {
			b.state = toolFailed
		}
		b.ver++
		m.busy = ""
		return m, m.be.note(msg.note)
	case doneMsg:
		m.busy = ""
		if msg.clear {
			m.tr.clear()
			m.used = 0
		}
		if msg.resumed {
			m.tr.clear()
			m.replay(msg.history)
		}
		if msg.text != "" {
			m.notice(msg.kind, msg.text)
		}
		return m, tea.Batch(msg.then, m.be.tokens())
	case pickerMsg:
		m.picker = msg.p
		return m, nil
	case pickedModel:
		if msg.it.remote {
			return m, m.pull(msg.it.value, true)
		}
		return m, m.useModel(msg.it.value)
	case pickedSession:
		return m, m.be.resume(m.opts.Sessions, msg.id)
	case pulledMsg:
		m.endTask(msg.t)
		if msg.err != nil {
			m.notice(noticeError, msg.err.Error())
			return m, nil
		}
		what := "Downloaded " + msg.res.Name
		if msg.res.Already {
			what = msg.res.Name + " was already installed"
		}
		m.notice(noticeOK, what+".")
		if msg.load {
			return m, m.useModel(msg.res.Name)
		}
		return m, nil
	case loadedMsg:
		m.endTask(msg.t)
		if msg.err != nil {
			m.notice(noticeError, msg.err.Error())
			return m, nil
		}
		return m, m.be.setClient(msg.l)
	case modelReady:
		m.info, m.client = msg.info, msg.client
		m.firstRun = false
		m.notice(noticeOK, "Using "+m.modelLabel()+".")
		return m, m.be.tokens()
	case detected:
		m.rec = &msg.r
		return m, nil
	}
	return m, nil
}

// key handles a key press.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	if k == "ctrl+c" {
		if m.quitArmed() {
			return m.quit()
		}
		m.armedAt = m.now()
		if m.in.value() != "" {
			m.in.reset()
		}
		return tea.Tick(2*time.Second, func(time.Time) tea.Msg { return tickMsg{} })
	}
	m.armedAt = time.Time{}
	if m.perm != nil {
		if k == "esc" {
			return m.interrupt()
		}
		if a, ok := m.perm.key(msg); ok {
			req := m.perm.req
			if b := m.toolBlock(req.Call.ID); b != nil {
				b.state = toolRunning
				if a == agent.No {
					b.state = toolDenied
				}
				b.ver++
			}
			m.perm = nil
			return answer(req, a)
		}
		return nil
	}
	if m.picker != nil {
		done, cmd := m.picker.key(msg)
		if done {
			m.picker = nil
		}
		return cmd
	}
	switch k {
	case "esc":
		if m.running {
			return m.interrupt()
		}
		m.in.comp = nil
		return nil
	case "pgup":
		m.tr.scroll += max(m.height/2, 1)
		return nil
	case "pgdown":
		m.tr.scroll = max(m.tr.scroll-max(m.height/2, 1), 0)
		return nil
	case "ctrl+o":
		m.pt.expanded = !m.pt.expanded
		return nil
	case "shift+tab":
		m.cycleMode()
		return nil
	case "ctrl+l":
		return nil // the renderer redraws
	case "enter":
		if len(m.in.comp) > 0 && strings.HasPrefix(m.in.compWord, "@") {
			m.in.accept()
			return nil
		}
		if len(m.in.comp) > 0 {
			m.in.accept()
		}
		return m.submit()
	}
	if m.firstRun && m.rec != nil && m.rec.best != "" && m.in.value() == "" && k == "enter" {
		return nil
	}
	_, cmd := m.in.key(msg)
	return cmd
}

// interrupt stops the model now.
func (m *Model) interrupt() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.queued = nil
	if m.perm != nil {
		req := m.perm.req
		m.perm = nil
		return answer(req, agent.No)
	}
	return nil
}

// submit sends what the input holds: a /command, a !command or a prompt.
func (m *Model) submit() tea.Cmd {
	raw := m.in.value()
	text := strings.TrimSpace(raw)
	full := strings.TrimSpace(m.in.expanded())
	if text == "" {
		if m.firstRun && m.rec != nil && m.rec.best != "" && m.task == nil {
			return m.pull(m.rec.best, true)
		}
		return nil
	}
	m.in.remember(raw)
	m.in.reset()
	m.tr.scroll = 0
	switch {
	case strings.HasPrefix(text, "/"):
		return m.command(text)
	case strings.HasPrefix(text, "!"):
		return m.shell(strings.TrimSpace(text[1:]))
	}
	return m.send(text, full)
}

// send shows a prompt and runs the agent on it (after the run in course,
// if any), with the @files it mentions attached.
func (m *Model) send(shown, prompt string) tea.Cmd {
	if m.client == nil {
		m.notice(noticeWarn, "No model is loaded yet: press enter on an empty line to download the recommended one, or /model to choose.")
		return nil
	}
	if m.running {
		m.queued = append(m.queued, queuedPrompt{shown, prompt})
		m.notice(noticeInfo, "Queued: "+firstLine(shown))
		return nil
	}
	m.tr.add(&userBlock{text: shown})
	m.running, m.streaming, m.tool = true, false, ""
	m.stepStart = m.now()
	m.streamDur = 0
	m.runCtx, m.cancel = context.WithCancel(m.ctx)
	return tea.Batch(m.tick(), attach(m.opts.Dir, prompt))
}

// startMsg starts the run once the attachments are read.
type startMsg struct{ prompt string }

func (m *Model) start(prompt string) tea.Cmd {
	if !m.running || m.runCtx == nil {
		return nil
	}
	if m.runCtx.Err() != nil { // interrupted while reading the attachments
		m.running, m.cancel, m.runCtx = false, nil, nil
		m.notice(noticeWarn, "Interrupted.")
		return nil
	}
	return m.be.run(m.runCtx, prompt)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
