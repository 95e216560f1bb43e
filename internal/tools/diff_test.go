package tools

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"create", "", "x\ny\n", "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"delete all", "x\n", "", "--- old\n+++ new\n@@ -1 +0,0 @@\n-x\n"},
		{"change middle", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n",
			"--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n"},
		{"no newline at end", "a\nb", "a\nc", "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
			"--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+Y\n"},
	}
	for _, tt := range tests {
		if got := UnifiedDiff("old", "new", []byte(tt.before), []byte(tt.after)); got != tt.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tt.name, got, tt.want)
		}
	}
}

// applyUnified applies a unified diff made by UnifiedDiff to before.
func applyUnified(t *testing.T, before, diff string) string {
	t.Helper()
	src := splitLines(before)
	var out []string
	pos := 0
	lines := strings.SplitAfter(diff, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ "):
		case strings.HasPrefix(l, "@@ "):
			var a string
			fmt.Sscanf(l, "@@ -%s", &a)
			start, _ := strconv.Atoi(strings.Split(a, ",")[0])
			if strings.HasSuffix(a, ",0") {
				start++ // an empty range names the line before it
			}
			for pos < start-1 {
				out = append(out, src[pos])
				pos++
			}
		default:
			text := l[1:]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ':
				if src[pos] != text {
					t.Fatalf("context %q != %q", text, src[pos])
				}
				out = append(out, text)
				pos++
			case '-':
				if src[pos] != text {
					t.Fatalf("deleted %q != %q", text, src[pos])
				}
				pos++
			case '+':
				out = append(out, text)
			}
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, "")
}

func lcsLen(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// TestDiffRandom checks on random texts that the diff applies back and is
// minimal (its changed lines match the longest common subsequence).
func TestDiffRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		var sb strings.Builder
		for range r.IntN(30) {
			sb.WriteString(string(rune('a' + r.IntN(4))))
			sb.WriteString("\n")
		}
		if r.IntN(4) == 0 {
			sb.WriteString("end")
		}
		return sb.String()
	}
	for i := range 2000 {
		a, b := gen(), gen()
		d := UnifiedDiff("a", "b", []byte(a), []byte(b))
		if got := applyUnified(t, a, d); got != b {
			t.Fatalf("case %d: applying the diff gave %q, want %q\n%s", i, got, b, d)
		}
		al, bl := splitLines(a), splitLines(b)
		add, del := diffStat(d)
		if want := len(al) + len(bl) - 2*lcsLen(al, bl); add+del != want {
			t.Fatalf("case %d: %d changed lines, minimum %d\n%s", i, add+del, want, d)
		}
	}
}

func BenchmarkUnifiedDiff(b *testing.B) {
	var before, after strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&before, "line %d\n", i)
		if i%100 == 0 {
			fmt.Fprintf(&after, "changed %d\n", i)
		} else {
			fmt.Fprintf(&after, "line %d\n", i)
		}
	}
	x, y := []byte(before.String()), []byte(after.String())
	for b.Loop() {
		UnifiedDiff("a", "b", x, y)
	}
}
