package gguf

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"
)

func TestReadResident(t *testing.T) {
	for _, size := range []int{1, 4096, hugePage - 1, hugePage, 3*hugePage + 12345, 9 << 20} {
		want := make([]byte, size)
		r := rand.New(rand.NewPCG(uint64(size), 1))
		for i := range want {
			want[i] = byte(r.Uint32())
		}
		path := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		data, release, err := readResident(f, size)
		f.Close()
		if err != nil || data == nil {
			t.Fatalf("size %d: %v (data %v)", size, err, data != nil)
		}
		if !bytes.Equal(data, want) {
			t.Errorf("size %d: the bytes read differ from the file's", size)
		}
		if p := uintptr(unsafe.Pointer(&data[0])); p%hugePage != 0 {
			t.Errorf("size %d: data at %#x, not aligned to a huge page", size, p)
		}
		if len(data) != size || cap(data) != size {
			t.Errorf("size %d: len %d cap %d", size, len(data), cap(data))
		}
		if err := release(); err != nil {
			t.Error(err)
		}
	}
}

func TestReadResidentShortFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := readResident(f, 10<<20); err == nil {
		t.Error("reading 10 MiB of a 100-byte file succeeded")
	}
}

func TestResidentPolicy(t *testing.T) {
	for _, c := range []struct {
		setting string
		want    bool
	}{
		{"always [madvise] never\n", true},
		{"[always] madvise never\n", true},
		{"always madvise [never]\n", false},
		{"", false},
	} {
		if got := thpUsable(c.setting); got != c.want {
			t.Errorf("thpUsable(%q) = %v", c.setting, got)
		}
	}
	for _, c := range []struct {
		meminfo string
		want    int64
		ok      bool
	}{
		{"MemTotal:       24684148 kB\nMemFree:        19022336 kB\nMemAvailable:   24172620 kB\n", 24172620 << 10, true},
		{"MemTotal:       24684148 kB\n", 0, false},
		{"MemAvailable: lots kB\n", 0, false},
	} {
		got, ok := memAvailable([]byte(c.meminfo))
		if got != c.want || ok != c.ok {
			t.Errorf("memAvailable(%q) = %d, %v; want %d, %v", c.meminfo, got, ok, c.want, c.ok)
		}
	}
}

// slowReader is a bytes.Reader that takes its time.
type slowReader struct {
	r     *bytes.Reader
	delay time.Duration
}

func (s slowReader) ReadAt(p []byte, off int64) (int, error) {
	time.Sleep(s.delay)
	return s.r.ReadAt(p, off)
}

func TestReadResidentGivesUpWhenSlow(t *testing.T) {
	src := make([]byte, 40<<20)
	src[12345] = 7
	limit := copyLimit{after: 10 * time.Millisecond, bytesPerSec: 1 << 30}
	data, release, err := readResidentFrom(slowReader{bytes.NewReader(src), 50 * time.Millisecond}, len(src), limit)
	if err != nil || data != nil || release != nil {
		t.Fatalf("a copy at ~160 MB/s against a floor of 1 GiB/s: data %v, err %v; want it abandoned", data != nil, err)
	}
	for _, c := range []struct {
		delay time.Duration
		limit copyLimit
	}{
		{0, copyLimit{after: time.Hour, bytesPerSec: 1 << 30}},
		{50 * time.Millisecond, copyLimit{}}, // from the disk: no limit
	} {
		data, release, err = readResidentFrom(slowReader{bytes.NewReader(src), c.delay}, len(src), c.limit)
		if err != nil || data == nil || data[12345] != 7 {
			t.Fatalf("delay %v, limit %+v: data %v, err %v; want the copy", c.delay, c.limit, data != nil, err)
		}
		release()
	}
}
