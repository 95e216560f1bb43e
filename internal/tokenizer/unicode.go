package tokenizer

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// Code point classes as llama.cpp's unicode tables define them: one general
// category (from UnicodeData) plus the White_Space property. Go's unicode
// tables stand in for llama.cpp's generated ones; they can differ for code
// points assigned in a newer Unicode version than Go's.
const (
	cUndefined uint16 = 1 << iota // Cn
	cNumber                       // N*
	cLetter                       // L*
	cSeparator                    // Z*
	cMark                         // M*
	cPunct                        // P*
	cSymbol                       // S*
	cControl                      // Cc, Cf, Co, Cs
	cSpace                        // White_Space
)

// bmpClasses holds the classes of the Basic Multilingual Plane, built once
// on first use; it is never written afterwards.
var bmpClasses = sync.OnceValue(func() *[0x10000]uint16 {
	t := new([0x10000]uint16)
	for i := range t {
		t[i] = cUndefined
	}
	for _, c := range categoryTables {
		for _, r16 := range c.tab.R16 {
			for r := uint32(r16.Lo); r <= uint32(r16.Hi); r += uint32(r16.Stride) {
				t[r] = c.class
			}
		}
	}
	for r := 0xD800; r <= 0xDFFF; r++ {
		t[r] = cControl
	}
	for _, r16 := range unicode.White_Space.R16 {
		for r := uint32(r16.Lo); r <= uint32(r16.Hi); r += uint32(r16.Stride) {
			t[r] |= cSpace
		}
	}
	return t
})

var categoryTables = []struct {
	tab   *unicode.RangeTable
	class uint16
}{
	{unicode.L, cLetter}, {unicode.N, cNumber}, {unicode.M, cMark},
	{unicode.P, cPunct}, {unicode.S, cSymbol}, {unicode.Z, cSeparator},
	{unicode.Cc, cControl}, {unicode.Cf, cControl}, {unicode.Co, cControl},
}

// classOf returns the class bits of code point r.
func classOf(r rune) uint16 {
	if r < 0x80 {
		return asciiClasses[r]
	}
	if r < 0x10000 {
		return bmpClasses()[r]
	}
	if r > unicode.MaxRune {
		return cUndefined
	}
	var c uint16 = cUndefined
	for _, t := range categoryTables {
		if unicode.Is(t.tab, r) {
			c = t.class
			break
		}
	}
	if unicode.Is(unicode.White_Space, r) {
		c |= cSpace
	}
	return c
}

var asciiClasses = func() (t [128]uint16) {
	for r := range t {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			t[r] = cLetter
		case r >= '0' && r <= '9':
			t[r] = cNumber
		case r == ' ':
			t[r] = cSeparator | cSpace
		case r >= 0x09 && r <= 0x0D:
			t[r] = cControl | cSpace
		case r < 0x20 || r == 0x7F:
			t[r] = cControl
		case r == '$' || r == '+' || r == '<' || r == '=' || r == '>' || r == '^' || r == '`' || r == '|' || r == '~':
			t[r] = cSymbol
		default:
			t[r] = cPunct
		}
	}
	return t
}()

// decodeRune decodes one code point the way llama.cpp's
// unicode_cpt_from_utf8 does: it accepts surrogates and overlong forms, and
// turns a malformed byte into U+FFFD, consuming one byte. size is never 0
// for a non-empty s.
func decodeRune(s string) (r rune, size int) {
	b0 := s[0]
	switch {
	case b0 < 0x80:
		return rune(b0), 1
	case b0&0x40 == 0:
		return utf8.RuneError, 1
	case b0&0x20 == 0:
		if len(s) < 2 || s[1]&0xC0 != 0x80 {
			return utf8.RuneError, 1
		}
		return rune(b0&0x1F)<<6 | rune(s[1]&0x3F), 2
	case b0&0x10 == 0:
		if len(s) < 3 || s[1]&0xC0 != 0x80 || s[2]&0xC0 != 0x80 {
			return utf8.RuneError, 1
		}
		return rune(b0&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	case b0&0x08 == 0:
		if len(s) < 4 || s[1]&0xC0 != 0x80 || s[2]&0xC0 != 0x80 || s[3]&0xC0 != 0x80 {
			return utf8.RuneError, 1
		}
		return rune(b0&0x07)<<18 | rune(s[1]&0x3F)<<12 | rune(s[2]&0x3F)<<6 | rune(s[3]&0x3F), 4
	}
	return utf8.RuneError, 1
}

// appendRune encodes r as llama.cpp's unicode_cpt_to_utf8 does (surrogates
// are encoded like any other code point); code points beyond U+10FFFF
// become U+FFFD.
func appendRune(dst []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xC0|byte(r>>6), 0x80|byte(r&0x3F))
	case r < 0x10000:
		return append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	case r <= unicode.MaxRune:
		return append(dst, 0xF0|byte(r>>18), 0x80|byte(r>>12&0x3F), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	}
	return append(dst, "\uFFFD"...)
}

// sanitize returns s as llama.cpp's pre-tokenizers see it: every code
// point decoded with decodeRune and encoded again, so malformed bytes become
// U+FFFD. Valid UTF-8 is returned as is.
func sanitize(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := decodeRune(s[i:])
		out = appendRune(out, r)
		i += n
	}
	return string(out)
}

// utf8Len is llama.cpp's unicode_len_utf8: the length of a sequence judged
// by its first byte alone.
func utf8Len(b byte) int {
	switch b >> 4 {
	case 0xC, 0xD:
		return 2
	case 0xE:
		return 3
	case 0xF:
		return 4
	}
	return 1
}
