package grammar

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrUnsupported is wrapped by the error for a JSON Schema feature the
// translator does not handle.
var ErrUnsupported = errors.New("not supported")

// SchemaOptions adjust the JSON Schema translation.
type SchemaOptions struct {
	// Lenient skips unsupported keywords instead of failing; the grammar
	// then allows values the schema would refuse.
	Lenient bool
}

// SchemaGBNF translates a JSON Schema into a GBNF grammar whose root rule
// matches the JSON values the schema accepts, in compact form with a
// little optional whitespace between tokens (bounded: at most one newline
// and 20 blanks at a time). Object properties come out in the schema's
// order, required ones first.
func SchemaGBNF(schema []byte, opts SchemaOptions) (string, error) {
	root, err := parseJSON(schema)
	if err != nil {
		return "", fmt.Errorf("grammar: JSON Schema: %w", err)
	}
	c := newSchemaConv(root, opts)
	expr, err := c.visit(root, "root", "#")
	if err != nil {
		return "", err
	}
	if expr != "root" {
		c.set("root", expr)
	}
	return c.String(), nil
}

// ParseSchema compiles a JSON Schema to a grammar (see SchemaGBNF).
func ParseSchema(schema []byte, opts SchemaOptions) (*Grammar, error) {
	src, err := SchemaGBNF(schema, opts)
	if err != nil {
		return nil, err
	}
	g, err := Parse(src)
	if err != nil {
		return nil, fmt.Errorf("grammar: JSON Schema: translated grammar: %w", err)
	}
	return g, nil
}

// schemaConv builds the rules of one grammar.
type schemaConv struct {
	root   *jvalue
	opts   SchemaOptions
	order  []string
	bodies map[string]string
	refs   map[string]string // "#/..." -> rule name
	depth  int
}

func newSchemaConv(root *jvalue, opts SchemaOptions) *schemaConv {
	return &schemaConv{root: root, opts: opts, bodies: map[string]string{}, refs: map[string]string{}}
}

// String renders the grammar, root first.
func (c *schemaConv) String() string {
	var b strings.Builder
	names := slices.Clone(c.order)
	if i := slices.Index(names, "root"); i > 0 {
		names = append(append([]string{"root"}, names[:i]...), names[i+1:]...)
	}
	for _, n := range names {
		fmt.Fprintf(&b, "%s ::= %s\n", n, c.bodies[n])
	}
	return b.String()
}

// set defines rule name (which must be free, or reserved by reserve).
func (c *schemaConv) set(name, body string) {
	if _, ok := c.bodies[name]; !ok {
		c.order = append(c.order, name)
	}
	c.bodies[name] = body
}

// add defines a rule named after hint and returns its name; an existing
// rule with the same body is reused.
func (c *schemaConv) add(hint, body string) string {
	for _, n := range c.order {
		if c.bodies[n] == body && n != "root" {
			return n
		}
	}
	name := c.reserve(hint)
	c.set(name, body)
	return name
}

