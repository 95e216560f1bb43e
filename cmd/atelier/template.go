package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/atelier-dev/atelier/internal/chat"
	"github.com/atelier-dev/atelier/internal/gguf"
	"github.com/atelier-dev/atelier/internal/template"
)

// cmdTemplate prints the prompt a conversation renders to with a model's
// chat template, exactly (no newline added), so a user can see what the
// model sees.
func cmdTemplate(args []string, s stdio) error {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	fs.SetOutput(s.err)
	model := fs.String("model", "", "GGUF `file` whose tokenizer.chat_template to use")
	tmplFile := fs.String("template", "", "Jinja `file` to use instead of a model's template")
	messages := fs.String("messages", "", "JSON `file` of messages in the OpenAI shape (an array, or a request body with \"messages\" and \"tools\")")
	toolsFile := fs.String("tools", "", "JSON `file` of tools in the OpenAI shape ([{\"type\": \"function\", \"function\": {…}}])")
	noGen := fs.Bool("no-generation-prompt", false, "do not end with the opening of the assistant's turn")
	var thinking optionalBool
	fs.Var(&thinking, "thinking", "set enable_thinking to true or false (default: the template's own default)")
	bos := fs.String("bos", "", "bos_token `text` (default: the model's)")
	eos := fs.String("eos", "", "eos_token `text` (default: the model's)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 0 || *messages == "" || (*model == "") == (*tmplFile == "") {
		return fmt.Errorf("template: give --messages and one of --model or --template: %w", errUsage)
	}

	req := template.Request{AddGenerationPrompt: !*noGen, EnableThinking: thinking.value}
	var err error
	req.Messages, req.Tools, err = readConversation(*messages)
	if err != nil {
		return err
	}
	if *toolsFile != "" {
		data, err := os.ReadFile(*toolsFile)
		if err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if req.Tools, err = parseWireTools(data); err != nil {
			return fmt.Errorf("template: %s: %w", *toolsFile, err)
		}
	}

	var tmpl *template.Template
	if *tmplFile != "" {
		src, err := os.ReadFile(*tmplFile)
		if err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if tmpl, err = template.New(string(src)); err != nil {
			return fmt.Errorf("%s: %w", *tmplFile, err)
		}
	} else {
		mt, err := modelTemplate(*model, len(req.Tools) > 0)
		if err != nil {
			return err
		}
		tmpl, req.BOS, req.EOS = mt.tmpl, mt.bos, mt.eos
		if mt.fallback {
			fmt.Fprintf(s.err, "atelier: %s has no chat template; using the ChatML fallback\n", *model)
		}
	}
	if *bos != "" {
		req.BOS = *bos
	}
	if *eos != "" {
		req.EOS = *eos
	}
	out, err := tmpl.Render(req)
	if err != nil {
		return err
	}
	_, err = io.WriteString(s.out, out)
	return err
}

// optionalBool is a boolean flag that may be left unset.
type optionalBool struct{ value *bool }

func (o *optionalBool) String() string {
	if o == nil || o.value == nil {
		return ""
	}
	return strconv.FormatBool(*o.value)
}

func (o *optionalBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	o.value = &b
	return nil
}

func (o *optionalBool) IsBoolFlag() bool { return true }

type modelTmpl struct {
	tmpl     *template.Template
	bos, eos string
	fallback bool
}

// modelTemplate reads a GGUF's chat template (the tool_use variant when
// there are tools and the file has one, as HF picks it) and the text of its
// BOS and EOS tokens.
func modelTemplate(path string, tools bool) (modelTmpl, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return modelTmpl{}, err
	}
	defer f.Close()
	var mt modelTmpl
	if toks, ok := f.Strings("tokenizer.ggml.tokens"); ok {
		text := func(key string) string {
			id, ok := f.Uint(key)
			if !ok || id >= uint64(len(toks)) {
				return ""
			}
			return toks[id]
		}
		mt.bos, mt.eos = text("tokenizer.ggml.bos_token_id"), text("tokenizer.ggml.eos_token_id")
	}
	src, ok := "", false
	if tools {
		src, ok = f.String("tokenizer.chat_template.tool_use")
	}
	if !ok {
		src, ok = f.String("tokenizer.chat_template")
	}
	if !ok || src == "" {
		mt.tmpl, mt.fallback = template.Fallback(), true
		return mt, nil
	}
	if mt.tmpl, err = template.New(src); err != nil {
		return modelTmpl{}, fmt.Errorf("%s: chat template: %w", path, err)
	}
	return mt, nil
}

