package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// hasSpecial reports whether text contains a token that Encode takes
// whole without special parsing (a user-defined token): SentencePiece adds
// a space after those, and some strip the spaces around them, so such text
// does not come back unchanged.
func hasSpecial(tok *Tokenizer, text string) bool {
	st := tok.state()
	defer tok.scratch.Put(st)
	frags, _ := tok.partition(text, false, nil, nil, st.seen)
	for _, f := range frags {
		if f.id >= 0 {
			return true
		}
	}
	return false
}

func checkRoundTrip(t *testing.T, tok *Tokenizer, name, s string) {
	t.Helper()
	if !utf8.ValidString(s) || hasSpecial(tok, s) {
		return
	}
	if (tok.kind == kindSPM || tok.escapeSpaces) && strings.Contains(s, "▁") {
		return // SentencePiece vocabularies write spaces as U+2581: it decodes as a space
	}
	ids := tok.Encode(s, false, false)
	if got := tok.Decode(ids); got != s {
		t.Errorf("%s: Decode(Encode(%q)) = %q (ids %v)", name, s, got, ids)
	}
	var b strings.Builder
	d := tok.NewDecoder()
	for _, id := range ids {
		chunk := d.Add(id)
		if !utf8.ValidString(chunk) {
			t.Errorf("%s: %q: decoder gave invalid UTF-8 %q", name, s, chunk)
		}
		b.WriteString(chunk)
	}
	b.WriteString(d.Flush())
	want := s
	if tok.addSpacePrefix && len(ids) > 0 {
		want = " " + s // the decoder keeps SentencePiece's leading space
	}
	if b.String() != want {
		t.Errorf("%s: streamed %q, want %q", name, b.String(), want)
	}
}

func TestRoundTripCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	for _, name := range vocabNames {
		tok := loadVocab(t, name)
		for _, f := range files {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.SplitAfter(string(text), "\n") {
				checkRoundTrip(t, tok, name, line)
			}
			checkRoundTrip(t, tok, name, string(text))
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", " ", "  a", "Hello, world!", "\n\n\t x", "héllo wörld", "日本語テキスト", "👨‍👩‍👧‍👦 🏳️‍🌈",
		"can't won't I'LL", "x = 1_000_000 + 0.5", "\r\n\r\n", "\u00a0\u3000\u2028", "\x00\x01\x7f", "a    b     c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range vocabNames {
			checkRoundTrip(t, loadVocab(t, name), name, s)
		}
	})
}

func TestDecoderHoldsSplitCharacters(t *testing.T) {
	for _, c := range []struct {
		chunks []string // pieces as bytes
		want   []string // what Add returns after each
	}{
		{[]string{"a", "\xe6", "\x97", "\xa5b"}, []string{"a", "", "", "日b"}},
		{[]string{"\xf0\x9f", "\x98\x80"}, []string{"", "😀"}},
		{[]string{"\xff", "x"}, []string{"\xff", "x"}},         // never valid: passed on
		{[]string{"\xe0\x80", "x"}, []string{"\xe0\x80", "x"}}, // cannot complete
		{[]string{"é", "\xc3"}, []string{"é", ""}},             // held until Flush
	} {
		d := &Decoder{}
		for i, ch := range c.chunks {
			d.pending = append(d.pending, ch...)
			n := completePrefix(d.pending)
			got := string(d.pending[:n])
			d.pending = append(d.pending[:0], d.pending[n:]...)
			if got != c.want[i] {
				t.Errorf("%q: chunk %d gave %q, want %q", c.chunks, i, got, c.want[i])
			}
		}
	}
}
