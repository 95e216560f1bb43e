package grammar

import (
	"testing"
)

// benchState returns a constraint for the tool-call schema, advanced over
// prefix, and the tokens of the continuation text next.
func benchState(b *testing.B, prefix, next string) (*Constraint, []int32) {
	tok, toks := qwenVocab(b)
	g, err := ParseSchema([]byte(`{"type":"object","properties":{"name":{"enum":["read_file","write_file","run"]},"arguments":{"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"}},"required":["path"]}},"required":["name","arguments"]}`), SchemaOptions{})
	if err != nil {
		b.Fatal(err)
	}
	c := NewConstraint(g, toks)
	for _, id := range tok.Encode(prefix, false, false) {
		if err := c.Accept(id); err != nil {
			b.Fatal(err)
		}
	}
	return c, tok.Encode(next, false, false)
}

// BenchmarkAllowsAccept is the common case: the sampled token is allowed;
// one op is one Allows and one Accept.
func BenchmarkAllowsAccept(b *testing.B) {
	for _, bc := range []struct{ name, prefix, next string }{
		{"in-string", `{"name": "write_file", "arguments": {"path": "`, `internal/grammar/matcher_test.go`},
		{"structure", `{"name": "write_file", "arguments": {`, `"path": "`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, next := benchState(b, bc.prefix, bc.next)
			id := next[0]
			save := c.m.cur
			for b.Loop() {
				c.m.cur = save
				if !c.Allows(id) {
					b.Fatal("refused")
				}
				if err := c.Accept(id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMask is the cost of a full mask after a refused sample, without
// the cache of masks (a state seen for the first time).
func BenchmarkMask(b *testing.B) {
	for _, bc := range []struct{ name, prefix string }{
		{"in-string", `{"name": "write_file", "arguments": {"path": "`},
		{"structure", `{"name": "write_file", "arguments": {`},
		{"start", ``},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := benchState(b, bc.prefix, "")
			logits := make([]float32, qwenEmbedding)
			for b.Loop() {
				c.masks = maskCache{}
				c.Mask(logits)
			}
		})
	}
}

// BenchmarkNewTokens is the one-off cost of indexing a vocabulary.
func BenchmarkNewTokens(b *testing.B) {
	tok, _ := qwenVocab(b)
	for b.Loop() {
		NewTokens(tok)
	}
}

// BenchmarkFitsAccept is the common case under a token cap: the sampled
// token is allowed and leaves room to finish; one op is one Fits and one
// Accept (compare BenchmarkAllowsAccept).
func BenchmarkFitsAccept(b *testing.B) {
	for _, bc := range []struct{ name, prefix, next string }{
		{"in-string", `{"name": "write_file", "arguments": {"path": "`, `internal/grammar/matcher_test.go`},
		{"structure", `{"name": "write_file", "arguments": {`, `"path": "`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, next := benchState(b, bc.prefix, bc.next)
			id := next[0]
			save := c.m.cur
			for b.Loop() {
				c.m.cur = save
				if !c.Fits(id, 100) {
					b.Fatal("refused")
				}
				if err := c.Accept(id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClose is the cost of one closing step near the cap (the mask,
// cached, and every allowed token's distance after it).
func BenchmarkClose(b *testing.B) {
	for _, bc := range []struct{ name, prefix string }{
		{"in-string", `{"name": "write_file", "arguments": {"path": "`},
		{"structure", `{"name": "write_file", "arguments": {`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := benchState(b, bc.prefix, "")
			logits := make([]float32, qwenEmbedding)
			for b.Loop() {
				c.Close(logits, 2)
			}
		})
	}
}
