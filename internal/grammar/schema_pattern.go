package grammar

import (
	"fmt"
	"strconv"
	"strings"
)

// rxNode is one element of a parsed regular expression.
type rxNode struct {
	spans    []span     // a character from a class (nil for a group)
	alts     [][]rxNode // a group
	min, max int
}

type rxParser struct {
	src   []rune
	i     int
	depth int
	path  string
}

func (p *rxParser) fail(format string, args ...any) error {
	return schemaError(p.path, ErrUnsupported, "pattern %q at offset %d: %s", string(p.src), p.i, fmt.Sprintf(format, args...))
}

// Class shorthands, kept within what both ECMA-262 and RE2 agree on.
var (
	rxDigit = []span{{'0', '9'}}
	rxWord  = []span{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}
	rxSpace = []span{{'\t', '\r'}, {' ', ' '}}
	// rxSpaceAll is every character ECMA-262's \s matches.
	rxSpaceAll = []span{{'\t', '\r'}, {' ', ' '}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
		{0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}}
	rxDot = complement(normalize([]span{{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}))
)

// pattern translates a JSON Schema pattern (an unanchored ECMA-262
// regular expression) into a grammar for the JSON string's contents.
func (c *schemaConv) pattern(re, path string) (string, error) {
	p := &rxParser{src: []rune(re), path: path}
	alts, err := p.alternation(true)
	if err != nil {
		return "", err
	}
	if p.i < len(p.src) {
		return "", p.fail("unbalanced \")\"")
	}
	any := "char*"
	var out []string
	for _, a := range alts {
		var parts []string
		anchoredStart := len(a) > 0 && a[0].spans == nil && a[0].alts == nil && a[0].min == -2
		if anchoredStart {
			a = a[1:]
		} else {
			parts = append(parts, any)
			c.use("char")
		}
		anchoredEnd := len(a) > 0 && a[len(a)-1].spans == nil && a[len(a)-1].alts == nil && a[len(a)-1].min == -3
		if anchoredEnd {
			a = a[:len(a)-1]
		}
		s, err := c.rxSeq(p, a)
		if err != nil {
			return "", err
		}
		if s != "" {
			parts = append(parts, s)
		}
		if !anchoredEnd {
			parts = append(parts, any)
			c.use("char")
		}
		out = append(out, strings.Join(parts, " "))
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return "( " + strings.Join(out, " | ") + " )", nil
}

// Anchors are parsed as markers: min -2 for ^, -3 for $.
var (
	rxBegin = rxNode{min: -2}
	rxEnd   = rxNode{min: -3}
)

func (p *rxParser) alternation(top bool) ([][]rxNode, error) {
	var alts [][]rxNode
	for {
		seq, err := p.sequence(top)
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if p.i < len(p.src) && p.src[p.i] == '|' {
			p.i++
			continue
		}
		return alts, nil
	}
}

func (p *rxParser) sequence(top bool) ([]rxNode, error) {
	var seq []rxNode
	for p.i < len(p.src) {
		r := p.src[p.i]
		var n rxNode
		switch r {
		case '|', ')':
			return seq, nil
		case '^':
			if !top || len(seq) > 0 {
				return nil, p.fail("\"^\" only at the start")
			}
			p.i++
			seq = append(seq, rxBegin)
			continue
		case '$':
			p.i++
			if !top || (p.i < len(p.src) && p.src[p.i] != '|') {
				p.i--
				return nil, p.fail("\"$\" only at the end")
			}
			seq = append(seq, rxEnd)
			continue
		case '(':
			if p.depth >= 64 {
				return nil, p.fail("groups nested too deeply")
			}
			p.i++
			if p.i < len(p.src) && p.src[p.i] == '?' {
				switch {
				case p.i+1 < len(p.src) && p.src[p.i+1] == ':':
					p.i += 2
				case p.i+1 < len(p.src) && p.src[p.i+1] == '<' && p.i+2 < len(p.src) && p.src[p.i+2] != '=' && p.src[p.i+2] != '!':
					for p.i < len(p.src) && p.src[p.i] != '>' {
						p.i++
					}
					p.i++
				default:
					return nil, p.fail("lookaround and group flags")
				}
			}
			p.depth++
			alts, err := p.alternation(false)
			if err != nil {
				return nil, err
			}
			p.depth--
			if p.i >= len(p.src) || p.src[p.i] != ')' {
				return nil, p.fail("missing \")\"")
			}
			p.i++
			n = rxNode{alts: alts}
		case '[':
			s, err := p.class()
			if err != nil {
				return nil, err
			}
			n = rxNode{spans: s}
		case '.':
			p.i++
			n = rxNode{spans: rxDot}
		case '\\':
			s, err := p.escape(false)
			if err != nil {
				return nil, err
			}
			n = rxNode{spans: s}
		case '*', '+', '?', '{':
			return nil, p.fail("nothing to repeat")
		default:
			p.i++
			n = rxNode{spans: []span{{r, r}}}
		}
		n.min, n.max = 1, 1
		if err := p.quantifier(&n); err != nil {
			return nil, err
		}
		seq = append(seq, n)
	}
	return seq, nil
}

func (p *rxParser) quantifier(n *rxNode) error {
	if p.i >= len(p.src) {
		return nil
	}
	switch p.src[p.i] {
	case '*':
		n.min, n.max = 0, -1
	case '+':
		n.min, n.max = 1, -1
	case '?':
		n.min, n.max = 0, 1
	case '{':
		end := p.i
		for end < len(p.src) && p.src[end] != '}' {
			end++
		}
		if end == len(p.src) {
			return p.fail("unterminated {")
		}
		body := string(p.src[p.i+1 : end])
		lo, hi, found := strings.Cut(body, ",")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 || a > maxRepeat {
			return p.fail("bad repetition {%s}", body)
		}
		b := a
		if found {
			if hi == "" {
				b = -1
			} else if b, err = strconv.Atoi(hi); err != nil || b < a || b > maxRepeat {
				return p.fail("bad repetition {%s}", body)
			}
		}
		n.min, n.max = a, b
		p.i = end
	default:
		return nil
	}
	p.i++
	if p.i < len(p.src) && p.src[p.i] == '?' { // lazy: same language
		p.i++
	}
	if p.i < len(p.src) && strings.ContainsRune("*+?{", p.src[p.i]) {
		return p.fail("a repetition of a repetition")
	}
	return nil
}

// escape reads a backslash escape, as a set of characters.
func (p *rxParser) escape(inClass bool) ([]span, error) {
	p.i++
	if p.i >= len(p.src) {
		return nil, p.fail("trailing backslash")
	}
	r := p.src[p.i]
	p.i++
	one := func(r rune) []span { return []span{{r, r}} }
	switch r {
	case 'd':
		return rxDigit, nil
	case 'D':
		return complement(rxDigit), nil
	case 'w':
		return rxWord, nil
	case 'W':
		return complement(normalize(rxWord)), nil
	case 's':
		return rxSpace, nil
	case 'S':
		return complement(normalize(rxSpaceAll)), nil
	case 'n':
		return one('\n'), nil
	case 'r':
		return one('\r'), nil
	case 't':
		return one('\t'), nil
	case 'f':
		return one('\f'), nil
	case 'v':
		return one('\v'), nil
	case '0':
		return one(0), nil
	case 'x', 'u':
		n := 2
		if r == 'u' {
			n = 4
		}
		if r == 'u' && p.i < len(p.src) && p.src[p.i] == '{' {
			end := p.i
			for end < len(p.src) && p.src[end] != '}' {
				end++
			}
			v, err := strconv.ParseUint(string(p.src[min(p.i+1, end):end]), 16, 32)
			if end == len(p.src) || err != nil || v > maxRune {
				return nil, p.fail("bad \\u{...} escape")
			}
			p.i = end + 1
			return one(rune(v)), nil
		}
		if p.i+n > len(p.src) {
			return nil, p.fail("short \\%c escape", r)
		}
		v, err := strconv.ParseUint(string(p.src[p.i:p.i+n]), 16, 32)
		if err != nil {
			return nil, p.fail("bad \\%c escape", r)
		}
		p.i += n
		return one(rune(v)), nil
	case 'b':
		if inClass {
			return one('\b'), nil
		}
	}
	if r < 128 && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
		return one(r), nil
	}
	p.i -= 2
	return nil, p.fail("escape \\%c", r)
}

func (p *rxParser) class() ([]span, error) {
	start := p.i
	p.i++
	negate := false
	if p.i < len(p.src) && p.src[p.i] == '^' {
		negate = true
		p.i++
	}
	var spans []span
	for {
		if p.i >= len(p.src) {
			p.i = start
			return nil, p.fail("unterminated character class")
		}
		r := p.src[p.i]
		if r == ']' {
			p.i++
			break
		}
		var lo []span
		if r == '\\' {
			s, err := p.escape(true)
			if err != nil {
				return nil, err
			}
			lo = s
		} else {
			p.i++
			lo = []span{{r, r}}
		}
		if len(lo) == 1 && lo[0].lo == lo[0].hi && p.i+1 < len(p.src) && p.src[p.i] == '-' && p.src[p.i+1] != ']' {
			p.i++
			var hi rune
			if p.src[p.i] == '\\' {
				s, err := p.escape(true)
				if err != nil {
					return nil, err
				}
				if len(s) != 1 || s[0].lo != s[0].hi {
					return nil, p.fail("a class shorthand as a range end")
				}
				hi = s[0].lo
			} else {
				hi = p.src[p.i]
				p.i++
			}
			if hi < lo[0].lo {
				return nil, p.fail("reversed range")
			}
			lo = []span{{lo[0].lo, hi}}
		}
		spans = append(spans, lo...)
	}
	spans = normalize(spans)
	if negate {
		spans = complement(spans)
	}
	if len(spans) == 0 {
		return nil, p.fail("empty character class")
	}
	return spans, nil
}

// rxSeq renders a regular expression sequence as grammar over the JSON
// encoding of the matched text.
func (c *schemaConv) rxSeq(p *rxParser, seq []rxNode) (string, error) {
	var parts []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, gbnfQuote(lit.String()))
			lit.Reset()
		}
	}
	for _, n := range seq {
		if n.min < 0 {
			return "", p.fail("anchors only at the start or end")
		}
		if len(n.spans) == 1 && n.spans[0].lo == n.spans[0].hi && n.min == 1 && n.max == 1 {
			lit.WriteString(jsonEscape(n.spans[0].lo))
			continue
		}
		flush()
		var e string
		if n.spans != nil {
			e = c.jsonClass(n.spans)
		} else {
			var alts []string
			for _, a := range n.alts {
				s, err := c.rxSeq(p, a)
				if err != nil {
					return "", err
				}
				if s == "" {
					s = `""`
				}
				alts = append(alts, s)
			}
			e = "( " + strings.Join(alts, " | ") + " )"
		}
		if n.min != 1 || n.max != 1 {
			if !strings.HasPrefix(e, "(") && !strings.HasPrefix(e, "[") || strings.HasPrefix(e, "[") && strings.Contains(e, " ") {
				e = "( " + e + " )"
			}
			e += repeat(n.min, n.max)
		}
		parts = append(parts, e)
	}
	flush()
	return strings.Join(parts, " "), nil
}