// readConversation reads the messages file: a JSON array of messages, or
// an object with "messages" and optionally "tools" (an OpenAI request).
func readConversation(path string) ([]chat.Message, []chat.Tool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("template: %w", err)
	}
	data = bytes.TrimSpace(data)
	var rawMsgs, rawTools json.RawMessage
	if len(data) > 0 && data[0] == '{' {
		var body struct {
			Messages json.RawMessage `json:"messages"`
			Tools    json.RawMessage `json:"tools"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return nil, nil, fmt.Errorf("template: %s: %w", path, err)
		}
		if body.Messages == nil {
			return nil, nil, fmt.Errorf("template: %s: the object has no \"messages\"", path)
		}
		rawMsgs, rawTools = body.Messages, body.Tools
	} else {
		rawMsgs = data
	}
	msgs, err := parseWireMessages(rawMsgs)
	if err != nil {
		return nil, nil, fmt.Errorf("template: %s: %w", path, err)
	}
	var tools []chat.Tool
	if len(rawTools) > 0 && string(rawTools) != "null" {
		if tools, err = parseWireTools(rawTools); err != nil {
			return nil, nil, fmt.Errorf("template: %s: %w", path, err)
		}
	}
	return msgs, tools, nil
}

// wireMessage is a chat message as the OpenAI API writes it.
type wireMessage struct {
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	Reasoning string          `json:"reasoning_content"`
	ToolCalls []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function *struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
	ToolCallID string `json:"tool_call_id"`
	Name       string `json:"name"`
}

func parseWireMessages(data []byte) ([]chat.Message, error) {
	var wire []wireMessage
	if err := json.Unmarshal(data, &wire); err != nil {
		return nil, fmt.Errorf("messages: want an array of {\"role\", \"content\"} objects: %w", err)
	}
	msgs := make([]chat.Message, len(wire))
	for i, w := range wire {
		if w.Role == "" {
			return nil, fmt.Errorf("message %d has no role", i+1)
		}
		content, err := wireContent(w.Content)
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i+1, err)
		}
		m := chat.Message{Role: w.Role, Content: content, Reasoning: w.Reasoning, ToolCallID: w.ToolCallID, Name: w.Name}
		for j, c := range w.ToolCalls {
			if c.Function == nil || c.Function.Name == "" {
				return nil, fmt.Errorf("message %d: tool call %d has no function name", i+1, j+1)
			}
			m.ToolCalls = append(m.ToolCalls, chat.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: wireArguments(c.Function.Arguments)})
		}
		msgs[i] = m
	}
	return msgs, nil
}

// wireContent accepts a string, null, or an array of text parts.
func wireContent(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("content must be a string, null or an array of text parts")
	}
	var b bytes.Buffer
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part of type %q: only text is supported", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// wireArguments turns the OpenAI arguments (a string of JSON) into the
// JSON itself; an object is taken as it is, and a string that is not JSON
// is kept as a JSON string.
func wireArguments(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		if json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
		return raw
	}
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}")
	}
	return raw
}

// parseWireTools reads [{"type": "function", "function": {name,
// description, parameters}}] (or the inner objects alone).
func parseWireTools(data []byte) ([]chat.Tool, error) {
	var wire []struct {
		Type     string     `json:"type"`
		Function *chat.Tool `json:"function"`
		chat.Tool
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return nil, fmt.Errorf("tools: want an array of {\"type\": \"function\", \"function\": {…}} objects: %w", err)
	}
	tools := make([]chat.Tool, len(wire))
	for i, w := range wire {
		t := w.Tool
		if w.Function != nil {
			t = *w.Function
		}
		if t.Name == "" {
			return nil, fmt.Errorf("tool %d has no name", i+1)
		}
		tools[i] = t
	}
	return tools, nil
}
