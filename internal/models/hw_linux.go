package models

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// detectSystem reads memory, CPU and GPU facts from /proc and /sys.
func detectSystem(m *Machine) {
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.RAMTotal, m.RAMAvailable = parseMeminfo(b)
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel, m.PhysicalCores = parseCPUInfo(b)
	}
	m.GPUs = detectGPUs("/proc/driver/nvidia/gpus", "/sys/class/drm")
}

// parseMeminfo returns MemTotal and MemAvailable in bytes (MemFree plus
// page cache on old kernels without MemAvailable).
func parseMeminfo(b []byte) (total, avail uint64) {
	kv := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		if len(f) > 1 && f[1] == "kB" {
			n *= 1024
		}
		kv[k] = n
	}
	total = kv["MemTotal"]
	avail, ok := kv["MemAvailable"]
	if !ok {
		avail = kv["MemFree"] + kv["Cached"] + kv["Buffers"]
	}
	return total, avail
}

// parseCPUInfo returns the CPU model and the number of physical cores
// (distinct physical id/core id pairs; 0 when the file does not say).
func parseCPUInfo(b []byte) (model string, physical int) {
	cores := map[string]bool{}
	var phys, core string
	flush := func() {
		if core != "" {
			cores[phys+"/"+core] = true
		}
		phys, core = "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name", "Model", "cpu model":
			if model == "" {
				model = v
			}
		case "physical id":
			phys = v
		case "core id":
			core = v
		}
	}
	flush()
	return model, len(cores)
}

// detectGPUs names NVIDIA GPUs from the driver's /proc files, and other
// display adapters from /sys/class/drm by PCI vendor.
func detectGPUs(nvidiaDir, drmDir string) []string {
	var out []string
	nv, _ := filepath.Glob(filepath.Join(nvidiaDir, "*", "information"))
	sort.Strings(nv)
	for _, p := range nv {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "Model" {
				name := strings.TrimSpace(v)
				if !strings.HasPrefix(name, "NVIDIA") {
					name = "NVIDIA " + name
				}
				out = append(out, name)
			}
		}
	}
	cards, _ := filepath.Glob(filepath.Join(drmDir, "card[0-9]*"))
	sort.Strings(cards)
	for _, c := range cards {
		if strings.Contains(filepath.Base(c), "-") {
			continue // a connector such as card0-HDMI-A-1
		}
		b, err := os.ReadFile(filepath.Join(c, "device", "vendor"))
		if err != nil {
			continue
		}
		vendor := map[string]string{"0x10de": "NVIDIA", "0x1002": "AMD", "0x8086": "Intel", "0x1af4": "virtio", "0x1234": "QEMU"}[strings.TrimSpace(string(b))]
		if vendor == "" {
			vendor = "unknown vendor " + strings.TrimSpace(string(b))
		}
		if vendor == "NVIDIA" && len(nv) > 0 {
			continue // already named above
		}
		out = append(out, vendor+" GPU ("+filepath.Base(c)+")")
	}
	return out
}