// reserve returns a fresh rule name based on hint.
func (c *schemaConv) reserve(hint string) string {
	var b strings.Builder
	for _, r := range hint {
		if r < 128 && isWordChar(byte(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := b.String()
	if name == "" {
		name = "r"
	}
	if _, taken := c.bodies[name]; !taken && !primitive(name) {
		c.order = append(c.order, name)
		c.bodies[name] = ""
		return name
	}
	for i := 1; ; i++ {
		n := name + "-" + strconv.Itoa(i)
		if _, taken := c.bodies[n]; !taken && !primitive(n) {
			c.order = append(c.order, n)
			c.bodies[n] = ""
			return n
		}
	}
}

// The primitive rules, added when first used.
var primitives = map[string]string{
	"space":     `| " " | "\n" [ \t]{0,20}`,
	"hex":       `[0-9a-fA-F]`,
	"char":      `[^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" ( [0-9a-cA-CefEF] hex{3} | [dD] [0-7] hex{2} ) )`,
	"string":    `"\"" char* "\""`,
	"int":       `"-"? ( [0-9] | [1-9] [0-9]{1,15} )`,
	"integer":   `int`,
	"frac":      `"." [0-9]{1,16}`,
	"exp":       `[eE] [-+]? [0-9]{1,2}`, // float64 holds exponents to ±308: keep numbers parseable
	"number":    `int frac? exp?`,
	"boolean":   `"true" | "false"`,
	"null":      `"null"`,
	"value":     `object | array | string | number | boolean | null`,
	"object":    `"{" space ( member ( space "," space member )* space )? "}"`,
	"member":    `string space ":" space value`,
	"array":     `"[" space ( value ( space "," space value )* space )? "]"`,
	"date":      `[0-9]{4} "-" ( ( "0" [13578] | "1" [02] ) "-" ( "0" [1-9] | [12] [0-9] | "3" [01] ) | ( "0" [469] | "11" ) "-" ( "0" [1-9] | [12] [0-9] | "30" ) | "02-" ( "0" [1-9] | "1" [0-9] | "2" [0-8] ) )`,
	"time":      `( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,6} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )`,
	"date-time": `date "T" time`,
	"uuid":      `hex{8} "-" hex{4} "-" hex{4} "-" hex{4} "-" hex{12}`,
}

// primitiveDeps lists the primitives each one refers to.
var primitiveDeps = map[string][]string{
	"char": {"hex"}, "string": {"char"}, "integer": {"int"}, "number": {"int", "frac", "exp"},
	"value":  {"object", "array", "string", "number", "boolean", "null"},
	"object": {"space", "member"}, "member": {"string", "space", "value"}, "array": {"space", "value"},
	"date-time": {"date", "time"}, "uuid": {"hex"},
}

func primitive(name string) bool { _, ok := primitives[name]; return ok }

// use makes sure primitive rule name is defined and returns its name.
func (c *schemaConv) use(name string) string {
	if _, ok := c.bodies[name]; ok {
		return name
	}
	c.set(name, primitives[name])
	for _, d := range primitiveDeps[name] {
		c.use(d)
	}
	return name
}

// gbnfQuote renders s as a GBNF string literal.
func gbnfQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7F:
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// literal renders the grammar for exactly the JSON value v.
func literal(v *jvalue) string {
	var b bytes.Buffer
	v.encode(&b)
	return gbnfQuote(b.String())
}

// schemaError reports an unsupported or invalid schema at path.
func schemaError(path string, err error, format string, args ...any) error {
	return fmt.Errorf("grammar: JSON Schema at %s: %s: %w", path, fmt.Sprintf(format, args...), err)
}

// ErrBadSchema is wrapped by errors for schemas that are not valid.
var ErrBadSchema = errors.New("invalid schema")

// Keywords with no effect on the values accepted.
var annotations = map[string]bool{
	"title": true, "description": true, "default": true, "examples": true, "$schema": true, "$id": true,
	"$comment": true, "deprecated": true, "readOnly": true, "writeOnly": true, "contentMediaType": true,
	"contentEncoding": true, "definitions": true, "$defs": true, "$anchor": true, "nullable": false,
}

// Keywords the translator refuses (or skips when lenient).
var unsupported = map[string]bool{
	"not": true, "if": true, "then": true, "else": true, "patternProperties": true, "dependentRequired": true,
	"dependentSchemas": true, "dependencies": true, "propertyNames": true, "unevaluatedProperties": true,
	"unevaluatedItems": true, "uniqueItems": true, "contains": true, "minContains": true, "maxContains": true,
	"multipleOf": true, "minProperties": true, "maxProperties": true, "$dynamicRef": true, "$recursiveRef": true,
	"additionalItems": true,
}

const maxSchemaDepth = 64

// visit returns a grammar expression for the values schema s accepts;
// name is a hint for the rules it defines, path its JSON pointer.
func (c *schemaConv) visit(s *jvalue, name, path string) (string, error) {
	if c.depth > maxSchemaDepth {
		return "", schemaError(path, ErrUnsupported, "nested deeper than %d", maxSchemaDepth)
	}
	c.depth++
	defer func() { c.depth-- }()
	switch s.kind {
	case jBool:
		if s.b {
			return c.use("value"), nil
		}
		return "", schemaError(path, ErrUnsupported, "the schema false accepts nothing")
	case jObject:
	default:
		return "", schemaError(path, ErrBadSchema, "a schema must be an object or a boolean")
	}
	for _, k := range s.keys {
		if unsupported[k] {
			if b := s.get(k); k == "uniqueItems" && b.kind == jBool && !b.b {
				continue
			}
			if !c.opts.Lenient {
				return "", schemaError(path, ErrUnsupported, "keyword %q", k)
			}
		}
	}
	if ref := s.get("$ref"); ref != nil {
		return c.ref(ref, path)
	}
	if v := s.get("const"); v != nil {
		return literal(v), nil
	}
	if v := s.get("enum"); v != nil {
		if v.kind != jArray || len(v.arr) == 0 {
			return "", schemaError(path, ErrBadSchema, "enum must be a non-empty array")
		}
		alts := make([]string, len(v.arr))
		for i, e := range v.arr {
			alts[i] = literal(e)
		}
		return c.add(name, strings.Join(alts, " | ")), nil
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if v := s.get(k); v != nil {
			if v.kind != jArray || len(v.arr) == 0 {
				return "", schemaError(path, ErrBadSchema, "%s must be a non-empty array", k)
			}
			var alts []string
			for i, sub := range v.arr {
				e, err := c.visit(c.inherit(s, sub, k), fmt.Sprintf("%s-%d", name, i), fmt.Sprintf("%s/%s/%d", path, k, i))
				if err != nil {
					return "", err
				}
				alts = append(alts, e)
			}
			return c.add(name, strings.Join(alts, " | ")), nil
		}
	}
	if v := s.get("allOf"); v != nil {
		merged, err := c.mergeAllOf(s, v, path)
		if err != nil {
			return "", err
		}
		return c.visit(merged, name, path)
	}
	t := s.get("type")
	if t == nil {
		switch {
		case s.get("properties") != nil || s.get("additionalProperties") != nil || s.get("required") != nil:
			return c.object(s, name, path)
		case s.get("items") != nil || s.get("prefixItems") != nil || s.get("minItems") != nil || s.get("maxItems") != nil:
			return c.array(s, name, path)
		case s.get("pattern") != nil || s.get("format") != nil || s.get("minLength") != nil || s.get("maxLength") != nil:
			return c.str(s, name, path)
		case s.get("minimum") != nil || s.get("maximum") != nil || s.get("exclusiveMinimum") != nil || s.get("exclusiveMaximum") != nil:
			return c.number(s, name, path, false)
		}
		return c.use("value"), nil
	}
	switch t.kind {
	case jString:
		return c.typed(s, t.str, name, path)
	case jArray:
		var alts []string
		for _, tt := range t.arr {
			if tt.kind != jString {
				return "", schemaError(path, ErrBadSchema, "type must hold strings")
			}
			e, err := c.typed(s, tt.str, name+"-"+tt.str, path)
			if err != nil {
				return "", err
			}
			alts = append(alts, e)
		}
		if len(alts) == 0 {
			return "", schemaError(path, ErrBadSchema, "type is an empty array")
		}
		return c.add(name, strings.Join(alts, " | ")), nil
	}
	return "", schemaError(path, ErrBadSchema, "type must be a string or an array of strings")
}

// inherit returns sub with the keywords of parent that sit beside an
// anyOf/oneOf (such as "type" or "properties") applied, as allOf would.
func (c *schemaConv) inherit(parent, sub *jvalue, skip string) *jvalue {
	var extra bool
	for _, k := range parent.keys {
		if k != skip && !annotations[k] {
			extra = true
		}
	}
	if !extra {
		return sub
	}
	rest := &jvalue{kind: jObject}
	for i, k := range parent.keys {
		if k != skip && !annotations[k] {
			rest.keys = append(rest.keys, k)
			rest.vals = append(rest.vals, parent.vals[i])
		}
	}
	return &jvalue{kind: jObject, keys: []string{"allOf"}, vals: []*jvalue{{kind: jArray, arr: []*jvalue{rest, sub}}}}
}

func (c *schemaConv) typed(s *jvalue, t, name, path string) (string, error) {
	switch t {
	case "string":
		return c.str(s, name, path)
	case "number":
		return c.number(s, name, path, false)
	case "integer":
		return c.number(s, name, path, true)
	case "boolean":
		return c.use("boolean"), nil
	case "null":
		return c.use("null"), nil
	case "object":
		return c.object(s, name, path)
	case "array":
		return c.array(s, name, path)
	}
	return "", schemaError(path, ErrBadSchema, "unknown type %q", t)
}

// ref resolves a reference within the schema.
func (c *schemaConv) ref(ref *jvalue, path string) (string, error) {
	if ref.kind != jString {
		return "", schemaError(path, ErrBadSchema, "$ref must be a string")
	}
	if name, ok := c.refs[ref.str]; ok {
		return name, nil
	}
	if !strings.HasPrefix(ref.str, "#") {
		return "", schemaError(path, ErrUnsupported, "$ref %q: only references within the schema (#/...) are", ref.str)
	}
	target := c.root
	hint := "ref"
	if p := strings.TrimPrefix(ref.str, "#"); p != "" {
		if !strings.HasPrefix(p, "/") {
			return "", schemaError(path, ErrUnsupported, "$ref %q: anchors are not; use a JSON pointer", ref.str)
		}
		for _, part := range strings.Split(p[1:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			hint = part
			var next *jvalue
			switch target.kind {
			case jObject:
				next = target.get(part)
			case jArray:
				if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(target.arr) {
					next = target.arr[i]
				}
			}
			if next == nil {
				return "", schemaError(path, ErrBadSchema, "$ref %q points to nothing", ref.str)
			}
			target = next
		}
	}
	name := c.reserve(hint)
	c.refs[ref.str] = name
	expr, err := c.visit(target, name, ref.str)
	if err != nil {
		return "", err
	}
	c.set(name, expr)
	return name, nil
}

// mergeAllOf combines the parts of an allOf (objects, possibly by
// reference) into one object schema.
func (c *schemaConv) mergeAllOf(s, all *jvalue, path string) (*jvalue, error) {
	if all.kind != jArray {
		return nil, schemaError(path, ErrBadSchema, "allOf must be an array")
	}
	merged := &jvalue{kind: jObject}
	props := &jvalue{kind: jObject}
	var required []*jvalue
	addPart := func(part *jvalue, at string) error {
		seen := map[*jvalue]bool{}
		for part.kind == jObject && part.get("$ref") != nil {
			r := part.get("$ref")
			if r.kind != jString || !strings.HasPrefix(r.str, "#") || seen[part] {
				return schemaError(at, ErrUnsupported, "allOf with this $ref")
			}
			seen[part] = true
			t, err := c.resolve(r.str, at)
			if err != nil {
				return err
			}
			part = t
		}
		if part.kind == jBool && part.b {
			return nil
		}
		if part.kind != jObject {
			return schemaError(at, ErrUnsupported, "allOf of anything but object schemas")
		}
		for i, k := range part.keys {
			v := part.vals[i]
			switch {
			case annotations[k]:
			case k == "properties":
				if v.kind != jObject {
					return schemaError(at, ErrBadSchema, "properties must be an object")
				}
				for j, pk := range v.keys {
					if props.get(pk) != nil {
						return schemaError(at, ErrUnsupported, "allOf defining property %q twice", pk)
					}
					props.keys = append(props.keys, pk)
					props.vals = append(props.vals, v.vals[j])
				}
			case k == "required":
				if v.kind != jArray {
					return schemaError(at, ErrBadSchema, "required must be an array")
				}
				required = append(required, v.arr...)
			case k == "type":
				if v.kind != jString || v.str != "object" {
					return schemaError(at, ErrUnsupported, "allOf of anything but object schemas")
				}
			case k == "additionalProperties":
				if v.kind != jBool {
					return schemaError(at, ErrUnsupported, "allOf with additionalProperties schemas")
				}
			case k == "allOf":
				if v.kind != jArray {
					return schemaError(at, ErrBadSchema, "allOf must be an array")
				}
				for j, sub := range v.arr {
					if err := addPartRec(c, sub, fmt.Sprintf("%s/allOf/%d", at, j), props, &required); err != nil {
						return err
					}
				}
			default:
				return schemaError(at, ErrUnsupported, "allOf with keyword %q (only object properties merge)", k)
			}
		}
		return nil
	}
	for i, sub := range all.arr {
		if err := addPart(sub, fmt.Sprintf("%s/allOf/%d", path, i)); err != nil {
			return nil, err
		}
	}
	for i, k := range s.keys {
		if k != "allOf" {
			if err := addPart(&jvalue{kind: jObject, keys: []string{k}, vals: []*jvalue{s.vals[i]}}, path); err != nil {
				return nil, err
			}
		}
	}
	merged.keys = []string{"type", "properties", "required"}
	merged.vals = []*jvalue{{kind: jString, str: "object"}, props, {kind: jArray, arr: required}}
	return merged, nil
}

// addPartRec lets nested allOf parts merge through the same rules.
func addPartRec(c *schemaConv, part *jvalue, at string, props *jvalue, required *[]*jvalue) error {
	m, err := c.mergeAllOf(&jvalue{kind: jObject}, &jvalue{kind: jArray, arr: []*jvalue{part}}, at)
	if err != nil {
		return err
	}
	p := m.get("properties")
	for j, pk := range p.keys {
		if props.get(pk) != nil {
			return schemaError(at, ErrUnsupported, "allOf defining property %q twice", pk)
		}
		props.keys = append(props.keys, pk)
		props.vals = append(props.vals, p.vals[j])
	}
	*required = append(*required, m.get("required").arr...)
	return nil
}

// resolve follows a local JSON pointer.
func (c *schemaConv) resolve(ref, path string) (*jvalue, error) {
	target := c.root
	if p := strings.TrimPrefix(ref, "#"); p != "" {
		for _, part := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			target = target.get(part)
			if target == nil {
				return nil, schemaError(path, ErrBadSchema, "$ref %q points to nothing", ref)
			}
		}
	}
	return target, nil
}
