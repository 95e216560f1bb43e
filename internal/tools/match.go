package tools

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// replacement is one old_string → new_string edit.
type replacement struct {
	Old        string `json:"old_string"`
	New        string `json:"new_string"`
	ReplaceAll bool   `json:"replace_all"`
}

// editResult tells where an edit landed.
type editResult struct {
	count       int  // replacements made
	first, last int  // 1-based lines of the first replacement, in the new text
	fuzzy       bool // matched ignoring whitespace
}

// errNotFound marks an old_string that matches nowhere.
var errNotFound = errors.New("not found")

// applyReplacement applies one edit to content (with "\n" line ends):
// first an exact match; then, line by line, a match that ignores
// differences of whitespace (indentation, trailing spaces), re-indenting
// new_string to the file's indentation; then the same after stripping line
// numbers copied from read's output. The old text must match once unless
// ReplaceAll. A failure is a sentence for the model; when nothing matches,
// it shows the closest region of the file with line numbers.
func applyReplacement(content string, e replacement) (string, editResult, error) {
	if e.Old == "" {
		return "", editResult{}, errors.New("old_string is empty. Put the exact text to replace in old_string (include a nearby line to add text after it); to create a file or replace all of it, use write")
	}
	if e.Old == e.New {
		return "", editResult{}, errors.New("old_string and new_string are the same, so there is nothing to change")
	}
	if out, res, err := replaceExact(content, e); !errors.Is(err, errNotFound) {
		return out, res, err
	}
	if out, res, err := replaceFuzzy(content, e); !errors.Is(err, errNotFound) {
		return out, res, err
	}
	if old, ok := stripLineNumbers(e.Old); ok {
		e2 := e
		e2.Old = old
		if nw, ok := stripLineNumbers(e.New); ok {
			e2.New = nw
		}
		if out, res, err := replaceExact(content, e2); !errors.Is(err, errNotFound) {
			return out, res, err
		}
		if out, res, err := replaceFuzzy(content, e2); !errors.Is(err, errNotFound) {
			return out, res, err
		}
	}
	return "", editResult{}, notFound(content, e.Old)
}

func replaceExact(content string, e replacement) (string, editResult, error) {
	var idx []int
	for off := 0; ; {
		i := strings.Index(content[off:], e.Old)
		if i < 0 {
			break
		}
		idx = append(idx, off+i)
		off += i + len(e.Old)
	}
	if len(idx) == 0 {
		return "", editResult{}, errNotFound
	}
	if len(idx) > 1 && !e.ReplaceAll {
		lines := make([]int, len(idx))
		for i, at := range idx {
			lines[i] = lineAt(content, at)
		}
		return "", editResult{}, ambiguous(len(idx), lines)
	}
	var sb strings.Builder
	prev := 0
	res := editResult{count: len(idx)}
	for i, at := range idx {
		sb.WriteString(content[prev:at])
		if i == 0 {
			res.first = lineAt(sb.String(), sb.Len())
			res.last = res.first + strings.Count(e.New, "\n")
		}
		sb.WriteString(e.New)
		prev = at + len(e.Old)
	}
	sb.WriteString(content[prev:])
	return sb.String(), res, nil
}

// lineAt returns the 1-based line of byte offset at.
func lineAt(s string, at int) int {
	return strings.Count(s[:at], "\n") + 1
}

func ambiguous(n int, lines []int) error {
	ls := make([]string, len(lines))
	for i, l := range lines {
		ls[i] = fmt.Sprint(l)
	}
	return fmt.Errorf("old_string matches %d places (lines %s). Add more of the surrounding lines to old_string so it matches only one place, or set replace_all to true to change every one", n, strings.Join(ls, ", "))
}

