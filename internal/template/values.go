package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/ardanlabs/jinja"

	"github.com/atelier-dev/atelier/internal/chat"
)

// messageValue is the dict a Hugging Face template sees for a message:
// role and content always; reasoning_content, tool_calls, tool_call_id and
// name only when set (templates test `'tool_calls' in message` and
// `message.reasoning_content is defined`). A tool call becomes
// {"id", "type": "function", "function": {"name", "arguments": OBJECT}},
// the arguments parsed from their JSON; arguments that are not valid JSON
// stay a string (templates such as Qwen3's print a string as it is).
func messageValue(m chat.Message) jinja.Value {
	v := jinja.NewDict()
	d := v.AsDict()
	d.Set("role", jinja.NewString(m.Role))
	d.Set("content", jinja.NewString(m.Content))
	if m.Reasoning != "" {
		d.Set("reasoning_content", jinja.NewString(m.Reasoning))
	}
	if len(m.ToolCalls) > 0 {
		calls := make([]jinja.Value, len(m.ToolCalls))
		for i, c := range m.ToolCalls {
			call := jinja.NewDict()
			cd := call.AsDict()
			if c.ID != "" {
				cd.Set("id", jinja.NewString(c.ID))
			}
			cd.Set("type", jinja.NewString("function"))
			fn := jinja.NewDict()
			fn.AsDict().Set("name", jinja.NewString(c.Name))
			fn.AsDict().Set("arguments", argumentsValue(c.Arguments))
			cd.Set("function", fn)
			calls[i] = call
		}
		d.Set("tool_calls", jinja.NewList(calls))
	}
	if m.ToolCallID != "" {
		d.Set("tool_call_id", jinja.NewString(m.ToolCallID))
	}
	if m.Name != "" {
		d.Set("name", jinja.NewString(m.Name))
	}
	return v
}

func argumentsValue(raw json.RawMessage) jinja.Value {
	if len(bytes.TrimSpace(raw)) == 0 {
		return jinja.NewDict()
	}
	v, err := jsonValue(raw)
	if err != nil {
		return jinja.NewString(string(raw))
	}
	return v
}

// toolValue is the dict a template sees for a tool:
// {"type": "function", "function": {"name", "description", "parameters"}},
// description and parameters only when set.
func toolValue(t chat.Tool) (jinja.Value, error) {
	fn := jinja.NewDict()
	fd := fn.AsDict()
	fd.Set("name", jinja.NewString(t.Name))
	if t.Description != "" {
		fd.Set("description", jinja.NewString(t.Description))
	}
	if len(bytes.TrimSpace(t.Parameters)) > 0 {
		p, err := jsonValue(t.Parameters)
		if err != nil {
			return jinja.Undefined(), fmt.Errorf("template: tool %q: parameters: %w", t.Name, err)
		}
		fd.Set("parameters", p)
	}
	v := jinja.NewDict()
	v.AsDict().Set("type", jinja.NewString("function"))
	v.AsDict().Set("function", fn)
	return v, nil
}

// jsonValue decodes one JSON document into a template value, keeping the
// order of object keys (Python's json.loads does, and tojson shows it) and
// the difference between integers and floats.
func jsonValue(data []byte) (jinja.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jinja.Undefined(), err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jinja.Undefined(), errors.New("trailing data after the JSON value")
	}
	return v, nil
}

const maxJSONDepth = 1000

func decodeValue(dec *json.Decoder, depth int) (jinja.Value, error) {
	if depth > maxJSONDepth {
		return jinja.Undefined(), errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return jinja.Undefined(), err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := jinja.NewDict()
			d := v.AsDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jinja.Undefined(), err
				}
				key, _ := kt.(string)
				val, err := decodeValue(dec, depth+1)
				if err != nil {
					return jinja.Undefined(), err
				}
				d.Set(key, val)
			}
			if _, err := dec.Token(); err != nil { // '}'
				return jinja.Undefined(), err
			}
			return v, nil
		case '[':
			var items []jinja.Value
			for dec.More() {
				val, err := decodeValue(dec, depth+1)
				if err != nil {
					return jinja.Undefined(), err
				}
				items = append(items, val)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return jinja.Undefined(), err
			}
			return jinja.NewList(items), nil
		}
		return jinja.Undefined(), fmt.Errorf("unexpected %q", t)
	case json.Number:
		return numberValue(string(t)), nil
	case string:
		return jinja.NewString(t), nil
	case bool:
		return jinja.NewBool(t), nil
	case nil:
		return jinja.None(), nil
	}
	return jinja.Undefined(), fmt.Errorf("unexpected token %v", tok)
}

// numberValue is an integer for a literal without fraction or exponent
// that fits 64 bits (Python keeps ints apart from floats), else a float.
func numberValue(s string) jinja.Value {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return jinja.NewInt(i)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return jinja.NewString(s)
	}
	return jinja.NewFloat(f)
}

// goValue converts an Extra value: JSON (json.RawMessage) keeps its key
// order; Go maps get sorted keys; structs go through encoding/json.
func goValue(x any) (jinja.Value, error) {
	switch t := x.(type) {
	case nil:
		return jinja.None(), nil
	case jinja.Value:
		return t, nil
	case json.RawMessage:
		return jsonValue(t)
	case string:
		return jinja.NewString(t), nil
	case bool:
		return jinja.NewBool(t), nil
	case int:
		return jinja.NewInt(int64(t)), nil
	case int32:
		return jinja.NewInt(int64(t)), nil
	case int64:
		return jinja.NewInt(t), nil
	case float32:
		return jinja.NewFloat(float64(t)), nil
	case float64:
		return jinja.NewFloat(t), nil
	case json.Number:
		return numberValue(string(t)), nil
	case chat.Message:
		return messageValue(t), nil
	case chat.Tool:
		return toolValue(t)
	case []any:
		items := make([]jinja.Value, len(t))
		for i, it := range t {
			v, err := goValue(it)
			if err != nil {
				return jinja.Undefined(), err
			}
			items[i] = v
		}
		return jinja.NewList(items), nil
	case []string:
		items := make([]jinja.Value, len(t))
		for i, it := range t {
			items[i] = jinja.NewString(it)
		}
		return jinja.NewList(items), nil
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		v := jinja.NewDict()
		for _, k := range keys {
			e, err := goValue(t[k])
			if err != nil {
				return jinja.Undefined(), err
			}
			v.AsDict().Set(k, e)
		}
		return v, nil
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct, reflect.Pointer:
		data, err := json.Marshal(x)
		if err != nil {
			return jinja.Undefined(), err
		}
		return jsonValue(data)
	}
	return jinja.Undefined(), fmt.Errorf("unsupported type %T", x)
}
