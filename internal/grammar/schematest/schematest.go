// Package schematest is an independent JSON Schema validator for the
// features internal/grammar translates, used by tests to check generated
// output. It shares no code with the translator.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Decode decodes one JSON value, numbers as json.Number.
func Decode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the value")
	}
	return v, nil
}

// Validator checks values against one schema.
type Validator struct{ root any }

// New returns a validator for schema.
func New(schema []byte) (*Validator, error) {
	root, err := Decode(schema)
	if err != nil {
		return nil, err
	}
	return &Validator{root: root}, nil
}

// Validate checks a decoded value (from Decode).
func (v *Validator) Validate(inst any) error { return v.check(v.root, inst, "$") }

// ValidateJSON decodes data and checks it against schema.
func ValidateJSON(schema, data []byte) error {
	v, err := New(schema)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	inst, err := Decode(data)
	if err != nil {
		return err
	}
	return v.Validate(inst)
}

func (v *Validator) resolve(ref string) any {
	cur := v.root
	for _, p := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(ref, "#"), "/"), "/") {
		if p == "" {
			continue
		}
		cur = cur.(map[string]any)[p]
	}
	return cur
}

func typeOf(x any) string {
	switch t := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		r, ok := new(big.Rat).SetString(t.String())
		if ok && r.IsInt() {
			return "integer"
		}
		return "number"
	}
	return "?"
}

func jsonEqual(a, b any) bool {
	ea, _ := json.Marshal(a)
	eb, _ := json.Marshal(b)
	// Numbers compare by value.
	if na, ok := a.(json.Number); ok {
		if nb, ok := b.(json.Number); ok {
			ra, _ := new(big.Rat).SetString(na.String())
			rb, _ := new(big.Rat).SetString(nb.String())
			return ra != nil && rb != nil && ra.Cmp(rb) == 0
		}
	}
	return bytes.Equal(ea, eb)
}

func num(x any) *big.Rat {
	r, _ := new(big.Rat).SetString(x.(json.Number).String())
	return r
}

var formats = map[string]func(string) bool{
	"date": func(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil && len(s) == 10 },
	"time": func(s string) bool {
		_, err := time.Parse("15:04:05.999999999Z07:00", s)
		return err == nil
	},
	"date-time": func(s string) bool { _, err := time.Parse(time.RFC3339Nano, s); return err == nil },
	"uuid":      regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`).MatchString,
}

func (v *Validator) check(schema any, inst any, at string) error {
	if b, ok := schema.(bool); ok {
		if !b {
			return fmt.Errorf("%s: schema false", at)
		}
		return nil
	}
	s := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		return v.check(v.resolve(ref), inst, at)
	}
	if c, ok := s["const"]; ok && !jsonEqual(c, inst) {
		return fmt.Errorf("%s: %v is not the const", at, inst)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range e {
			found = found || jsonEqual(x, inst)
		}
		if !found {
			return fmt.Errorf("%s: %v not in enum", at, inst)
		}
	}
	if t, ok := s["type"]; ok {
		var types []any
		if ts, ok := t.(string); ok {
			types = []any{ts}
		} else {
			types = t.([]any)
		}
		it := typeOf(inst)
		ok := false
		for _, x := range types {
			ok = ok || x == it || x == "number" && it == "integer"
		}
		if !ok {
			return fmt.Errorf("%s: type %s, want %v", at, it, t)
		}
	}
	if subs, ok := s["anyOf"].([]any); ok {
		var errs []string
		for _, sub := range subs {
			if err := v.check(sub, inst, at); err == nil {
				errs = nil
				break
			} else {
				errs = append(errs, err.Error())
			}
		}
		if errs != nil {
			return fmt.Errorf("%s: no anyOf matches: %s", at, strings.Join(errs, "; "))
		}
	}
	if subs, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, sub := range subs {
			if v.check(sub, inst, at) == nil {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: %d oneOf alternatives match", at, n)
		}
	}
	if subs, ok := s["allOf"].([]any); ok {
		for _, sub := range subs {
			if err := v.check(sub, inst, at); err != nil {
				return err
			}
		}
	}
	switch x := inst.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if m, ok := s["minLength"].(json.Number); ok && int64(n) < mustInt(m) {
			return fmt.Errorf("%s: %q shorter than %s", at, x, m)
		}
		if m, ok := s["maxLength"].(json.Number); ok && int64(n) > mustInt(m) {
			return fmt.Errorf("%s: %q longer than %s", at, x, m)
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			return fmt.Errorf("%s: %q does not match %s", at, x, p)
		}
		if f, ok := s["format"].(string); ok && formats[f] != nil && !formats[f](x) {
			return fmt.Errorf("%s: %q is not a %s", at, x, f)
		}
	case json.Number:
		r := num(x)
		if m, ok := s["minimum"]; ok && r.Cmp(num(m)) < 0 {
			return fmt.Errorf("%s: %s below minimum", at, x)
		}
		if m, ok := s["maximum"]; ok && r.Cmp(num(m)) > 0 {
			return fmt.Errorf("%s: %s above maximum", at, x)
		}
		if m, ok := s["exclusiveMinimum"].(json.Number); ok && r.Cmp(num(m)) <= 0 {
			return fmt.Errorf("%s: %s not above exclusiveMinimum", at, x)
		}
		if m, ok := s["exclusiveMaximum"].(json.Number); ok && r.Cmp(num(m)) >= 0 {
			return fmt.Errorf("%s: %s not below exclusiveMaximum", at, x)
		}
	case []any:
		if m, ok := s["minItems"].(json.Number); ok && int64(len(x)) < mustInt(m) {
			return fmt.Errorf("%s: fewer than %s items", at, m)
		}
		if m, ok := s["maxItems"].(json.Number); ok && int64(len(x)) > mustInt(m) {
			return fmt.Errorf("%s: more than %s items", at, m)
		}
		prefix, _ := s["prefixItems"].([]any)
		for i, e := range x {
			var sub any = true
			if i < len(prefix) {
				sub = prefix[i]
			} else if it, ok := s["items"]; ok {
				sub = it
			}
			if err := v.check(sub, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, k := range req {
				if _, ok := x[k.(string)]; !ok {
					return fmt.Errorf("%s: missing %q", at, k)
				}
			}
		}
		for k, e := range x {
			sub, declared := props[k]
			if !declared {
				ap, has := s["additionalProperties"]
				if !has {
					continue
				}
				sub = ap
			}
			if err := v.check(sub, e, at+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func mustInt(n json.Number) int64 {
	i, err := n.Int64()
	if err != nil {
		panic(err)
	}
	return i
}
