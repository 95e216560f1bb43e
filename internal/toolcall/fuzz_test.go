package toolcall

import (
	"strings"
	"testing"
)

// FuzzParser feeds arbitrary output, split at an arbitrary point, to every
// format: the parser must not panic, and output without any call opener or
// think tag must come back as exactly the same text.
func FuzzParser(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.in, uint8(c.format), uint16(len(c.in)/2))
	}
	f.Add("plain text with < and { and } and <|", uint8(Llama3), uint16(5))
	f.Fuzz(func(t *testing.T, in string, format uint8, split uint16) {
		fm := Format(int(format) % len(formatNames))
		cut := int(split) % (len(in) + 1)
		p := NewParser(fm, testTools)
		var evs []Event
		evs = append(evs, p.Add(in[:cut])...)
		evs = append(evs, p.Add(in[cut:])...)
		evs = append(evs, p.Finish()...)

		plain := !strings.Contains(in, thinkOpen) && !strings.Contains(in, thinkClose)
		for _, o := range Openers(fm) {
			plain = plain && !strings.Contains(in, o)
		}
		if !plain {
			return
		}
		var text strings.Builder
		for _, e := range evs {
			if e.Kind != Text {
				t.Fatalf("format %v, input %q: got a %v event with no opener in the input", fm, in, e.Kind)
			}
			text.WriteString(e.Text)
		}
		if text.String() != in {
			t.Fatalf("format %v: text %q; want the input %q", fm, text.String(), in)
		}
	})
}
