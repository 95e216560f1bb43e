package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// schema is the subset of JSON Schema the tools use to describe their
// arguments: typed properties, required names, enums and array items.
type schema struct {
	// order lists the properties as the schema writes them.
	order       []string
	Type        string             `json:"type"`
	Description string             `json:"description"`
	Properties  map[string]*schema `json:"properties"`
	Required    []string           `json:"required"`
	Items       *schema            `json:"items"`
	Enum        []string           `json:"enum"`
}

func parseSchema(raw json.RawMessage) (*schema, error) {
	var s schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("tools: invalid schema: %w", err)
	}
	s.setOrder(raw)
	if s.Type != "object" {
		return nil, fmt.Errorf("tools: schema type is %q, want \"object\"", s.Type)
	}
	return &s, nil
}

// setOrder records the order of the properties of s and of its nested
// schemas, read from the raw JSON.
func (s *schema) setOrder(raw json.RawMessage) {
	var parts struct {
		Properties json.RawMessage `json:"properties"`
		Items      json.RawMessage `json:"items"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return
	}
	if s.Items != nil && parts.Items != nil {
		s.Items.setOrder(parts.Items)
	}
	dec := json.NewDecoder(bytes.NewReader(parts.Properties))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		name, _ := tok.(string)
		var sub json.RawMessage
		if dec.Decode(&sub) != nil {
			return
		}
		s.order = append(s.order, name)
		if p := s.Properties[name]; p != nil {
			p.setOrder(sub)
		}
	}
}

// checkArgs checks args against the schema and returns them normalized:
// an empty or null argument list becomes {}, arguments encoded twice (a JSON
// string holding the object) are decoded, numbers and booleans written as
// strings are converted, and nulls for optional arguments are dropped.
// Arguments the schema does not name are ignored unless something else is
// wrong, in which case the error names them too.
func checkArgs(raw json.RawMessage, args json.RawMessage) (json.RawMessage, error) {
	s, err := parseSchema(raw)
	if err != nil {
		return nil, err
	}
	args = bytes.TrimSpace(args)
	if len(args) == 0 || string(args) == "null" {
		args = []byte("{}")
	}
	var v any
	if err := json.Unmarshal(args, &v); err != nil {
		return nil, fmt.Errorf("the arguments are not valid JSON (%v)", jsonProblem(err))
	}
	if str, ok := v.(string); ok { // encoded twice
		if err := json.Unmarshal([]byte(str), &v); err != nil {
			return nil, fmt.Errorf("the arguments are not valid JSON (%v)", jsonProblem(err))
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the arguments must be a JSON object, not %s", jsonKind(v))
	}
	var unknown []string
	out, err := checkObject(s, obj, "", &unknown)
	if err != nil {
		if len(unknown) > 0 {
			return nil, fmt.Errorf("%v (unknown argument %s)", err, quoteList(unknown))
		}
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("the arguments cannot be encoded: %v", err)
	}
	return b, nil
}

func checkObject(s *schema, obj map[string]any, prefix string, unknown *[]string) (map[string]any, error) {
	out := map[string]any{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := s.Properties[k]; !ok {
			*unknown = append(*unknown, prefix+k)
		}
	}
	for _, name := range s.Required {
		if v, ok := obj[name]; !ok || v == nil {
			return nil, fmt.Errorf("missing required argument %q", prefix+name)
		}
	}
	for _, k := range keys {
		v := obj[k]
		ps, ok := s.Properties[k]
		if !ok {
			continue
		}
		if v == nil {
			continue
		}
		nv, err := checkValue(ps, v, prefix+k, unknown)
		if err != nil {
			return nil, err
		}
		out[k] = nv
	}
	return out, nil
}

func checkValue(s *schema, v any, name string, unknown *[]string) (any, error) {
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			if f, isNum := v.(float64); isNum && len(s.Enum) == 0 {
				return strconv.FormatFloat(f, 'f', -1, 64), nil
			}
			return nil, fmt.Errorf("argument %q must be a string, not %s", name, jsonKind(v))
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			return nil, fmt.Errorf("argument %q must be one of %s, not %q", name, quoteList(s.Enum), str)
		}
		return str, nil
	case "integer", "number":
		f, ok := v.(float64)
		if str, isStr := v.(string); isStr {
			p, err := strconv.ParseFloat(strings.TrimSpace(str), 64)
			f, ok = p, err == nil
		}
		if !ok {
			return nil, fmt.Errorf("argument %q must be a number, not %s", name, jsonKind(v))
		}
		if s.Type == "integer" {
			if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return nil, fmt.Errorf("argument %q must be a whole number, not %v", name, f)
			}
		}
		return f, nil
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("argument %q must be true or false, not %s", name, jsonKind(v))
	case "array":
		arr, ok := v.([]any)
		if str, isStr := v.(string); isStr { // an array encoded as a string
			ok = json.Unmarshal([]byte(str), &arr) == nil
		}
		if !ok {
			return nil, fmt.Errorf("argument %q must be an array, not %s", name, jsonKind(v))
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			if s.Items == nil {
				out[i] = e
				continue
			}
			ne, err := checkValue(s.Items, e, fmt.Sprintf("%s[%d]", name, i), unknown)
			if err != nil {
				return nil, err
			}
			out[i] = ne
		}
		return out, nil
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("argument %q must be an object, not %s", name, jsonKind(v))
		}
		return checkObject(s, obj, name+".", unknown)
	}
	return v, nil
}

// describeArgs summarizes a schema's arguments for an error message:
// `file_path (string, required), offset (integer)`.
func describeArgs(raw json.RawMessage) string {
	s, err := parseSchema(raw)
	if err != nil || len(s.Properties) == 0 {
		return "none"
	}
	return describeProps(s)
}

func describeProps(s *schema) string {
	// Required arguments first, then the others, each group in the
	// schema's order.
	names := slices.Clone(s.order)
	sort.SliceStable(names, func(i, j int) bool {
		return slices.Contains(s.Required, names[i]) && !slices.Contains(s.Required, names[j])
	})
	parts := make([]string, len(names))
	for i, n := range names {
		p := s.Properties[n]
		typ := p.Type
		if p.Type == "array" && p.Items != nil && p.Items.Type == "object" {
			typ = "array of {" + describeProps(p.Items) + "}"
		}
		if slices.Contains(s.Required, n) {
			typ += ", required"
		}
		parts[i] = fmt.Sprintf("%s (%s)", n, typ)
	}
	return strings.Join(parts, ", ")
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		if len(x) > 20 {
			x = x[:20] + "…"
		}
		return fmt.Sprintf("the string %q", x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	return err.Error()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
