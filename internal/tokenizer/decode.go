package tokenizer

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// buildPieces computes the bytes each token decodes to (llama.cpp's
// token_to_piece with special tokens rendered).
func (t *Tokenizer) buildPieces() {
	pieces := make([]string, len(t.texts))
	for i, s := range t.texts {
		a := t.attrs[i]
		switch {
		case a&(attrUnknown|attrControl|attrUserDefined) != 0:
			pieces[i] = s
		case a&attrNormal != 0:
			switch {
			case t.kind == kindSPM || t.escapeSpaces:
				pieces[i] = strings.ReplaceAll(s, "▁", " ")
			default:
				pieces[i] = decodeByteLevelLoose(s)
			}
		case a&attrByte != 0:
			if len(s) >= 5 {
				if b, err := strconv.ParseUint(s[3:5], 16, 8); err == nil {
					pieces[i] = string([]byte{byte(b)})
				}
			}
		}
	}
	t.pieces = pieces
}

// piecesOf returns the pieces of all tokens, computing them on first use.
func (t *Tokenizer) piecesOf() []string {
	t.piecesOnce.Do(t.buildPieces)
	return t.pieces
}

// decodeByteLevelLoose decodes a byte-level token text, keeping code points
// outside the encoding as they are.
func decodeByteLevelLoose(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if c, ok := byteOfRune(r); ok {
			b = append(b, c)
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

func (t *Tokenizer) valid(id int32) bool { return id >= 0 && int(id) < len(t.texts) }

// Piece returns the bytes token id decodes to: byte tokens give their byte,
// SentencePiece's "▁" gives a space, byte-level BPE tokens give their raw
// bytes; control and unknown tokens give nothing. The slice must not be
// modified.
func (t *Tokenizer) Piece(id int32) []byte {
	if !t.valid(id) || t.attrs[id]&(attrUnknown|attrControl) != 0 {
		return nil
	}
	return []byte(t.piecesOf()[id])
}

// TokenBytes is Piece, except that control and unknown tokens give their
// text.
func (t *Tokenizer) TokenBytes(id int32) []byte {
	if !t.valid(id) {
		return nil
	}
	return []byte(t.piecesOf()[id])
}

// piece is Piece without a copy.
func (t *Tokenizer) piece(id int32) string {
	if !t.valid(id) || t.attrs[id]&(attrUnknown|attrControl) != 0 {
		return ""
	}
	return t.piecesOf()[id]
}

// Decode returns the text of ids, as llama.cpp's detokenize does without
// special tokens: the concatenated pieces, minus the space SentencePiece
// put before the first one. Unlike llama.cpp it never "cleans up" spaces
// before punctuation, so Decode(Encode(s, false, false)) == s.
func (t *Tokenizer) Decode(ids []int32) string {
	var b strings.Builder
	for i, id := range ids {
		p := t.piece(id)
		if i == 0 && t.addSpacePrefix {
			p = strings.TrimPrefix(p, " ")
		}
		b.WriteString(p)
	}
	return b.String()
}

// Decoder turns a stream of tokens into text, holding back the start of a
// UTF-8 character split across tokens until it is complete.
type Decoder struct {
	t       *Tokenizer
	pending []byte
}

// NewDecoder returns a streaming decoder. Every token decodes to its Piece;
// nothing is stripped.
func (t *Tokenizer) NewDecoder() *Decoder { return &Decoder{t: t} }

// Add decodes one more token and returns the text that is now complete.
func (d *Decoder) Add(id int32) string {
	d.pending = append(d.pending, d.t.piece(id)...)
	n := completePrefix(d.pending)
	out := string(d.pending[:n])
	d.pending = append(d.pending[:0], d.pending[n:]...)
	return out
}

// Flush returns what is held back, complete or not, and resets the decoder.
func (d *Decoder) Flush() string {
	out := string(d.pending)
	d.pending = d.pending[:0]
	return out
}

// completePrefix returns the length of b without a trailing incomplete
// UTF-8 sequence that more bytes could still complete.
func completePrefix(b []byte) int {
	for k := 1; k <= 4 && k <= len(b); k++ {
		i := len(b) - k
		c := b[i]
		if c&0xC0 == 0x80 {
			continue
		}
		need := 0
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 2
		case c >= 0xE0 && c <= 0xEF:
			need = 3
		case c >= 0xF0 && c <= 0xF4:
			need = 4
		}
		if need > k && couldComplete(b[i:]) {
			return i
		}
		return len(b)
	}
	return len(b)
}

// couldComplete reports whether p, a lead byte and fewer continuation
// bytes than it needs, is the start of a valid UTF-8 sequence.
func couldComplete(p []byte) bool {
	if len(p) < 2 {
		return true
	}
	lo, hi := byte(0x80), byte(0xBF)
	switch p[0] {
	case 0xE0:
		lo = 0xA0
	case 0xED:
		hi = 0x9F
	case 0xF0:
		lo = 0x90
	case 0xF4:
		hi = 0x8F
	}
	return p[1] >= lo && p[1] <= hi
}

// VocabSize returns the number of tokens.
func (t *Tokenizer) VocabSize() int { return len(t.texts) }

// BOS returns the beginning-of-sequence token, or -1.
func (t *Tokenizer) BOS() int32 { return t.bos }

// EOS returns the end-of-sequence token, or -1.
func (t *Tokenizer) EOS() int32 { return t.eos }

// AddBOS reports whether Encode with addSpecial puts BOS first.
func (t *Tokenizer) AddBOS() bool { return t.addBOS }

// IsEOG reports whether id ends generation, as llama.cpp decides: the
// EOS, EOT and EOM tokens and tokens with known end texts (<|im_end|>,
// <|eot_id|>, <|endoftext|>, <end_of_turn>, ...).
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

// IsControl reports whether id is a control token.
func (t *Tokenizer) IsControl(id int32) bool { return t.valid(id) && t.attrs[id]&attrControl != 0 }

// TokenText returns the vocabulary entry of id as the file has it.
func (t *Tokenizer) TokenText(id int32) string {
	if !t.valid(id) {
		return ""
	}
	return t.texts[id]
}

// TokenID returns the id of the token whose vocabulary entry is s.
func (t *Tokenizer) TokenID(s string) (int32, bool) {
	id, ok := t.toID.find(s)
	return id, ok
}
