package models

import (
	"errors"
	"math"
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

	// Memory alone (no speed asked for).
	var best []string
	for _, r := range (Policy{}).FitTable(laptop) {
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

func TestDetectRuns(t *testing.T) {
	m := Detect(t.TempDir())
	if m.LogicalCores < 1 || m.PhysicalCores < 1 || m.OS == "" {
		t.Errorf("Detect = %+v", m)
	}
}

const gib = 1 << 30

// vm2 is a 2-core virtual machine with plenty of memory: the memory alone
// would have it run qwen2.5-coder:14b at a couple of tokens per second.
var vm2 = Machine{OS: "linux", Arch: "amd64", RAMTotal: 24 * gib, RAMAvailable: 22 * gib,
	PhysicalCores: 2, LogicalCores: 2, SIMD: []string{"AVX2", "FMA"}, Bandwidth: 12e9}

// TestRecommendPinned pins the recommendation for fake machines (memory,
// cores and bandwidth given); the reasons are worked out by hand.
func TestRecommendPinned(t *testing.T) {
	for _, tc := range []struct {
		name   string
		m      Machine
		policy Policy
		want   string
		fast   bool
	}{
		// 0.8 × 12 GB/s / 10 tok/s: files up to 0.96 GB. The most
		// parameters among them: llama3.2:1b (1.24B) at Q4_K_M (808 MB).
		{"2-core VM, 24 GiB", vm2, DefaultPolicy(), "llama3.2:1b-q4_k_m", true},
		// At 5 tok/s, files up to 1.92 GB: qwen3:1.7b (1.72B) beats
		// qwen2.5-coder:1.5b (1.54B); its Q8_0 (2.17 GB) is too slow.
		{"2-core VM, 5 tok/s asked", vm2, Policy{MinGenTPS: 5}, "qwen3:1.7b-q4_k_m", true},
		// No speed asked: the memory alone decides (22 GiB less 2.4 GiB
		// headroom leaves no room for 14b-q8_0's 22.3 GB at 32K).
		{"2-core VM, no speed asked", vm2, Policy{}, "qwen2.5-coder:14b-q4_k_m", true},
		// 0.8 × 50 GB/s / 10: files up to 4 GB. qwen3:4b (4.02B) is the
		// largest model under it; qwen2.5-coder:7b-q4_k_m (4.68 GB) is not.
		{"8-core desktop, 32 GiB", Machine{OS: "linux", Arch: "amd64", RAMTotal: 32 * gib, RAMAvailable: 26 * gib,
			PhysicalCores: 8, LogicalCores: 16, SIMD: []string{"AVX2"}, Bandwidth: 50e9}, DefaultPolicy(), "qwen3:4b-q4_k_m", true},
		// 0.8 × 200 GB/s / 10: files up to 16 GB, so qwen2.5-coder:14b at
		// Q8_0 (15.7 GB), which fits 60 GiB at 32K.
		{"workstation, 64 GiB", Machine{OS: "linux", Arch: "amd64", RAMTotal: 64 * gib, RAMAvailable: 60 * gib,
			PhysicalCores: 16, LogicalCores: 32, SIMD: []string{"AVX-512F"}, Bandwidth: 200e9}, DefaultPolicy(), "qwen2.5-coder:14b-q8_0", true},
		// Nothing reaches 10 tok/s at 3 GB/s: the fastest that fits at 32K
		// (qwen3:0.6b's smaller file needs 3.8 GB of KV cache there).
		{"slow single core", Machine{OS: "linux", Arch: "amd64", RAMTotal: 4 * gib, RAMAvailable: 3 * gib,
			PhysicalCores: 1, LogicalCores: 1, Bandwidth: 3e9}, DefaultPolicy(), "qwen2.5-coder:0.5b-q4_k_m", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var best []FitRow
			for _, r := range tc.policy.FitTable(tc.m) {
				if r.Best {
					best = append(best, r)
				}
				if r.Fast != (r.Speed.Generate >= tc.policy.MinGenTPS) {
					t.Errorf("%s: Fast = %v at %.1f tok/s", r.Model.Tag(r.File), r.Fast, r.Speed.Generate)
				}
			}
			if len(best) != 1 {
				t.Fatalf("%d best rows, want 1", len(best))
			}
			if got := best[0].Model.Tag(best[0].File); got != tc.want || best[0].Fast != tc.fast {
				t.Errorf("best = %s (fast %v, %.1f tok/s), want %s (fast %v)", got, best[0].Fast, best[0].Speed.Generate, tc.want, tc.fast)
			}
		})
	}
}

func TestEstimateSpeed(t *testing.T) {
	m, f, err := Lookup("qwen2.5-coder:1.5b")
	if err != nil {
		t.Fatal(err)
	}
	// 28 × (1536·1536·2 + 1536·256·2 + 3·1536·8960) + 151936·1536
	if p := m.Shape.Params(); p != 1_543_569_408 {
		t.Errorf("params = %d", p)
	}
	sp := EstimateSpeed(vm2, m.Shape, f.Size)
	// 0.8 × 12e9 / 986e6
	if want := 9.736; math.Abs(sp.Generate-want) > 0.001 {
		t.Errorf("generation = %.3f tok/s, want %.3f", sp.Generate, want)
	}
	// 2 cores × 8 lanes × 2 × 3 GHz × PromptEfficiency / (2 × params)
	if want := 2 * 8 * 2 * AssumedClockHz * PromptEfficiency / (2 * 1_543_569_408); math.Abs(sp.Prompt-want) > 1e-9 {
		t.Errorf("prompt = %.3f tok/s, want %.3f", sp.Prompt, want)
	}
	// Twice the cores, twice the prompt speed; the bandwidth is the same.
	vm4 := vm2
	vm4.PhysicalCores = 4
	if sp4 := EstimateSpeed(vm4, m.Shape, f.Size); sp4.Generate != sp.Generate || math.Abs(sp4.Prompt-2*sp.Prompt) > 1e-9 {
		t.Errorf("4 cores: %+v against 2 cores: %+v", sp4, sp)
	}
}

func TestSIMDBits(t *testing.T) {
	for _, tc := range []struct {
		simd []string
		want int
	}{
		{nil, 64},
		{[]string{"SSE3", "SSE4.2"}, 128},
		{[]string{"NEON", "DOTPROD"}, 128},
		{[]string{"avx2", "fma"}, 256},
		{[]string{"AVX2", "AVX-512F", "AVX-512BW"}, 512},
	} {
		if got := (Machine{SIMD: tc.simd}).SIMDBits(); got != tc.want {
			t.Errorf("SIMDBits(%v) = %d, want %d", tc.simd, got, tc.want)
		}
	}
}

func TestPlatformBandwidth(t *testing.T) {
	for _, tc := range []struct {
		m    Machine
		want float64
	}{
		{Machine{OS: "linux", Arch: "amd64", PhysicalCores: 2}, 16e9},
		{Machine{OS: "linux", Arch: "amd64", PhysicalCores: 8}, 40e9}, // two channels' worth
		{Machine{OS: "linux", Arch: "amd64", PhysicalCores: 32}, 120e9},
		{Machine{OS: "linux", Arch: "arm64", LogicalCores: 4}, 32e9},
		{Machine{OS: "darwin", Arch: "arm64", CPUModel: "Apple M2 Max"}, 200e9},
		{Machine{OS: "darwin", Arch: "arm64", CPUModel: "Apple M1"}, 60e9},
		{Machine{}, 4e9},
	} {
		if got := PlatformBandwidth(tc.m); got != tc.want {
			t.Errorf("PlatformBandwidth(%+v) = %g, want %g", tc.m, got, tc.want)
		}
		if bw, measured := tc.m.MemBandwidth(); measured || bw != tc.want {
			t.Errorf("MemBandwidth of an unmeasured machine = %g, %v", bw, measured)
		}
	}
	if bw, measured := vm2.MemBandwidth(); !measured || bw != 12e9 {
		t.Errorf("MemBandwidth of a measured machine = %g, %v", bw, measured)
	}
}

func TestWhy(t *testing.T) {
	for _, tc := range []struct {
		m      Machine
		policy Policy
		words  string
	}{
		{vm2, DefaultPolicy(), "fits this machine's memory at 32K context and should generate at least 10 tokens/s (about 12 expected)"},
		{Machine{RAMTotal: 4 * gib, RAMAvailable: 3 * gib, Bandwidth: 3e9}, DefaultPolicy(), "the fastest tool-capable model that fits this machine's memory at 32K context; expect about 5 tokens/s"},
		{vm2, Policy{}, "the most capable tool-capable model that fits this machine's memory at 32K context"},
	} {
		var why string
		for _, r := range tc.policy.FitTable(tc.m) {
			if r.Best {
				why = tc.policy.Why(r)
			}
		}
		if !strings.Contains(why, tc.words) {
			t.Errorf("Why = %q, want it to say %q", why, tc.words)
		}
	}
}
