package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
