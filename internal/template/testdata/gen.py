#!/usr/bin/env python3
"""Render the golden prompts of internal/template with Python's jinja2.

The Go tests compare internal/template against these files byte for byte;
jinja2, set up the way Hugging Face transformers' apply_chat_template sets it
up, is the reference. Run by hand (CI never needs Python) after changing a
case or adding a template:

    python3 internal/template/testdata/gen.py

Inputs: ../../../../shared/testdata/templates/*.jinja (the chat templates),
../fallback.jinja (template.Fallback), the chat templates inside
../../../../shared/testdata/vocab/*.gguf (with their bos/eos text),
cases/*.json (conversations in atelier's chat.Message JSON shape, converted
here to the shape HF templates expect, exactly as template.Render converts
them) and tokens.json (bos/eos text per template). Outputs:
golden/TEMPLATE/CASE-genG-thinkT.txt, or .err holding the message of the
exception a template raised.
"""

import json
import os
import struct
import sys
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = Path(__file__).resolve().parent
TEMPLATES = (HERE / "../../../../shared/testdata/templates").resolve()
if "ATELIER_SHARED" in os.environ:
    TEMPLATES = Path(os.environ["ATELIER_SHARED"]) / "testdata/templates"

# The clock strftime_now reads; the Go test sets Request.Now to the same.
NOW = datetime(2025, 1, 15, 9, 30, 0)


def gguf_metadata(path):
    """The metadata of a GGUF file (enough of the format for vocab files)."""
    data = path.read_bytes()
    off = 0

    def take(fmt):
        nonlocal off
        v = struct.unpack_from(fmt, data, off)[0]
        off += struct.calcsize(fmt)
        return v

    def string():
        nonlocal off
        n = take("<Q")
        off += n
        return data[off - n:off].decode("utf-8")

    scalars = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f",
               7: "<?", 10: "<Q", 11: "<q", 12: "<d"}

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et, n = take("<I"), take("<Q")
            return [value(et) for _ in range(n)]
        return take(scalars[t])

    assert data[:4] == b"GGUF"
    off = 4
    take("<I")  # version
    take("<Q")  # tensor count
    kv = {}
    for _ in range(take("<Q")):
        key = string()
        kv[key] = value(take("<I"))
    return kv


def vocab_templates():
    """(stem, source, bos, eos) of the shared vocab files with a template."""
    out = []
    for path in sorted((TEMPLATES.parent / "vocab").glob("*.gguf")):
        kv = gguf_metadata(path)
        src = kv.get("tokenizer.chat_template")
        if not src:
            continue
        toks = kv["tokenizer.ggml.tokens"]
        tok = lambda key: toks[kv[key]] if key in kv else ""
        stem = "vocab-" + path.stem.removeprefix("ggml-vocab-")
        out.append((stem, src, tok("tokenizer.ggml.bos_token_id"), tok("tokenizer.ggml.eos_token_id")))
    return out


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent,
                      separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return NOW.strftime(fmt)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                       extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def hf_message(m):
    """Mirror of template.messageValue: absent or empty fields are left out."""
    out = {"role": m["role"], "content": m.get("content", "")}
    if m.get("reasoning_content"):
        out["reasoning_content"] = m["reasoning_content"]
    if m.get("tool_calls"):
        calls = []
        for c in m["tool_calls"]:
            call = {}
            if c.get("id"):
                call["id"] = c["id"]
            call["type"] = "function"
            call["function"] = {"name": c["name"], "arguments": c["arguments"]}
            calls.append(call)
        out["tool_calls"] = calls
    if m.get("tool_call_id"):
        out["tool_call_id"] = m["tool_call_id"]
    if m.get("name"):
        out["name"] = m["name"]
    return out


def hf_tool(t):
    """Mirror of template.toolValue."""
    fn = {"name": t["name"]}
    if t.get("description"):
        fn["description"] = t["description"]
    if t.get("parameters") is not None:
        fn["parameters"] = t["parameters"]
    return {"type": "function", "function": fn}


def main():
    env = environment()
    tokens = json.loads((HERE / "tokens.json").read_text())
    cases = sorted((HERE / "cases").glob("*.json"))
    count = 0
    # The shared templates, atelier's own fallback (stem "fallback") and the
    # templates inside the shared vocab files (stem "vocab-NAME").
    sources = []
    for tpath in sorted(TEMPLATES.glob("*.jinja")) + [HERE.parent / "fallback.jinja"]:
        tok = tokens.get(tpath.stem, {})
        sources.append((tpath.stem, tpath.read_text(), tok.get("bos", ""), tok.get("eos", "")))
    sources += vocab_templates()
    for stem, src, bos, eos in sources:
        compiled = env.from_string(src)
        outdir = HERE / "golden" / stem
        outdir.mkdir(parents=True, exist_ok=True)
        for old in outdir.iterdir():
            old.unlink()
        tok = {"bos": bos, "eos": eos}
        for cpath in cases:
            case = json.loads(cpath.read_text())
            messages = [hf_message(m) for m in case["messages"]]
            tools = [hf_tool(t) for t in case["tools"]] if case.get("tools") else None
            for gen in (False, True):
                for think in (None, True, False):
                    kwargs = {}
                    if tok.get("bos"):
                        kwargs["bos_token"] = tok["bos"]
                    if tok.get("eos"):
                        kwargs["eos_token"] = tok["eos"]
                    if think is not None:
                        kwargs["enable_thinking"] = think
                    name = "%s-gen%d-think%s" % (cpath.stem, gen, str(think).lower())
                    try:
                        text = compiled.render(messages=messages, tools=tools,
                                               documents=None,
                                               add_generation_prompt=gen, **kwargs)
                        (outdir / (name + ".txt")).write_bytes(text.encode("utf-8"))
                    except jinja2.exceptions.TemplateError as e:
                        (outdir / (name + ".err")).write_text(str(e) + "\n")
                    count += 1
    print("wrote %d goldens" % count, file=sys.stderr)


if __name__ == "__main__":
    main()
