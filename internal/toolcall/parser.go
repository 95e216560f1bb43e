package toolcall

import (
	"strings"

	"github.com/atelier-dev/atelier/internal/chat"
)

const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
	pythonTag  = "<|python_tag|>"
)

// bodyKind is how the text between a call's opener and closer is read.
type bodyKind int

const (
	bodyHermes bodyKind = iota // {"name": …, "arguments": …}
	bodyXML                    // <function=…><parameter=…>…
)

// opener is a marked call: open … close.
type opener struct {
	open, close string
	body        bodyKind
	// keep puts the opener and closer back around the body (for
	// <function=…>…</function> written without <tool_call>).
	keep bool
}

// spec is what a format looks for.
type spec struct {
	think     bool     // <think>…</think> at the start is reasoning
	openers   []opener // marked calls
	jsonCalls bool     // Llama 3: a bare JSON object at the start (or after a call, or after <|python_tag|>) is a call
}

var (
	hermesOpeners = []opener{{open: "<tool_call>", close: "</tool_call>", body: bodyHermes}}
	xmlOpeners    = []opener{
		{open: "<tool_call>", close: "</tool_call>", body: bodyXML},
		{open: "<function=", close: "</function>", body: bodyXML, keep: true},
	}
)

func specOf(f Format) spec {
	switch f {
	case Hermes:
		return spec{openers: hermesOpeners}
	case Qwen3, SmolLM3:
		return spec{think: true, openers: hermesOpeners}
	case Qwen3Coder:
		return spec{openers: xmlOpeners}
	case Qwen3XML:
		return spec{think: true, openers: xmlOpeners}
	case Llama3:
		return spec{openers: []opener{{open: pythonTag}}, jsonCalls: true}
	}
	return spec{}
}

type state int

const (
	stText      state = iota
	stReasoning       // inside <think>
	stCall            // inside a marked call, waiting for its closer
	stJSON            // inside a bare JSON call object
	stPython          // after <|python_tag|> something that is not JSON: kept to the end
)

// Parser splits one reply of a model as its text streams in. It is not
// safe for concurrent use.
type Parser struct {
	spec  spec
	tools toolSet

	st  state
	buf string // text not yet decided
	// body holds the start of the call being read (stCall, stJSON,
	// stPython); buf then holds only its newest bytes.
	body strings.Builder

	// atStart: only whitespace has been seen since the reply began, so
	// <think> may open reasoning and (Llama 3) "{" a call.
	atStart bool
	// callNext (Llama 3): a bare JSON object here would be a call (at the
	// start, after a call or after <|python_tag|>).
	callNext bool
	// afterTag: the JSON call being read followed <|python_tag|>, so
	// anything wrong with it is an error rather than text.
	afterTag bool
	// trimNewlines drops the newlines that follow <think> and </think>.
	trimNewlines bool

	cur  opener      // the marked call being read (stCall)
	json jsonScanner // the bare JSON call being read (stJSON)
	out  []Event
}

// NewParser returns a parser for a reply in format f, for a request that
// offered tools (used to type Qwen3-Coder values and to catch calls of
// unknown tools; none means any name is accepted).
func NewParser(f Format, tools []chat.Tool) *Parser {
	p := &Parser{spec: specOf(f), tools: newToolSet(tools), atStart: true}
	p.callNext = p.spec.jsonCalls
	return p
}

// AfterPrompt tells the parser how the prompt ended: when it ends inside
// an open <think> (templates that start the reasoning for the model), the
// reply begins as reasoning. Call it before Add.
func (p *Parser) AfterPrompt(prompt string) {
	if !p.spec.think {
		return
	}
	i := strings.LastIndex(prompt, thinkOpen)
	if i < 0 || strings.LastIndex(prompt, thinkClose) > i {
		return
	}
	if strings.TrimSpace(prompt[i+len(thinkOpen):]) != "" {
		return
	}
	p.st, p.atStart, p.trimNewlines = stReasoning, false, true
}

// Add takes the next piece of output and returns the events it completes.
// Text that may be the start of an opener is held back until decided.
func (p *Parser) Add(text string) []Event {
	p.buf += text
	p.out = nil
	for p.step(false) {
	}
	return p.out
}

