package tokenizer

// Pre-tokenizers split text into words before BPE, as llama.cpp's
// unicode_regex_split does for each tokenizer.ggml.pre: a chain of stages,
// each applied to every piece the previous stage produced, where the text
// between two matches of a stage's pattern is a piece too. Each stage is a
// hand-written scanner equivalent to llama.cpp's regex (or its custom
// handler) for that pattern.

// A stage appends to out the end offsets of the pieces of s[start:end].
type stage func(s string, start, end int, out []int) []int

// preTokenizer is a chain of stages.
type preTokenizer []stage

// split returns the end offsets of the words of s, using buf's storage.
func (pt preTokenizer) split(s string, buf, tmp []int) (ends, spare []int) {
	ends = append(buf[:0], len(s))
	if len(s) == 0 {
		return ends[:0], tmp
	}
	for _, st := range pt {
		next := tmp[:0]
		prev := 0
		for _, e := range ends {
			next = st(s, prev, e, next)
			prev = e
		}
		ends, tmp = next, ends
	}
	return ends, tmp
}

// runeAt returns the code point at byte offset p of s and its size, or
// (-1, 0) at or past end.
func runeAt(s string, p, end int) (rune, int) {
	if p >= end {
		return -1, 0
	}
	if c := s[p]; c < 0x80 {
		return rune(c), 1
	}
	return decodeRune(s[p:end])
}

// classAt is classOf the code point at p, or 0 past end.
func classAt(s string, p, end int) uint16 {
	if p >= end {
		return 0
	}
	if c := s[p]; c < 0x80 {
		return asciiClasses[c]
	}
	r, _ := decodeRune(s[p:end])
	return classOf(r)
}

func emit(out []int, e int) []int {
	if n := len(out); n > 0 && out[n-1] >= e {
		return out
	}
	return append(out, e)
}

// contraction reports the length of an English contraction at s[p:end]
// ('s 't 're 've 'm 'll 'd), or 0; fold makes it case-insensitive.
func contraction(s string, p, end int, fold bool) int {
	if s[p] != '\'' || p+1 >= end {
		return 0
	}
	lower := func(c byte) byte {
		if fold && c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	switch lower(s[p+1]) {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if p+2 < end && lower(s[p+2]) == 'e' {
			return 3
		}
	case 'l':
		if p+2 < end && lower(s[p+2]) == 'l' {
			return 3
		}
	}
	return 0
}

// splitGPT2 is llama.cpp's custom handler for
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
func splitGPT2(s string, start, end int, out []int) []int {
	for p := start; p < end; {
		if n := contraction(s, p, end, false); n > 0 {
			p += n
			out = emit(out, p)
			continue
		}
		r, n := runeAt(s, p, end)
		c := classAt(s, p, end)
		q, c2 := p, c
		if r == ' ' {
			q, c2 = p+1, classAt(s, p+1, end)
		}
		switch {
		case c2&cLetter != 0:
			p = scanWhile(s, q, end, cLetter)
		case c2&cNumber != 0:
			p = scanWhile(s, q, end, cNumber)
		case c2&(cSpace|cLetter|cNumber) == 0 && c2 != 0:
			p = scanWhileNot(s, q, end, cSpace|cLetter|cNumber)
		default:
			k, last, q := 0, p, p
			for q < end && classAt(s, q, end)&cSpace != 0 {
				_, m := runeAt(s, q, end)
				last, q = q, q+m
				k++
			}
			switch {
			case k > 1 && q < end:
				p = last
			case k > 0:
				p = q
			default:
				p += n
			}
		}
		out = emit(out, p)
	}
	return out
}

// splitLlama3 is llama.cpp's custom handler for
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func splitLlama3(s string, start, end int, out []int) []int {
	for p := start; p < end; {
		if n := contraction(s, p, end, true); n > 0 {
			p += n
			out = emit(out, p)
			continue
		}
		r, n := runeAt(s, p, end)
		c := classAt(s, p, end)
		if !(r == '\r' || r == '\n' || c&cNumber != 0) {
			if c&cLetter != 0 || classAt(s, p+n, end)&cLetter != 0 {
				p = scanWhile(s, p+n, end, cLetter)
				out = emit(out, p)
				continue
			}
		}
		if c&cNumber != 0 {
			k := 0
			for p < end && classAt(s, p, end)&cNumber != 0 {
				_, m := runeAt(s, p, end)
				p += m
				if k++; k == 3 {
					out = emit(out, p)
					k = 0
				}
			}
			out = emit(out, p)
			continue
		}
		q, c2 := p, c
		if r == ' ' {
			q, c2 = p+1, classAt(s, p+1, end)
		}
		if c2&(cSpace|cLetter|cNumber) == 0 && c != 0 {
			q = scanWhileNot(s, q, end, cSpace|cLetter|cNumber)
			for q < end && (s[q] == '\r' || s[q] == '\n') {
				q++
			}
			p = q
			out = emit(out, p)
			continue
		}
		p = spaceRun(s, p, end, n, func(r rune) bool { return classOf(r)&cSpace != 0 })
		out = emit(out, p)
	}
	return out
}

// spaceRun handles \s*[\r\n]+|\s+(?!\S)|\s+ at p (where the code point is
// n bytes long) and returns the end of the match, or p+n when none of
// them matches.
func spaceRun(s string, p, end, n int, isSpace func(rune) bool) int {
	k, last, lastNL, q := 0, p, -1, p
	for q < end {
		r, m := runeAt(s, q, end)
		if !isSpace(r) {
			break
		}
		if r == '\r' || r == '\n' {
			lastNL = q + m
		}
		last, q = q, q+m
		k++
	}
	switch {
	case lastNL >= 0:
		return lastNL
	case k > 1 && q < end:
		return last
	case k > 0:
		return q
	}
	return p + n
}

// scan advances from p over the code points whose class has any of the
// bits (in) or none of them (!in). A code point's class is ascii[b] for an
// ASCII byte b, else of(r): the custom handlers' classes (classOf) or the
// regex ones (rxClass).
func scan[C uint8 | uint16](s string, p, end int, ascii *[128]C, of func(rune) C, bits C, in bool) int {
	for p < end {
		if b := s[p]; b < 0x80 {
			if (ascii[b]&bits != 0) != in {
				return p
			}
			p++
			continue
		}
		r, m := decodeRune(s[p:end])
		if (of(r)&bits != 0) != in {
			return p
		}
		p += m
	}
	return p
}

// scanWhile advances from p over code points having any of the class bits.
func scanWhile(s string, p, end int, bits uint16) int {
	return scan(s, p, end, &asciiClasses, classOf, bits, true)
}

// scanWhileNot advances from p over code points having none of the bits.
func scanWhileNot(s string, p, end int, bits uint16) int {
	return scan(s, p, end, &asciiClasses, classOf, bits, false)
}
