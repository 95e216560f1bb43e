package tokenizer

// Patterns llama.cpp runs through std::regex rather than a custom handler.
// It matches them on a "collapsed" copy of the text where every non-ASCII
// code point stands for its class (whitespace, \p{L}, \p{N}, \p{P}, \p{M},
// \p{S} or other) and ASCII stays itself, so \s is C's isspace, \p{L} is
// [A-Za-z] plus non-ASCII letters, and \p{P} is a fixed ASCII list plus
// non-ASCII punctuation. These classes reproduce that.

const (
	rxSpace uint8 = 1 << iota
	rxLetter
	rxNumber
	rxMark
	rxPunct
)

var rxASCII = func() (t [128]uint8) {
	for c := range t {
		switch {
		case c == ' ' || c >= 0x09 && c <= 0x0D:
			t[c] = rxSpace
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			t[c] = rxLetter
		case c >= '0' && c <= '9':
			t[c] = rxNumber
		case c >= 0x21 && c <= 0x23, c >= 0x25 && c <= 0x2A, c >= 0x2C && c <= 0x2F,
			c == 0x3A, c == 0x3B, c == 0x3F, c == 0x40, c >= 0x5B && c <= 0x5D,
			c == 0x5F, c == 0x7B, c == 0x7D:
			t[c] = rxPunct
		}
	}
	return t
}()

func rxClass(r rune) uint8 {
	if r < 0x80 {
		return rxASCII[r]
	}
	c := classOf(r)
	switch {
	case c&cSpace != 0:
		return rxSpace
	case c&cLetter != 0:
		return rxLetter
	case c&cNumber != 0:
		return rxNumber
	case c&cMark != 0:
		return rxMark
	case c&cPunct != 0:
		return rxPunct
	}
	return 0
}

func rxIsSpace(r rune) bool { return rxClass(r)&rxSpace != 0 }

// rxClassAt is rxClass of the code point at p; ok is false past end.
func rxClassAt(s string, p, end int) (c uint8, ok bool) {
	if p >= end {
		return 0, false
	}
	if b := s[p]; b < 0x80 {
		return rxASCII[b], true
	}
	r, _ := decodeRune(s[p:end])
	return rxClass(r), true
}

// rxScanWhile is scanWhile with the regex classes.
func rxScanWhile(s string, p, end int, bits uint8) int {
	return scan(s, p, end, &rxASCII, rxClass, bits, true)
}

// rxScanWhileNot is scanWhileNot with the regex classes.
func rxScanWhileNot(s string, p, end int, bits uint8) int {
	return scan(s, p, end, &rxASCII, rxClass, bits, false)
}

// splitQwen matches Qwen2's pattern
// (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// or, with marks, Qwen3.5's, where \p{M} joins \p{L} in the word runs and
// leaves the punctuation runs.
func splitQwen(marks bool) stage {
	word, excl := rxLetter, rxSpace|rxLetter|rxNumber
	if marks {
		word |= rxMark
		excl |= rxMark
	}
	return func(s string, start, end int, out []int) []int {
		for p := start; p < end; {
			if n := contraction(s, p, end, true); n > 0 {
				p += n
				out = emit(out, p)
				continue
			}
			r, n := runeAt(s, p, end)
			c := rxClass(r)
			if c&word != 0 {
				p = rxScanWhile(s, p+n, end, word)
				out = emit(out, p)
				continue
			}
			if r != '\r' && r != '\n' && c&(rxLetter|rxNumber) == 0 {
				if c1, ok := rxClassAt(s, p+n, end); ok && c1&word != 0 {
					p = rxScanWhile(s, p+n, end, word)
					out = emit(out, p)
					continue
				}
			}
			if c&rxNumber != 0 {
				p += n
				out = emit(out, p)
				continue
			}
			q, c2, ok := p, c, true
			if r == ' ' {
				q = p + 1
				c2, ok = rxClassAt(s, q, end)
			}
			if ok && c2&excl == 0 {
				q = rxScanWhileNot(s, q, end, excl)
				for q < end && (s[q] == '\r' || s[q] == '\n') {
					q++
				}
				p = q
				out = emit(out, p)
				continue
			}
			p = spaceRun(s, p, end, n, rxIsSpace)
			out = emit(out, p)
		}
		return out
	}
}

// splitMatches splits s[start:end] into the leftmost non-overlapping
// matches of a pattern and the text between them; match returns the end of
// the match at p, or p when there is none.
func splitMatches(s string, start, end int, out []int, match func(s string, p, end int) int) []int {
	gap := start
	for p := start; p < end; {
		if q := match(s, p, end); q > p {
			if p > gap {
				out = emit(out, p)
			}
			out = emit(out, q)
			p, gap = q, q
			continue
		}
		_, n := runeAt(s, p, end)
		p += n
	}
	if gap < end {
		out = emit(out, end)
	}
	return out
}

// oneOf returns a stage for a pattern matching a single code point of a
// regex class, like \p{N} or [\r\n].
func oneOf(bits uint8, newlines bool) stage {
	return func(s string, start, end int, out []int) []int {
		return splitMatches(s, start, end, out, func(s string, p, end int) int {
			r, n := runeAt(s, p, end)
			if newlines && (r == '\r' || r == '\n') || rxClass(r)&bits != 0 {
				return p + n
			}
			return p
		})
	}
}

// spaceThen returns a stage for \s?X+ where X is a regex class.
func spaceThen(bits uint8) stage {
	return func(s string, start, end int, out []int) []int {
		return splitMatches(s, start, end, out, func(s string, p, end int) int {
			r, n := runeAt(s, p, end)
			c := rxClass(r)
			if c&bits != 0 {
				return rxScanWhile(s, p+n, end, bits)
			}
			if c&rxSpace != 0 {
				if c1, ok := rxClassAt(s, p+n, end); ok && c1&bits != 0 {
					return rxScanWhile(s, p+n, end, bits)
				}
			}
			return p
		})
	}
}

// splitCJK is DeepSeek's [一-龥ࠀ-一가-퟿]+, which std::wregex matches on code
// points after non-ASCII whitespace has been replaced by \v.
func splitCJK(s string, start, end int, out []int) []int {
	in := func(r rune) bool {
		return (r >= 0x800 && r <= 0x9FA5 || r >= 0xAC00 && r <= 0xD7FF) && classOf(r)&cSpace == 0
	}
	return splitMatches(s, start, end, out, func(s string, p, end int) int {
		for p < end {
			r, n := runeAt(s, p, end)
			if !in(r) {
				break
			}
			p += n
		}
		return p
	})
}

// splitLines is Gemma 4's [^\n]+|[\n]+.
func splitLines(s string, start, end int, out []int) []int {
	for p := start; p < end; {
		nl := s[p] == '\n'
		for p < end && (s[p] == '\n') == nl {
			p++
		}
		out = emit(out, p)
	}
	return out
}
