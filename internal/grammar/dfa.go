package grammar

import "encoding/binary"

// dfa caches the matcher's transitions between whole states (sets of
// parse stacks), built lazily as masks are computed: a walk of the token
// trie then mostly follows table entries instead of stepping each stack.
type dfa struct {
	states [][]item
	index  map[string]int32
	next   [][256]int32 // 0: not computed; -1: dead; k+1: state k
	key    []byte
}

// maxDFAStates bounds the cache (each state costs 1 KiB of table).
const maxDFAStates = 1 << 14

// id interns a state.
func (d *dfa) id(items []item) int32 {
	d.key = d.key[:0]
	for _, it := range items {
		d.key = binary.LittleEndian.AppendUint32(d.key, uint32(it.node))
		d.key = binary.LittleEndian.AppendUint32(d.key, it.partial)
	}
	if id, ok := d.index[string(d.key)]; ok {
		return id
	}
	if d.index == nil {
		d.index = map[string]int32{}
	}
	id := int32(len(d.states))
	d.index[string(d.key)] = id
	d.states = append(d.states, append([]item(nil), items...))
	d.next = append(d.next, [256]int32{})
	return id
}

// step returns the state after byte b from state id, or -1.
func (d *dfa) step(s *stacks, id int32, b byte, scratch []item) (int32, []item) {
	if v := d.next[id][b]; v != 0 {
		if v < 0 {
			return -1, scratch
		}
		return v - 1, scratch
	}
	scratch = s.step(d.states[id], b, scratch[:0])
	if len(scratch) == 0 {
		d.next[id][b] = -1
		return -1, scratch
	}
	n := d.id(scratch)
	d.next[id][b] = n + 1
	return n, scratch
}

// trim empties the cache when it has grown too large.
func (d *dfa) trim() {
	if len(d.states) > maxDFAStates {
		*d = dfa{}
	}
}
