package models

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEstimatePinned pins the memory estimate for three catalog models; the
// figures were worked out by hand from the formula in fit.go.
func TestEstimatePinned(t *testing.T) {
	for _, tc := range []struct {
		tag                         string
		ctx                         int
		weights, kv, compute, total int64
	}{
		// 2 × 28 layers × 2 KV heads × 128 × 32768 × 2 bytes = 939524096
		{"qwen2.5-coder:1.5b", 32768, 986_000_000, 939_524_096, 182_011_392, 2_107_535_488},
		// 2 × 28 × 4 × 128 × 8192 × 2 = 469762048
		{"qwen2.5-coder:7b", 8192, 4_680_000_000, 469_762_048, 186_206_208, 5_335_968_256},
		// 2 × 16 × 8 × 64 × 32768 × 2 = 1073741824
		{"llama3.2:1b-q8_0", 32768, 1_320_000_000, 1_073_741_824, 182_965_248, 2_576_707_072},
	} {
		m, f, err := Lookup(tc.tag)
		if err != nil {
			t.Fatal(err)
		}
		n := Estimate(m.Shape, f.Size, tc.ctx)
		if n.Weights != tc.weights || n.KV != tc.kv || n.Compute != tc.compute || n.Total() != tc.total {
			t.Errorf("%s at %d: %+v total %d; want weights %d kv %d compute %d total %d",
				tc.tag, tc.ctx, n, n.Total(), tc.weights, tc.kv, tc.compute, tc.total)
		}
	}
}

func TestJudgeAndBest(t *testing.T) {
	const gib = 1 << 30
	laptop := Machine{RAMTotal: 8 * gib, RAMAvailable: 5 * gib}
	if h := laptop.Headroom(); h != gib {
		t.Errorf("headroom of 8 GiB = %d, want 1 GiB", h)
	}
	big := Machine{RAMTotal: 64 * gib, RAMAvailable: 60 * gib}
	if h := big.Headroom(); h != 6871947673 {
		t.Errorf("headroom of 64 GiB = %d, want 10%%", h)
	}
	for _, tc := range []struct {
		m     Machine
		tag   string
		ctx   int
		want  Verdict
		words string
	}{
		{laptop, "qwen2.5-coder:1.5b", 32768, Fits, ""},
		{laptop, "qwen2.5-coder:7b", 32768, TooBig, "needs about 6.80 GB at 32K context"},
		{Machine{RAMTotal: 8 * gib, RAMAvailable: 5.5 * gib}, "qwen2.5-coder:7b", 8192, Tight, "leaves 1.07 GB to the system"},
		{Machine{}, "qwen2.5-coder:14b", 32768, Unknown, ""},
	} {
		m, f, _ := Lookup(tc.tag)
		n := Estimate(m.Shape, f.Size, tc.ctx)
		if got := tc.m.Judge(n); got != tc.want {
			t.Errorf("%s at %d on %+v: %v, want %v", tc.tag, tc.ctx, tc.m, got, tc.want)
		}
		err := CheckFit(tc.m, tc.tag, n)
		if tc.words == "" {
			if err != nil {
				t.Errorf("CheckFit(%s) = %v", tc.tag, err)
			}
		} else if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("CheckFit(%s) = %v, want ErrTooBig saying %q", tc.tag, err, tc.words)
		}
	}

	var best []string
	for _, r := range FitTable(laptop) {
		if r.Best {
			best = append(best, r.Model.Tag(r.File))
		}
		if r.Model.Shape.Context < 32768 && r.Need[1].Context != 0 {
			t.Errorf("%s checked at 32K beyond its %d context", r.Model.Name, r.Model.Shape.Context)
		}
	}
	// 5 GiB available less 1 GiB: 4.29 GB. qwen3:4b-q4_k_m (2.5 GB + 4.8 GB
	// KV at 32K) does not fit at 32K; qwen2.5-coder:3b-q4_k_m (2.1 GB +
	// 1.2 GB KV) does, and is the largest that does.
	if len(best) != 1 || best[0] != "qwen2.5-coder:3b-q4_k_m" {
		t.Errorf("best fit on a 5 GiB-free laptop = %v", best)
	}
	for _, r := range FitTable(Machine{}) {
		if r.Best {
			t.Error("a best fit was marked with unknown memory")
		}
	}
}

func TestParseMeminfo(t *testing.T) {
	total, avail := parseMeminfo([]byte("MemTotal:       16318480 kB\nMemFree:          512000 kB\nMemAvailable:    9000000 kB\nBuffers: 1 kB\n"))
	if total != 16318480*1024 || avail != 9000000*1024 {
		t.Errorf("got %d %d", total, avail)
	}
	_, avail = parseMeminfo([]byte("MemTotal: 100 kB\nMemFree: 10 kB\nCached: 20 kB\nBuffers: 5 kB\n"))
	if avail != 35*1024 {
		t.Errorf("old-kernel available = %d", avail)
	}
}

func TestParseCPUInfo(t *testing.T) {
	var b strings.Builder
	// 2 sockets × 2 cores × 2 threads.
	for i := range 8 {
		b.WriteString("processor\t: " + string(rune('0'+i)) + "\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n")
		b.WriteString("physical id\t: " + string(rune('0'+i/4)) + "\ncore id\t\t: " + string(rune('0'+i/2%2)) + "\n\n")
	}
	model, phys := parseCPUInfo([]byte(b.String()))
	if model != "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz" || phys != 4 {
		t.Errorf("got %q, %d physical cores", model, phys)
	}
}

func TestDetectGPUs(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		p = filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(s), 0o644)
	}
	write("nvidia/gpus/0000:01:00.0/information", "Model: \t\t NVIDIA GeForce RTX 3060\nIRQ: 130\n")
	write("drm/card0/device/vendor", "0x10de\n")
	write("drm/card1/device/vendor", "0x8086\n")
	write("drm/card0-HDMI-A-1/device/vendor", "0x10de\n")
	got := detectGPUs(filepath.Join(dir, "nvidia/gpus"), filepath.Join(dir, "drm"))
	want := "NVIDIA GeForce RTX 3060; Intel GPU (card1)"
	if strings.Join(got, "; ") != want {
		t.Errorf("GPUs = %q, want %q", got, want)
	}
	if got := detectGPUs(filepath.Join(dir, "none"), filepath.Join(dir, "none")); len(got) != 0 {
		t.Errorf("GPUs on a machine without = %q", got)
	}
}

func TestDetectRuns(t *testing.T) {
	m := Detect(t.TempDir())
	if m.LogicalCores < 1 || m.PhysicalCores < 1 || m.OS == "" {
		t.Errorf("Detect = %+v", m)
	}
}