// Finish ends the reply: held-back text is released and an unfinished
// call is parsed as it is, or reported.
func (p *Parser) Finish() []Event {
	p.out = nil
	for p.step(true) {
	}
	return p.out
}

// step makes one move and reports whether another may follow.
func (p *Parser) step(final bool) bool {
	switch p.st {
	case stText:
		return p.stepText(final)
	case stReasoning:
		return p.stepReasoning(final)
	case stCall:
		return p.stepCall(final)
	case stJSON:
		return p.stepJSON(final)
	case stPython:
		p.body.WriteString(p.buf)
		p.buf = ""
		if final {
			raw := pythonTag + p.takeBody()
			p.st = stText
			p.fail(raw, "After <|python_tag|> write a JSON tool call: {\"name\": <function-name>, \"parameters\": <arguments-object>}.")
		}
		return false
	}
	return false
}

func (p *Parser) emit(k Kind, s string) {
	if s == "" {
		return
	}
	if n := len(p.out); n > 0 && p.out[n-1].Kind == k && (k == Text || k == Reasoning) {
		p.out[n-1].Text += s
		return
	}
	p.out = append(p.out, Event{Kind: k, Text: s})
}

func (p *Parser) fail(raw, msg string) {
	p.out = append(p.out, Event{Kind: Error, Text: raw, Message: msg})
}

func (p *Parser) call(c chat.ToolCall) {
	c.ID = newCallID()
	p.out = append(p.out, Event{Kind: Call, Call: c})
}

// consume drops the first n bytes of buf.
func (p *Parser) consume(n int) {
	p.buf = p.buf[n:]
}

// takeBody returns and clears the body read so far.
func (p *Parser) takeBody() string {
	s := p.body.String()
	p.body.Reset()
	return s
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *Parser) stepText(final bool) bool {
	if p.trimNewlines {
		p.buf = strings.TrimLeft(p.buf, "\n")
		if p.buf == "" && !final {
			return false
		}
		p.trimNewlines = false
	}
	if p.atStart || p.callNext {
		// Leading whitespace (and, between Llama calls, ';') is held until
		// what follows it is known.
		ws := 0
		for ws < len(p.buf) && (isSpace(p.buf[ws]) || (p.callNext && !p.atStart && p.buf[ws] == ';')) {
			ws++
		}
		rest := p.buf[ws:]
		switch {
		case p.atStart && p.spec.think && strings.HasPrefix(rest, thinkOpen):
			p.consume(ws + len(thinkOpen))
			p.st, p.atStart, p.callNext, p.trimNewlines = stReasoning, false, false, true
			return true
		case p.callNext && strings.HasPrefix(rest, "{"):
			p.consume(ws)
			p.st, p.atStart, p.callNext = stJSON, false, false
			p.json = jsonScanner{}
			return true
		case rest == "" && !final:
			return false
		case p.afterTag && rest != "":
			p.consume(ws)
			p.st = stPython
			return true
		case p.atStart && p.spec.think && strings.HasPrefix(thinkOpen, rest) && !final:
			return false
		}
		p.atStart, p.callNext, p.afterTag = false, false, false
	}
	// The earliest opener in buf.
	best, at := -1, len(p.buf)
	for i, o := range p.spec.openers {
		if j := strings.Index(p.buf, o.open); j >= 0 && j < at {
			best, at = i, j
		}
	}
	if best >= 0 {
		o := p.spec.openers[best]
		p.emit(Text, p.buf[:at])
		p.consume(at + len(o.open))
		if o.open == pythonTag {
			// What follows the tag must be a JSON call.
			p.callNext, p.afterTag = true, true
			return true
		}
		p.cur, p.st = o, stCall
		return true
	}
	hold := 0
	if !final {
		for _, o := range p.spec.openers {
			hold = max(hold, partialSuffix(p.buf, o.open))
		}
	}
	p.emit(Text, p.buf[:len(p.buf)-hold])
	p.consume(len(p.buf) - hold)
	return false
}

// partialSuffix is the length of the longest suffix of s that is a proper
// prefix of marker.
func partialSuffix(s, marker string) int {
	for n := min(len(s), len(marker)-1); n > 0; n-- {
		if strings.HasSuffix(s, marker[:n]) {
			return n
		}
	}
	return 0
}

