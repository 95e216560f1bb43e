package tui

// transcript is the conversation as shown: blocks, their rendered lines
// cached by block version and width, and a scroll position counted from
// the bottom (0 follows the newest line).
type transcript struct {
	blocks []block
	cache  []cached
	// scroll is how many lines above the bottom the view ends.
	scroll int
}

type cached struct {
	ver, width int
	expanded   bool
	lines      []string
}

func (t *transcript) add(b block) {
	t.blocks = append(t.blocks, b)
	t.cache = append(t.cache, cached{width: -1})
}

func (t *transcript) clear() {
	t.blocks, t.cache, t.scroll = nil, nil, 0
}

// last returns the last block if it has type T.
func last[T block](t *transcript) (T, bool) {
	var zero T
	if len(t.blocks) == 0 {
		return zero, false
	}
	b, ok := t.blocks[len(t.blocks)-1].(T)
	return b, ok
}

// lines renders every block at width (re-rendering only the ones that
// changed) with a blank line between blocks.
func (t *transcript) lines(p *painter, width int) []string {
	var out []string
	for i, b := range t.blocks {
		c := &t.cache[i]
		if c.width != width || c.ver != b.version() || c.expanded != p.expanded {
			*c = cached{ver: b.version(), width: width, expanded: p.expanded, lines: b.render(p, width)}
		}
		if len(c.lines) == 0 {
			continue
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, c.lines...)
	}
	return out
}

// window returns the height lines to show, honouring the scroll (which it
// clamps), padded at the bottom with blank lines when the transcript is short.
func (t *transcript) window(all []string, height int) []string {
	if height <= 0 {
		return nil
	}
	maxScroll := max(len(all)-height, 0)
	t.scroll = min(max(t.scroll, 0), maxScroll)
	end := len(all) - t.scroll
	start := max(end-height, 0)
	view := append([]string(nil), all[start:end]...)
	for len(view) < height {
		view = append(view, "")
	}
	return view
}
