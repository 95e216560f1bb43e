package grammar

import (
	"fmt"
	"strconv"
	"strings"
)

// intRange returns a grammar expression for the decimal integers in
// [lo, hi]; a nil bound is open. Magnitudes stay below 10^16.
func intRange(lo, hi *int64) string {
	const top = int64(1e16) - 1
	var alts []string
	// Non-negative part.
	if hi == nil || *hi >= 0 {
		a, b := int64(0), top
		if lo != nil && *lo > 0 {
			a = *lo
		}
		if hi != nil {
			b = *hi
		}
		if a <= b {
			alts = append(alts, natRange(a, b))
		}
	}
	// Negative part: magnitudes in [max(1, -hi), -lo].
	if lo == nil || *lo < 0 {
		a, b := int64(1), top
		if hi != nil && *hi < -1 {
			a = -*hi
		}
		if lo != nil {
			b = -*lo
		}
		if a <= b {
			alts = append(alts, `"-" `+natRange(a, b))
		}
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "( " + strings.Join(alts, " | ") + " )"
}

// natRange matches the decimal numbers in [a, b], 0 <= a <= b, without
// leading zeros.
func natRange(a, b int64) string {
	var alts []string
	pow := int64(1)
	for l := 1; l <= 16; l++ {
		lo, hi := max(a, pow), min(b, pow*10-1)
		if l == 1 {
			lo = a
		}
		if lo <= hi {
			alts = append(alts, sameLen(strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10)))
		}
		if pow*10-1 >= b {
			break
		}
		pow *= 10
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "( " + strings.Join(alts, " | ") + " )"
}

func digitsExpr(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "[0-9]"
	}
	return fmt.Sprintf("[0-9]{%d}", n)
}

func digitClass(lo, hi byte) string {
	if lo == hi {
		return `"` + string(lo) + `"`
	}
	return fmt.Sprintf("[%c-%c]", lo, hi)
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// sameLen matches the numbers from a to b, decimal strings of one length.
func sameLen(a, b string) string {
	if a == "" {
		return ""
	}
	if a[0] == b[0] {
		return join(digitClass(a[0], a[0]), sameLen(a[1:], b[1:]))
	}
	n := len(a) - 1
	restLoZero := strings.Trim(a[1:], "0") == ""
	restHiNine := strings.Trim(b[1:], "9") == ""
	var alts []string
	midLo, midHi := a[0], b[0]
	if !restLoZero {
		alts = append(alts, join(digitClass(a[0], a[0]), sameLen(a[1:], strings.Repeat("9", n))))
		midLo++
	}
	if !restHiNine {
		midHi--
	}
	if midLo <= midHi {
		alts = append(alts, join(digitClass(midLo, midHi), digitsExpr(n)))
	}
	if !restHiNine {
		alts = append(alts, join(digitClass(b[0], b[0]), sameLen(strings.Repeat("0", n), b[1:])))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "( " + strings.Join(alts, " | ") + " )"
}
