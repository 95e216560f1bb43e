package grammar

import (
	"errors"
	"fmt"
	"strings"
)

// elemKind tells what a compiled element is.
type elemKind uint8

const (
	elemEnd   elemKind = iota // end of an alternative
	elemClass                 // match one code point of classes[arg]
	elemRef                   // expand rules[arg]
)

type elem struct {
	kind elemKind
	arg  int32
}

type rule struct {
	name string
	alts []int32 // start of each alternative in elems
	off  int     // source offset of the definition or repetition
	rep  bool    // made for a repetition
}

// Grammar is a compiled grammar: a pushdown automaton over UTF-8 bytes.
// It is immutable and safe to share between goroutines; each generation
// tracks its position with its own Matcher.
type Grammar struct {
	elems   []elem
	rules   []rule
	classes []class
	root    int32
}

// ErrLeftRecursion is wrapped by the error for a left-recursive grammar.
var ErrLeftRecursion = errors.New("left recursion")

// Parse compiles a grammar in llama.cpp's GBNF notation; generation starts
// at the rule named "root".
func Parse(src string) (*Grammar, error) {
	defs, err := parseGBNF(src)
	if err != nil {
		return nil, err
	}
	c := &compiler{
		p:       &parser{src: src},
		g:       &Grammar{},
		byName:  map[string]int32{},
		classes: map[string]int32{},
	}
	return c.compile(defs)
}

type compiler struct {
	p       *parser
	g       *Grammar
	byName  map[string]int32
	classes map[string]int32
}

func (c *compiler) compile(defs []ruleDef) (*Grammar, error) {
	for _, d := range defs {
		if id, dup := c.byName[d.name]; dup {
			return nil, c.p.errAt(d.off, "rule %q is defined twice (first at %s)", d.name, c.p.where(c.g.rules[id].off))
		}
		c.byName[d.name] = int32(len(c.g.rules))
		c.g.rules = append(c.g.rules, rule{name: d.name, off: d.off})
	}
	root, ok := c.byName["root"]
	if !ok {
		return nil, errors.New("grammar: no rule named \"root\"")
	}
	c.g.root = root
	for _, d := range defs {
		id := c.byName[d.name]
		alts, err := c.alternatives(d.name, d.alts)
		if err != nil {
			return nil, err
		}
		if err := c.define(id, alts); err != nil {
			return nil, err
		}
	}
	if err := c.checkLeftRecursion(); err != nil {
		return nil, err
	}
	return c.g, nil
}

