package grammar

import (
	"sort"
	"unicode/utf8"
)

// span is an inclusive range of Unicode code points.
type span struct{ lo, hi rune }

// class is a set of Unicode scalar values (surrogates are never members),
// matched one UTF-8 byte at a time.
type class struct {
	spans []span // sorted, disjoint, non-adjacent
	// lead classifies a first byte: leadDead (no member starts with it),
	// leadDone (an ASCII member) or leadMore (a multi-byte member may follow).
	lead [256]uint8
}

const (
	leadDead uint8 = iota
	leadDone
	leadMore
)

const maxRune = 0x10FFFF

// normalize sorts and merges spans and removes surrogates.
func normalize(in []span) []span {
	s := make([]span, 0, len(in)+1)
	for _, r := range in {
		if r.lo > r.hi || r.hi < 0 || r.lo > maxRune {
			continue
		}
		r.lo, r.hi = max(r.lo, 0), min(r.hi, maxRune)
		// cut out surrogates
		if r.lo <= 0xDFFF && r.hi >= 0xD800 {
			if r.lo < 0xD800 {
				s = append(s, span{r.lo, 0xD7FF})
			}
			if r.hi > 0xDFFF {
				s = append(s, span{0xE000, r.hi})
			}
			continue
		}
		s = append(s, r)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].lo < s[j].lo })
	out := s[:0]
	for _, r := range s {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// complement returns the scalar values not in s (s normalized).
func complement(s []span) []span {
	var out []span
	next := rune(0)
	for _, r := range s {
		if r.lo > next {
			out = append(out, span{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= maxRune {
		out = append(out, span{next, maxRune})
	}
	return normalize(out)
}

func newClass(spans []span) class {
	c := class{spans: normalize(spans)}
	for b := 0; b < 256; b++ {
		switch {
		case b < 0x80:
			if c.contains(rune(b)) {
				c.lead[b] = leadDone
			}
		case b >= 0xC2 && b <= 0xF4:
			n, v := leadInfo(byte(b))
			lo, hi := pending(v, n-1, n)
			if lo <= hi && c.intersects(lo, hi) {
				c.lead[b] = leadMore
			}
		}
	}
	return c
}

func (c *class) contains(r rune) bool {
	i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].hi >= r })
	return i < len(c.spans) && c.spans[i].lo <= r
}

func (c *class) intersects(lo, hi rune) bool {
	i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].hi >= lo })
	return i < len(c.spans) && c.spans[i].lo <= hi
}

// leadInfo returns the length of the sequence a lead byte starts and the
// value bits it carries.
func leadInfo(b byte) (n int, v rune) {
	switch {
	case b < 0xE0:
		return 2, rune(b & 0x1F)
	case b < 0xF0:
		return 3, rune(b & 0x0F)
	default:
		return 4, rune(b & 0x07)
	}
}

// minRune is the smallest code point that needs an n-byte sequence.
var minRune = [5]rune{0, 0, 0x80, 0x800, 0x10000}

// pending returns the range of code points that an n-byte sequence with
// value bits v so far and rem continuation bytes to come can still decode to.
func pending(v rune, rem, n int) (lo, hi rune) {
	lo = v << (6 * rem)
	hi = lo | (1<<(6*rem) - 1)
	return max(lo, minRune[n]), min(hi, maxRune)
}

// A partial UTF-8 sequence is packed in a uint32: 0 means none; otherwise
// bits 0-1 hold the continuation bytes still due, bits 2-4 the sequence
// length and bits 5+ the value bits read so far.
func packPartial(v rune, rem, n int) uint32 { return uint32(v)<<5 | uint32(n)<<2 | uint32(rem) }

func unpackPartial(p uint32) (v rune, rem, n int) {
	return rune(p >> 5), int(p & 3), int(p>>2) & 7
}

// Results of class.step.
const (
	stepDead = iota
	stepMore // a code point is in progress: keep the returned partial state
	stepDone // a member code point is complete
)

// step feeds byte b to the class given partial state p.
func (c *class) step(p uint32, b byte) (int, uint32) {
	if p == 0 {
		switch c.lead[b] {
		case leadDone:
			return stepDone, 0
		case leadMore:
			n, v := leadInfo(b)
			return stepMore, packPartial(v, n-1, n)
		}
		return stepDead, 0
	}
	if b&0xC0 != 0x80 {
		return stepDead, 0
	}
	v, rem, n := unpackPartial(p)
	v = v<<6 | rune(b&0x3F)
	rem--
	if rem == 0 {
		if v >= minRune[n] && utf8.ValidRune(v) && c.contains(v) {
			return stepDone, 0
		}
		return stepDead, 0
	}
	lo, hi := pending(v, rem, n)
	if lo <= hi && c.intersects(lo, hi) {
		return stepMore, packPartial(v, rem, n)
	}
	return stepDead, 0
}
