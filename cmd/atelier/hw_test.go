package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/atelier-dev/atelier/internal/models"
)

func TestHW(t *testing.T) {
	t.Setenv("ATELIER_MODELS", t.TempDir())
	for _, tc := range []struct {
		args []string
		how  string
	}{
		{[]string{"hw", "--quick"}, "estimated from the platform"},
		{[]string{"hw", "--min-speed", "5"}, "measured: all cores reading from memory"},
	} {
		code, out, errs := runModelsCmd(tc.args...)
		for _, want := range []string{"cpu:", "memory:", "disk:", "bandwidth:", tc.how, "qwen2.5-coder:1.5b-q4_k_m", "AT 32K", "GENERATE", "tok/s"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q (exit %d)\n%s%s", tc.args, want, code, out, errs)
			}
		}
	}
	for _, args := range [][]string{{"hw", "--min-speed", "-1"}, {"hw", "now"}} {
		if code, _, errs := runModelsCmd(args...); code == 0 || !strings.Contains(errs, "usage: atelier") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestHWReport pins the report's recommendation and speeds for a fake
// 2-core machine with plenty of memory (see models.TestRecommendPinned for
// the arithmetic).
func TestHWReport(t *testing.T) {
	const gib = 1 << 30
	vm := models.Machine{OS: "linux", Arch: "amd64", RAMTotal: 24 * gib, RAMAvailable: 22 * gib,
		PhysicalCores: 2, LogicalCores: 2, SIMD: []string{"AVX2", "FMA"}, Bandwidth: 12e9, ModelsDir: "/models"}
	for _, tc := range []struct {
		policy models.Policy
		best   string
		lines  [][]string
	}{
		{models.DefaultPolicy(), "llama3.2:1b-q4_k_m", [][]string{
			{"bandwidth: 12.00 GB/s, measured"},
			{"llama3.2:1b-q4_k_m", "~12 tok/s", "<- best fit"},
			{"qwen2.5-coder:1.5b-q4_k_m", "~9.7 tok/s", "~47 tok/s"},
			{"should generate at least 10 tokens/s (about 12 expected)."},
		}},
		{models.Policy{}, "qwen2.5-coder:14b-q4_k_m", [][]string{
			{"qwen2.5-coder:14b-q4_k_m", "~1.1 tok/s", "<- best fit"},
		}},
	} {
		var out bytes.Buffer
		printMachine(stdio{nil, &out, &out}, vm, tc.policy)
		if !strings.Contains(out.String(), "Best fit: atelier pull "+tc.best+"\n") || strings.Count(out.String(), "<- best fit") != 1 {
			t.Errorf("policy %+v: best fit is not %s:\n%s", tc.policy, tc.best, out.String())
		}
		for _, words := range tc.lines {
			if !lineHasAll(out.String(), words...) {
				t.Errorf("policy %+v: no line with %q:\n%s", tc.policy, words, out.String())
			}
		}
	}
}

func TestHWFirstRunAdvice(t *testing.T) {
	t.Setenv("ATELIER_MODELS", t.TempDir())
	var out, errs bytes.Buffer
	firstRunAdvice(stdio{strings.NewReader(""), &out, &errs})
	for _, want := range []string{"atelier has no model yet", "memory:", "bandwidth:", "atelier pull ", "atelier --model NAME"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first-run advice lacks %q:\n%s%s", want, out.String(), errs.String())
		}
	}
}