func (c *compiler) alternatives(name string, alts [][]expr) ([][]elem, error) {
	out := make([][]elem, len(alts))
	for i, a := range alts {
		s, err := c.sequence(name, a)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// define stores the alternatives of rule id.
func (c *compiler) define(id int32, alts [][]elem) error {
	starts := make([]int32, len(alts))
	for i, a := range alts {
		if len(c.g.elems)+len(a)+1 > maxElements {
			return fmt.Errorf("grammar: too large (more than %d elements)", maxElements)
		}
		starts[i] = int32(len(c.g.elems))
		c.g.elems = append(c.g.elems, a...)
		c.g.elems = append(c.g.elems, elem{kind: elemEnd})
	}
	c.g.rules[id].alts = starts
	return nil
}

// synth makes a new rule for part of rule parent.
func (c *compiler) synth(parent string, off int, rep bool, alts [][]elem) (elem, error) {
	id := int32(len(c.g.rules))
	c.g.rules = append(c.g.rules, rule{name: fmt.Sprintf("%s-%d", parent, id), off: off, rep: rep})
	if err := c.define(id, alts); err != nil {
		return elem{}, err
	}
	return elem{kind: elemRef, arg: id}, nil
}

func (c *compiler) sequence(name string, seq []expr) ([]elem, error) {
	var out []elem
	for _, e := range seq {
		items, err := c.item(name, e)
		if err != nil {
			return nil, err
		}
		if len(out)+len(items) > maxElements {
			return nil, fmt.Errorf("grammar: too large (more than %d elements)", maxElements)
		}
		out = append(out, items...)
	}
	return out, nil
}

func (c *compiler) classElem(s []span) elem {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%x-%x,", r.lo, r.hi)
	}
	key := b.String()
	id, ok := c.classes[key]
	if !ok {
		id = int32(len(c.g.classes))
		c.g.classes = append(c.g.classes, newClass(s))
		c.classes[key] = id
	}
	return elem{kind: elemClass, arg: id}
}

// item compiles one expression with its repetition.
func (c *compiler) item(name string, e expr) ([]elem, error) {
	var base []elem
	switch e.kind {
	case exClass:
		base = []elem{c.classElem(e.spans)}
	case exRef:
		id, ok := c.byName[e.name]
		if !ok {
			return nil, c.p.errAt(e.off, "rule %q is not defined", e.name)
		}
		base = []elem{{kind: elemRef, arg: id}}
	case exGroup:
		alts, err := c.alternatives(name, e.alts)
		if err != nil {
			return nil, err
		}
		if len(alts) == 1 {
			base = alts[0]
		} else {
			r, err := c.synth(name, e.off, false, alts)
			if err != nil {
				return nil, err
			}
			base = []elem{r}
		}
	}
	if e.min == 1 && e.max == 1 {
		return base, nil
	}
	if len(base) != 1 {
		r, err := c.synth(name, e.off, false, [][]elem{base})
		if err != nil {
			return nil, err
		}
		base = []elem{r}
	}
	if e.min > maxElements/(len(base)) {
		return nil, fmt.Errorf("grammar: too large (more than %d elements)", maxElements)
	}
	out := make([]elem, 0, e.min+1)
	for range e.min {
		out = append(out, base...)
	}
	switch {
	case e.max < 0:
		// star ::= base star |
		id := int32(len(c.g.rules))
		c.g.rules = append(c.g.rules, rule{name: fmt.Sprintf("%s-%d", name, id), off: e.off, rep: true})
		self := elem{kind: elemRef, arg: id}
		if err := c.define(id, [][]elem{append(append([]elem{}, base...), self), nil}); err != nil {
			return nil, err
		}
		out = append(out, self)
	case e.max > e.min:
		// opt1 ::= base | ; optk ::= base opt(k-1) |
		var prev []elem
		for range e.max - e.min {
			r, err := c.synth(name, e.off, false, [][]elem{append(append([]elem{}, base...), prev...), nil})
			if err != nil {
				return nil, err
			}
			prev = []elem{r}
		}
		out = append(out, prev...)
	}
	return out, nil
}

// checkLeftRecursion refuses grammars in which a rule can reach itself
// without consuming input: the automaton would expand it forever.
func (c *compiler) checkLeftRecursion() error {
	g := c.g
	nullable := make([]bool, len(g.rules))
	for changed := true; changed; {
		changed = false
		for id, r := range g.rules {
			if nullable[id] {
				continue
			}
			for _, a := range r.alts {
				if c.nullableFrom(a, nullable) {
					nullable[id], changed = true, true
					break
				}
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(g.rules))
	var path []int32
	var visit func(id int32) error
	visit = func(id int32) error {
		color[id] = grey
		path = append(path, id)
		for _, a := range g.rules[id].alts {
			for i := a; g.elems[i].kind != elemEnd; i++ {
				e := g.elems[i]
				if e.kind == elemClass {
					break
				}
				switch color[e.arg] {
				case grey:
					return c.leftRecursionError(path, e.arg)
				case white:
					if err := visit(e.arg); err != nil {
						return err
					}
				}
				if !nullable[e.arg] {
					break
				}
			}
		}
		path = path[:len(path)-1]
		color[id] = black
		return nil
	}
	for id := range g.rules {
		if color[id] == white {
			if err := visit(int32(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *compiler) nullableFrom(start int32, nullable []bool) bool {
	for i := start; ; i++ {
		switch e := c.g.elems[i]; e.kind {
		case elemEnd:
			return true
		case elemClass:
			return false
		case elemRef:
			if !nullable[e.arg] {
				return false
			}
		}
	}
}

func (c *compiler) leftRecursionError(path []int32, to int32) error {
	i := 0
	for path[i] != to {
		i++
	}
	cycle := append(append([]int32{}, path[i:]...), to)
	var names []string
	for _, id := range cycle {
		r := c.g.rules[id]
		if r.rep {
			return fmt.Errorf("grammar: %s: a repeated expression can match empty text, so the repetition could loop forever: %w",
				c.p.where(r.off), ErrLeftRecursion)
		}
		if user, ok := c.byName[r.name]; ok && user == id {
			names = append(names, r.name)
		} else {
			names = append(names, "group at "+c.p.where(r.off))
		}
	}
	r := c.g.rules[to]
	line := c.p.where(r.off)
	return fmt.Errorf("grammar: %s: rule %q is left-recursive (%s): rewrite it with repetition: %w",
		line, r.name, strings.Join(names, " -> "), ErrLeftRecursion)
}
