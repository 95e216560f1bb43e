package tools

import (
	"fmt"
	"strings"
)

// opKind is one step of an edit script.
type opKind byte

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

// maxDiffCost bounds the Myers search; past it the changed middle is shown
// as all deleted then all inserted, which is correct if not minimal.
const maxDiffCost = 4000

// splitLines splits text into lines, each keeping its "\n".
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines returns the edit script turning a into b: for each step, its
// kind. Common prefix and suffix are trimmed first; the middle uses Myers'
// O(ND) algorithm.
func diffLines(a, b []string) []opKind {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]opKind, 0, len(a)+len(b))
	for range pre {
		ops = append(ops, opEqual)
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for range suf {
		ops = append(ops, opEqual)
	}
	return ops
}

func myers(a, b []string) []opKind {
	n, m := len(a), len(b)
	if n == 0 || m == 0 || n+m > 2*maxDiffCost*8 {
		return crudeScript(n, m)
	}
	// Intern the lines so comparisons are integer compares.
	ids := map[string]int{}
	intern := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := intern(a), intern(b)
	maxD := min(n+m, maxDiffCost)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int // trace[d] = v[off-d : off+d+1] after step d
	found := false
	for d := 0; d <= maxD && !found; d++ {
		for k := -d; k <= d; k += 2 {
			var i int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				i = v[off+k+1] // down: insertion
			} else {
				i = v[off+k-1] + 1 // right: deletion
			}
			j := i - k
			for i < n && j < m && x[i] == y[j] {
				i++
				j++
			}
			v[off+k] = i
			if i >= n && j >= m {
				found = true
			}
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
	}
	if !found {
		return crudeScript(n, m)
	}
	// Walk back from (n, m) collecting the script in reverse.
	var rev []opKind
	i, j := n, m
	for d := len(trace) - 1; d > 0; d-- {
		prev := trace[d-1] // k runs from -(d-1)
		get := func(k int) int { return prev[k+d-1] }
		k := i - j
		var pk int
		if k == -d || (k != d && get(k-1) < get(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		pi := get(pk)
		pj := pi - pk
		for i > pi && j > pj {
			rev = append(rev, opEqual)
			i--
			j--
		}
		if pk == k+1 {
			rev = append(rev, opInsert)
			j--
		} else {
			rev = append(rev, opDelete)
			i--
		}
	}
	for i > 0 && j > 0 {
		rev = append(rev, opEqual)
		i--
		j--
	}
	ops := make([]opKind, len(rev))
	for t, op := range rev {
		ops[len(rev)-1-t] = op
	}
	return ops
}

func crudeScript(n, m int) []opKind {
	ops := make([]opKind, 0, n+m)
	for range n {
		ops = append(ops, opDelete)
	}
	for range m {
		ops = append(ops, opInsert)
	}
	return ops
}

// UnifiedDiff returns a unified diff (three lines of context) turning
// before into after, with the given file names in its header; "" when they
// are equal.
func UnifiedDiff(oldName, newName string, before, after []byte) string {
	a, b := splitLines(string(before)), splitLines(string(after))
	ops := diffLines(a, b)
	const ctx = 3
	type line struct {
		op   opKind
		text string
		ai   int // index in a (for equal and delete)
		bi   int // index in b (for equal and insert)
	}
	var ls []line
	ai, bi := 0, 0
	for _, op := range ops {
		switch op {
		case opEqual:
			ls = append(ls, line{op, a[ai], ai, bi})
			ai++
			bi++
		case opDelete:
			ls = append(ls, line{op, a[ai], ai, bi})
			ai++
		case opInsert:
			ls = append(ls, line{op, b[bi], ai, bi})
			bi++
		}
	}
	var sb strings.Builder
	for i := 0; i < len(ls); {
		if ls[i].op == opEqual {
			i++
			continue
		}
		// A hunk: from ctx lines before this change to ctx lines after the
		// last change that is within 2*ctx of the previous one.
		start := max(i-ctx, 0)
		end := i
		for end < len(ls) {
			if ls[end].op != opEqual {
				end++
				continue
			}
			run := end
			for run < len(ls) && ls[run].op == opEqual {
				run++
			}
			if run == len(ls) || run-end > 2*ctx {
				end = min(end+ctx, len(ls))
				break
			}
			end = run
		}
		if sb.Len() == 0 {
			fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
		}
		aStart, bStart := ls[start].ai, ls[start].bi
		aCount, bCount := 0, 0
		for _, l := range ls[start:end] {
			if l.op != opInsert {
				aCount++
			}
			if l.op != opDelete {
				bCount++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
		for _, l := range ls[start:end] {
			mark := " "
			switch l.op {
			case opDelete:
				mark = "-"
			case opInsert:
				mark = "+"
			}
			sb.WriteString(mark)
			sb.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return sb.String()
}

func hunkRange(start, count int) string {
	if count == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if count == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}
