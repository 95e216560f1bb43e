package template

import "strings"

// The Jinja library looks its built-in filters up before the template's
// variables, so its tojson and string cannot be replaced by passing
// variables of those names. Instead New renames the filter applications in
// the source (`x | tojson(indent=4)` becomes `x | atelier_tojson(indent=4)`)
// and Render supplies atelier_tojson and atelier_string, which the library
// finds among the variables because no built-in filter has those names.
// Likewise the library prints None as "" and floats as %g where Python
// prints "None" and repr(float), so every print tag's value is passed
// through atelier_print, Python's str().

// filterPrefix starts the variable names of our replacement filters.
const filterPrefix = "atelier_"

// printFilter is the filter every print tag's value goes through.
const printFilter = filterPrefix + "print"

// replacedFilters are the filters renamed to filterPrefix+name.
var replacedFilters = [...]string{"tojson", "string"}

// rewriteFilters renames, inside {{ }} and {% %} tags and outside string
// literals, every identifier in replacedFilters that directly follows a
// '|' (with optional spaces). Text, comments and {% raw %} blocks are left
// alone, as is `is string` (a test, not a filter).
func rewriteFilters(src string) string {
	var b strings.Builder
	b.Grow(len(src) + 64)
	i := 0
	for i < len(src) {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 || i+j+1 >= len(src) {
			b.WriteString(src[i:])
			break
		}
		j += i
		b.WriteString(src[i:j])
		switch src[j+1] {
		case '#':
			end := strings.Index(src[j+2:], "#}")
			if end < 0 {
				b.WriteString(src[j:])
				return b.String()
			}
			end += j + 2 + 2
			b.WriteString(src[j:end])
			i = end
		case '{', '%':
			closer := "}}"
			if src[j+1] == '%' {
				closer = "%}"
			}
			end := rewriteTag(&b, src, j, closer)
			if src[j+1] == '%' && isRawTag(src[j:end]) {
				// Copy up to and including the {% endraw %} tag.
				k := findEndRaw(src, end)
				b.WriteString(src[end:k])
				end = k
			}
			i = end
		default:
			b.WriteByte('{')
			i = j + 1
		}
	}
	return b.String()
}

// rewriteTag copies the tag starting at src[start] up to and including its
// closer, renaming filters, and returns the index after it. A print tag
// {{ EXPR }} becomes {{ (EXPR) | atelier_print }}, so that values print as
// Python's str() prints them (None, floats, lists and dicts).
func rewriteTag(b *strings.Builder, src string, start int, closer string) int {
	open := src[start : start+2]
	i := start + 2
	if i < len(src) && (src[i] == '-' || src[i] == '+') {
		open += src[i : i+1]
		i++
	}
	var in strings.Builder
	end, closed := rewriteExpr(&in, src, i, closer)
	inner := in.String()
	b.WriteString(open)
	if closer != "}}" || !closed || strings.TrimSpace(strings.TrimSuffix(inner, "-")) == "" {
		b.WriteString(inner)
		if closed {
			b.WriteString(closer)
		}
		return end
	}
	ctl := ""
	if strings.HasSuffix(inner, "-") {
		inner, ctl = inner[:len(inner)-1], "-"
	}
	b.WriteString(" (")
	b.WriteString(inner)
	b.WriteString(") | " + printFilter + " ")
	b.WriteString(ctl)
	b.WriteString(closer)
	return end
}

// rewriteExpr copies the inside of a tag from src[i] up to its closer,
// renaming filters. It returns the index after the closer, and whether
// there was one.
func rewriteExpr(b *strings.Builder, src string, i int, closer string) (int, bool) {
	afterPipe := false
	for i < len(src) {
		c := src[i]
		switch {
		case strings.HasPrefix(src[i:], closer):
			return i + len(closer), true
		case c == '\'' || c == '"':
			k := i + 1
			for k < len(src) && src[k] != c {
				if src[k] == '\\' {
					k++
				}
				k++
			}
			k = min(k+1, len(src))
			b.WriteString(src[i:k])
			i = k
			afterPipe = false
		case c == '|':
			b.WriteByte(c)
			i++
			afterPipe = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			b.WriteByte(c)
			i++
		case isIdentStart(c):
			k := i
			for k < len(src) && isIdentByte(src[k]) {
				k++
			}
			word := src[i:k]
			if afterPipe && isReplaced(word) {
				b.WriteString(filterPrefix)
			}
			b.WriteString(word)
			i = k
			afterPipe = false
		default:
			b.WriteByte(c)
			i++
			afterPipe = false
		}
	}
	return i, false
}

func isReplaced(word string) bool {
	for _, f := range replacedFilters {
		if word == f {
			return true
		}
	}
	return false
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// isRawTag reports whether tag ("{% raw %}", with optional - or +) opens a
// raw block.
func isRawTag(tag string) bool {
	in := strings.TrimSuffix(strings.TrimPrefix(tag, "{%"), "%}")
	in = strings.Trim(in, "-+ \t\r\n")
	return in == "raw"
}

// findEndRaw returns the index after the {% endraw %} tag at or after i,
// or len(src).
func findEndRaw(src string, i int) int {
	for {
		j := strings.Index(src[i:], "{%")
		if j < 0 {
			return len(src)
		}
		j += i
		end := strings.Index(src[j:], "%}")
		if end < 0 {
			return len(src)
		}
		end += j + 2
		in := strings.Trim(src[j+2:end-2], "-+ \t\r\n")
		if in == "endraw" {
			return end
		}
		i = j + 2
	}
}