// normLine collapses the whitespace of a line for the tolerant match.
func normLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// replaceFuzzy matches old_string's lines against whole lines of content,
// ignoring differences of whitespace.
func replaceFuzzy(content string, e replacement) (string, editResult, error) {
	oldLines := strings.Split(strings.Trim(e.Old, "\n"), "\n")
	if len(oldLines) == 0 || normLine(strings.Join(oldLines, " ")) == "" {
		return "", editResult{}, errNotFound
	}
	want := make([]string, len(oldLines))
	for i, l := range oldLines {
		want[i] = normLine(l)
	}
	lines := splitLines(content)
	starts := findLineRuns(lines, want)
	if len(starts) == 0 {
		return "", editResult{}, errNotFound
	}
	if len(starts) > 1 && !e.ReplaceAll {
		ls := make([]int, len(starts))
		for i, s := range starts {
			ls[i] = s + 1
		}
		return "", editResult{}, ambiguous(len(starts), ls)
	}
	var sb strings.Builder
	res := editResult{count: len(starts), fuzzy: true}
	next := 0
	outLine := 0
	for n, w := range starts {
		for _, l := range lines[next:w] {
			sb.WriteString(l)
			outLine++
		}
		region := lines[w : w+len(want)]
		newText := newReindenter(oldLines, region).text(strings.Trim(e.New, "\n"))
		endsNL := strings.HasSuffix(region[len(region)-1], "\n")
		if n == 0 {
			res.first = outLine + 1
		}
		if newText != "" || strings.Trim(e.New, "\n") != "" {
			sb.WriteString(newText)
			if endsNL {
				sb.WriteString("\n")
			}
			added := strings.Count(newText, "\n") + 1
			if n == 0 {
				res.last = outLine + added
			}
			outLine += added
		} else if n == 0 {
			res.last = res.first
		}
		next = w + len(want)
	}
	for _, l := range lines[next:] {
		sb.WriteString(l)
	}
	return sb.String(), res, nil
}

// findLineRuns returns the starts of the non-overlapping runs of lines
// whose normalized text is want, in order. Lines are interned to integers
// and searched with Knuth-Morris-Pratt, so the cost is linear.
func findLineRuns(lines, want []string) []int {
	ids := map[string]int{}
	wantIDs := make([]int, len(want))
	for i, w := range want {
		id, ok := ids[w]
		if !ok {
			id = len(ids)
			ids[w] = id
		}
		wantIDs[i] = id
	}
	// fail[i] is the length of the longest proper border of want[:i+1].
	fail := make([]int, len(wantIDs))
	for i, k := 1, 0; i < len(wantIDs); i++ {
		for k > 0 && wantIDs[i] != wantIDs[k] {
			k = fail[k-1]
		}
		if wantIDs[i] == wantIDs[k] {
			k++
		}
		fail[i] = k
	}
	var starts []int
	k := 0
	for i, l := range lines {
		id, ok := ids[normLine(l)]
		if !ok {
			id = -1
		}
		for k > 0 && id != wantIDs[k] {
			k = fail[k-1]
		}
		if id == wantIDs[k] {
			k++
		}
		if k == len(wantIDs) {
			starts = append(starts, i-k+1)
			k = 0 // runs do not overlap
		}
	}
	return starts
}

// leading returns the leading whitespace of a line.
func leading(l string) string {
	return l[:len(l)-len(strings.TrimLeft(l, " \t"))]
}

// indentUnit guesses one level of indentation from a set of lines: a tab
// when they indent with tabs, else the smallest step between their
// widths in spaces; def when there is nothing to go on.
func indentUnit(lines []string, def string) string {
	step := 0
	widths := map[int]bool{0: true}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ind := leading(l)
		if strings.Contains(ind, "\t") {
			return "\t"
		}
		widths[len(ind)] = true
	}
	ws := make([]int, 0, len(widths))
	for w := range widths {
		ws = append(ws, w)
	}
	sort.Ints(ws)
	for i := 1; i < len(ws); i++ {
		if d := ws[i] - ws[i-1]; step == 0 || d < step {
			step = d
		}
	}
	if step == 0 {
		return def
	}
	return strings.Repeat(" ", step)
}

// reindenter maps the indentation of the model's text to the file's,
// learning from the lines of old_string and the file lines they matched.
type reindenter struct {
	pairs     map[string]string // model indent → file indent
	modelUnit string
	fileUnit  string
}

func newReindenter(oldLines, fileLines []string) *reindenter {
	r := &reindenter{pairs: map[string]string{}}
	for i := range oldLines {
		if i < len(fileLines) && strings.TrimSpace(oldLines[i]) != "" {
			if _, seen := r.pairs[leading(oldLines[i])]; !seen {
				r.pairs[leading(oldLines[i])] = leading(fileLines[i])
			}
		}
	}
	r.fileUnit = indentUnit(fileLines, "\t")
	r.modelUnit = indentUnit(oldLines, r.fileUnit)
	return r
}

// line re-indents one line of new_string.
func (r *reindenter) line(l string) string {
	if strings.TrimSpace(l) == "" {
		return l
	}
	ind, body := leading(l), strings.TrimLeft(l, " \t")
	if to, ok := r.pairs[ind]; ok {
		return to + body
	}
	// The longest known indentation this one extends, then units.
	best := ""
	found := false
	for m := range r.pairs {
		if strings.HasPrefix(ind, m) && (!found || len(m) > len(best)) {
			best, found = m, true
		}
	}
	if !found {
		return l
	}
	rest := ind[len(best):]
	var levels int
	if r.modelUnit != "" && rest == strings.Repeat(r.modelUnit, len(rest)/len(r.modelUnit)) {
		levels = len(rest) / len(r.modelUnit)
	} else {
		return r.pairs[best] + rest + body
	}
	return r.pairs[best] + strings.Repeat(r.fileUnit, levels) + body
}

