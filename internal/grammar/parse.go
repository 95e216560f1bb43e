package grammar

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// exprKind tells what an expr is.
type exprKind uint8

const (
	exClass exprKind = iota // one code point from a class
	exRef                   // a rule reference
	exGroup                 // alternatives of sequences (also string literals)
)

// expr is one element of a parsed GBNF sequence, with its repetition.
type expr struct {
	kind     exprKind
	spans    []span   // exClass
	name     string   // exRef
	alts     [][]expr // exGroup
	min, max int      // repetition; max < 0 means unbounded
	off      int      // source offset, for messages
}

// ruleDef is a parsed rule.
type ruleDef struct {
	name string
	alts [][]expr
	off  int
}

// SyntaxError reports a bad grammar, with a 1-based line and column
// (columns count bytes).
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("grammar: line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Limits that keep hostile grammars from exhausting memory.
const (
	maxRepeat   = 10000   // largest m or n in x{m,n}
	maxElements = 1 << 20 // compiled elements in one grammar
	maxNesting  = 256     // parenthesis depth
)

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errAt(off int, format string, args ...any) error {
	line, col := 1, 1
	for i := 0; i < off && i < len(p.src); i++ {
		if p.src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// skip passes blanks and comments, and newlines too when newlines is set.
func (p *parser) skip(newlines bool) {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case (c == '\n' || c == '\r') && newlines:
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// parseGBNF parses a whole grammar into rule definitions, in source order.
func parseGBNF(src string) ([]ruleDef, error) {
	if !utf8.ValidString(src) {
		i := 0
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, (&parser{src: src}).errAt(i, "invalid UTF-8")
	}
	p := &parser{src: src}
	var rules []ruleDef
	for {
		p.skip(true)
		if p.pos >= len(p.src) {
			return rules, nil
		}
		r, err := p.rule()
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
}

func (p *parser) name() (string, error) {
	start := p.pos
	for p.pos < len(p.src) && isWordChar(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errAt(start, "expected a rule name, found %s", p.describe())
	}
	return p.src[start:p.pos], nil
}

// describe names what is at the current position, for messages.
func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of grammar"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	switch r {
	case '\n', '\r':
		return "end of line"
	}
	return strconv.QuoteRune(r)
}

func (p *parser) rule() (ruleDef, error) {
	off := p.pos
	name, err := p.name()
	if err != nil {
		return ruleDef{}, err
	}
	p.skip(false)
	if len(p.src)-p.pos < 3 || p.src[p.pos:p.pos+3] != "::=" {
		return ruleDef{}, p.errAt(p.pos, "expected \"::=\" after rule name %q, found %s", name, p.describe())
	}
	p.pos += 3
	p.skip(true)
	alts, err := p.alternates(false)
	if err != nil {
		return ruleDef{}, err
	}
	if p.pos < len(p.src) && p.src[p.pos] != '\n' && p.src[p.pos] != '\r' {
		return ruleDef{}, p.errAt(p.pos, "unexpected %s in rule %q", p.describe(), name)
	}
	return ruleDef{name: name, alts: alts, off: off}, nil
}

func (p *parser) alternates(nested bool) ([][]expr, error) {
	var alts [][]expr
	for {
		seq, err := p.sequence(nested)
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if !nested {
			// A line that starts with "|" continues the rule.
			save := p.pos
			p.skip(true)
			if p.peek() != '|' {
				p.pos = save
			}
		}
		if p.peek() != '|' {
			return alts, nil
		}
		p.pos++
		p.skip(true)
	}
}

func (p *parser) sequence(nested bool) ([]expr, error) {
	var seq []expr
	for {
		p.skip(nested)
		if p.pos >= len(p.src) {
			return seq, nil
		}
		off := p.pos
		var e expr
		switch c := p.src[p.pos]; {
		case c == '|' || c == ')' || c == '\n' || c == '\r':
			return seq, nil
		case c == '"':
			s, err := p.literal()
			if err != nil {
				return nil, err
			}
			e = expr{kind: exGroup, alts: [][]expr{s}}
		case c == '[':
			sp, err := p.charClass()
			if err != nil {
				return nil, err
			}
			e = expr{kind: exClass, spans: sp}
		case c == '.':
			p.pos++
			e = expr{kind: exClass, spans: []span{{0, maxRune}}}
		case c == '(':
			if p.depth >= maxNesting {
				return nil, p.errAt(off, "parentheses nested deeper than %d", maxNesting)
			}
			p.pos++
			p.depth++
			p.skip(true)
			alts, err := p.alternates(true)
			if err != nil {
				return nil, err
			}
			p.depth--
			p.skip(true)
			if p.peek() != ')' {
				return nil, p.errAt(p.pos, "expected \")\" to close the group opened at %s, found %s", p.where(off), p.describe())
			}
			p.pos++
			e = expr{kind: exGroup, alts: alts}
		case isWordChar(c):
			name, _ := p.name()
			e = expr{kind: exRef, name: name}
		case c == '<':
			return nil, p.errAt(off, "token references (<...>) are not supported")
		default:
			return nil, p.errAt(off, "unexpected %s", p.describe())
		}
		e.off, e.min, e.max = off, 1, 1
		for {
			q := p.pos
			lo, hi, ok, err := p.quantifier()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			if e.min != 1 || e.max != 1 {
				e = expr{kind: exGroup, alts: [][]expr{{e}}, off: q}
			}
			e.min, e.max = lo, hi
		}
		seq = append(seq, e)
	}
}

// where formats an offset as line:column.
func (p *parser) where(off int) string {
	se := p.errAt(off, "").(*SyntaxError)
	return fmt.Sprintf("%d:%d", se.Line, se.Col)
}

func (p *parser) quantifier() (lo, hi int, ok bool, err error) {
	switch p.peek() {
	case '*':
		p.pos++
		return 0, -1, true, nil
	case '+':
		p.pos++
		return 1, -1, true, nil
	case '?':
		p.pos++
		return 0, 1, true, nil
	case '{':
	default:
		return 0, 0, false, nil
	}
	off := p.pos
	p.pos++
	p.skip(false)
	lo, hasLo, err := p.number()
	if err != nil {
		return 0, 0, false, err
	}
	p.skip(false)
	hi = lo
	if p.peek() == ',' {
		p.pos++
		p.skip(false)
		var hasHi bool
		hi, hasHi, err = p.number()
		if err != nil {
			return 0, 0, false, err
		}
		if !hasHi {
			hi = -1
		}
		p.skip(false)
	} else if !hasLo {
		return 0, 0, false, p.errAt(p.pos, "expected a number in repetition, found %s", p.describe())
	}
	if p.peek() != '}' {
		return 0, 0, false, p.errAt(p.pos, "expected \"}\" to end the repetition, found %s", p.describe())
	}
	p.pos++
	if hi >= 0 && hi < lo {
		return 0, 0, false, p.errAt(off, "repetition {%d,%d}: the maximum is below the minimum", lo, hi)
	}
	return lo, hi, true, nil
}

func (p *parser) number() (int, bool, error) {
	start := p.pos
	n := 0
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		n = n*10 + int(p.src[p.pos]-'0')
		if n > maxRepeat {
			return 0, false, p.errAt(start, "repetition count above the limit of %d", maxRepeat)
		}
		p.pos++
	}
	return n, p.pos > start, nil
}

// char reads one possibly escaped character inside a literal or class.
func (p *parser) char() (rune, error) {
	off := p.pos
	r, n := utf8.DecodeRuneInString(p.src[p.pos:])
	if r == '\n' || r == '\r' {
		return 0, p.errAt(off, "unterminated literal or class at end of line")
	}
	p.pos += n
	if r != '\\' {
		return r, nil
	}
	if p.pos >= len(p.src) {
		return 0, p.errAt(off, "unterminated escape")
	}
	c := p.src[p.pos]
	p.pos++
	hex := 0
	switch c {
	case 'x':
		hex = 2
	case 'u':
		hex = 4
	case 'U':
		hex = 8
	case 'n':
		return '\n', nil
	case 't':
		return '\t', nil
	case 'r':
		return '\r', nil
	case 'f':
		return '\f', nil
	case 'v':
		return '\v', nil
	case '\\', '"', '\'', '[', ']', '-', '^', '/', '.':
		return rune(c), nil
	default:
		p.pos--
		e, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		return 0, p.errAt(off, "unknown escape \"\\%c\"", e)
	}
	if len(p.src)-p.pos < hex {
		return 0, p.errAt(off, "escape \\%c needs %d hex digits", c, hex)
	}
	v, err := strconv.ParseUint(p.src[p.pos:p.pos+hex], 16, 32)
	if err != nil {
		return 0, p.errAt(off, "escape \\%c needs %d hex digits", c, hex)
	}
	p.pos += hex
	if !utf8.ValidRune(rune(v)) {
		return 0, p.errAt(off, "escape denotes U+%04X, which is not a Unicode scalar value", v)
	}
	return rune(v), nil
}

func (p *parser) literal() ([]expr, error) {
	off := p.pos
	p.pos++
	var seq []expr
	for {
		if p.pos >= len(p.src) {
			return nil, p.errAt(off, "unterminated string literal")
		}
		if p.src[p.pos] == '"' {
			p.pos++
			return seq, nil
		}
		coff := p.pos
		r, err := p.char()
		if err != nil {
			return nil, err
		}
		seq = append(seq, expr{kind: exClass, spans: []span{{r, r}}, min: 1, max: 1, off: coff})
	}
}

func (p *parser) charClass() ([]span, error) {
	off := p.pos
	p.pos++
	negate := false
	if p.peek() == '^' {
		negate = true
		p.pos++
	}
	var spans []span
	for {
		if p.pos >= len(p.src) {
			return nil, p.errAt(off, "unterminated character class")
		}
		if p.src[p.pos] == ']' {
			p.pos++
			break
		}
		loOff := p.pos
		lo, err := p.char()
		if err != nil {
			return nil, err
		}
		hi := lo
		if p.peek() == '-' && p.pos+1 < len(p.src) && p.src[p.pos+1] != ']' {
			p.pos++
			if hi, err = p.char(); err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, p.errAt(loOff, "character range %q-%q is reversed", lo, hi)
			}
		}
		spans = append(spans, span{lo, hi})
	}
	spans = normalize(spans)
	if negate {
		spans = complement(spans)
	}
	if len(spans) == 0 {
		return nil, p.errAt(off, "character class matches nothing")
	}
	return spans, nil
}