// jsonEscape returns r as it appears inside a JSON string.
func jsonEscape(r rune) string {
	switch r {
	case '"':
		return `\"`
	case '\\':
		return `\\`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	}
	if r < 0x20 {
		return fmt.Sprintf(`\u%04x`, r)
	}
	return string(r)
}

// jsonClass renders a set of characters as grammar over their JSON
// encodings: plain characters in a class, the rest as escapes.
func (c *schemaConv) jsonClass(spans []span) string {
	cl := newClass(spans)
	specials := []span{{0, 0x1F}, {'"', '"'}, {'\\', '\\'}}
	plain := normalize(intersect(spans, complement(normalize(specials))))
	var alts []string
	if len(plain) > 0 {
		alts = append(alts, classLiteral(plain))
	}
	for r := rune(0); r < 0x80; r++ {
		if (r < 0x20 || r == '"' || r == '\\') && cl.contains(r) {
			alts = append(alts, gbnfQuote(jsonEscape(r)))
		}
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "( " + strings.Join(alts, " | ") + " )"
}

// intersect returns the code points in both a and b (both normalized).
func intersect(a, b []span) []span {
	var out []span
	for _, x := range a {
		for _, y := range b {
			lo, hi := max(x.lo, y.lo), min(x.hi, y.hi)
			if lo <= hi {
				out = append(out, span{lo, hi})
			}
		}
	}
	return out
}

// classLiteral renders spans as a GBNF character class.
func classLiteral(spans []span) string {
	var b strings.Builder
	b.WriteByte('[')
	for _, s := range spans {
		b.WriteString(classChar(s.lo))
		if s.hi != s.lo {
			b.WriteByte('-')
			b.WriteString(classChar(s.hi))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func classChar(r rune) string {
	switch {
	case r > ' ' && r < 0x7F && !strings.ContainsRune(`]\-^"[`, r):
		return string(r)
	case r <= 0xFF:
		return fmt.Sprintf(`\x%02X`, r)
	case r <= 0xFFFF:
		return fmt.Sprintf(`\u%04X`, r)
	}
	return fmt.Sprintf(`\U%08X`, r)
}