func (p *Parser) stepReasoning(final bool) bool {
	if p.trimNewlines {
		p.buf = strings.TrimLeft(p.buf, "\n")
		if p.buf == "" && !final {
			return false
		}
		p.trimNewlines = false
	}
	if i := strings.Index(p.buf, thinkClose); i >= 0 {
		p.emit(Reasoning, strings.TrimRight(p.buf[:i], "\n"))
		p.consume(i + len(thinkClose))
		p.st, p.trimNewlines = stText, true
		return true
	}
	if final {
		p.emit(Reasoning, strings.TrimRight(p.buf, "\n"))
		p.consume(len(p.buf))
		return false
	}
	// Hold a possible start of </think> and the newlines before it.
	keep := len(p.buf) - partialSuffix(p.buf, thinkClose)
	for keep > 0 && p.buf[keep-1] == '\n' {
		keep--
	}
	p.emit(Reasoning, p.buf[:keep])
	p.consume(keep)
	return false
}

func (p *Parser) stepCall(final bool) bool {
	if i := strings.Index(p.buf, p.cur.close); i >= 0 {
		body := p.takeBody() + p.buf[:i]
		p.consume(i + len(p.cur.close))
		p.st = stText
		p.callNext = p.spec.jsonCalls
		p.finishCall(body, true)
		return true
	}
	if !final {
		// Keep only what may be the start of the closer.
		keep := min(len(p.buf), len(p.cur.close)-1)
		p.body.WriteString(p.buf[:len(p.buf)-keep])
		p.consume(len(p.buf) - keep)
		return false
	}
	body := p.takeBody() + p.buf
	p.consume(len(p.buf))
	p.st = stText
	p.finishCall(body, false)
	return false
}

// finishCall parses the body of a marked call.
func (p *Parser) finishCall(body string, closed bool) {
	o := p.cur
	raw := o.open + body
	if closed {
		raw += o.close
	}
	if o.keep {
		body = raw
	}
	var calls []chat.ToolCall
	var msg string
	switch o.body {
	case bodyHermes:
		var c chat.ToolCall
		c, msg = parseHermes(body, p.tools)
		calls = []chat.ToolCall{c}
	case bodyXML:
		calls, msg = parseXML(body, p.tools)
	}
	if msg != "" {
		if !closed {
			msg = "The tool call ends without " + o.close + ". " + msg
		}
		p.fail(raw, msg)
		return
	}
	for _, c := range calls {
		p.call(c)
	}
}

func (p *Parser) stepJSON(final bool) bool {
	end := p.json.scan(p.buf)
	if end < 0 {
		p.body.WriteString(p.buf)
		p.consume(len(p.buf))
		if !final {
			return false
		}
		raw := p.takeBody()
		p.st = stText
		if p.afterTag || looksLikeJSONCall(raw) {
			p.fail(raw, "The JSON tool call is incomplete; write one whole object: {\"name\": <function-name>, \"parameters\": <arguments-object>}.")
		} else {
			p.emit(Text, raw)
		}
		return false
	}
	obj := p.takeBody() + p.buf[:end]
	p.consume(end)
	p.st = stText
	c, ok, msg := parseLlama(obj, p.tools)
	switch {
	case ok:
		p.call(c)
		p.callNext = true
	case msg != "" && (p.afterTag || looksLikeJSONCall(obj)):
		p.fail(obj, msg)
		p.callNext = true
	default:
		// A JSON object that is no call: the model answered in JSON.
		p.emit(Text, obj)
	}
	p.afterTag = false
	return true
}

// jsonScanner finds the end of a JSON object by counting brackets outside
// strings.
type jsonScanner struct {
	depth    int
	inString bool
	escape   bool
}

// scan continues over s, the next bytes of the object, and returns the
// index in s just past the object's closing brace, or -1.
func (j *jsonScanner) scan(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case j.inString:
			switch {
			case j.escape:
				j.escape = false
			case c == '\\':
				j.escape = true
			case c == '"':
				j.inString = false
			}
		case c == '"':
			j.inString = true
		case c == '{' || c == '[':
			j.depth++
		case c == '}' || c == ']':
			j.depth--
			if j.depth <= 0 {
				return i + 1
			}
		}
	}
	return -1
}