// reindent re-indents text, line by line.
func (r *reindenter) text(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = r.line(l)
	}
	return strings.Join(lines, "\n")
}

// lineNumberPrefix is the prefix read puts before each line.
var lineNumberPrefix = regexp.MustCompile(`^\s*\d+(\t|→| \| |: )`)

// stripLineNumbers removes line numbers copied from read's output, when
// every non-blank line has one.
func stripLineNumbers(s string) (string, bool) {
	lines := strings.Split(s, "\n")
	found := false
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		loc := lineNumberPrefix.FindStringIndex(l)
		if loc == nil {
			return s, false
		}
		lines[i] = l[loc[1]:]
		found = true
	}
	return strings.Join(lines, "\n"), found
}

// notFound explains a failed match with the closest region of the file.
func notFound(content, old string) error {
	lines := splitLines(content)
	oldLines := strings.Split(strings.Trim(old, "\n"), "\n")
	if len(lines) == 0 {
		return errors.New("old_string was not found: the file is empty. Use write to give it content")
	}
	start, score := closestRegion(lines, oldLines)
	k := min(len(oldLines), len(lines)-start)
	var sb strings.Builder
	sb.WriteString("old_string was not found in the file")
	if score < 0.35 {
		sb.WriteString(", and no part of the file looks like it. Read the file to see its current text, then try again with text copied exactly from it")
		return errors.New(sb.String())
	}
	from, to := max(start-2, 0), min(start+k+2, len(lines))
	fmt.Fprintf(&sb, ". The closest text is at %s (%.0f%% similar); here it is with two lines around it:\n", lineRange(start+1, start+k), score*100)
	sb.WriteString(numbered(lines[from:to], from+1))
	for i := 0; i < k; i++ {
		if normLine(lines[start+i]) != normLine(oldLines[i]) {
			fmt.Fprintf(&sb, "The first difference is at line %d: the file has %q but old_string has %q.\n",
				start+i+1, strings.TrimRight(lines[start+i], "\r\n"), oldLines[i])
			break
		}
	}
	sb.WriteString("Copy the text exactly as the file has it (without the line numbers and the tab) into old_string and try again")
	return errors.New(sb.String())
}

// closestRegion finds the window of len(old) lines most like old, scoring
// each pair of lines by the Dice coefficient of their byte bigrams.
func closestRegion(lines, old []string) (int, float64) {
	k := min(len(old), len(lines))
	fileGrams := make([][]uint16, len(lines))
	for i, l := range lines {
		fileGrams[i] = bigrams(normLine(l))
	}
	oldGrams := make([][]uint16, len(old))
	for i, l := range old {
		oldGrams[i] = bigrams(normLine(l))
	}
	// Score at most 32 lines of old, spread over it, so the cost stays
	// linear in the file's length.
	sample := make([]int, 0, 32)
	if k <= 32 {
		for i := range k {
			sample = append(sample, i)
		}
	} else {
		for j := range 32 {
			sample = append(sample, j*(k-1)/31)
		}
	}
	best, bestScore := 0, -1.0
	for w := 0; w+k <= len(lines); w++ {
		sum := 0.0
		for _, i := range sample {
			sum += dice(fileGrams[w+i], oldGrams[i])
		}
		if s := sum / float64(len(sample)) * float64(k) / float64(len(old)); s > bestScore {
			best, bestScore = w, s
		}
	}
	return best, bestScore
}

// bigrams returns the sorted distinct byte pairs of s.
func bigrams(s string) []uint16 {
	if len(s) < 2 {
		if s == "" {
			return nil
		}
		return []uint16{uint16(s[0])}
	}
	gs := make([]uint16, 0, len(s)-1)
	for i := 0; i+1 < len(s); i++ {
		gs = append(gs, uint16(s[i])<<8|uint16(s[i+1]))
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
	out := gs[:0]
	for i, g := range gs {
		if i == 0 || g != gs[i-1] {
			out = append(out, g)
		}
	}
	return out
}

func dice(a, b []uint16) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// lineRange formats "line 5" or "lines 5-9".
func lineRange(from, to int) string {
	if from == to {
		return fmt.Sprintf("line %d", from)
	}
	return fmt.Sprintf("lines %d-%d", from, to)
}

// plural formats a count with a noun: "1 line", "2 lines".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
