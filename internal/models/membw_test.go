package models

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestMeasureBandwidthRuns(t *testing.T) {
	bw, err := MeasureBandwidth(8<<20, 8*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// No speed target (the machine may be busy): only a sane number.
	if !(bw > 1e6) || math.IsInf(bw, 0) {
		t.Errorf("bandwidth = %g bytes/s", bw)
	}
	// A buffer of one block: one core reads it.
	if bw, err := MeasureBandwidth(readBlock, time.Millisecond); err != nil || !(bw > 0) {
		t.Errorf("one-block buffer: %g, %v", bw, err)
	}
	if _, err := MeasureBandwidth(100, time.Millisecond); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("a 100-byte buffer: %v", err)
	}
}

func TestTouchLines(t *testing.T) {
	b := make([]byte, 16*cacheLine)
	for i := range 16 {
		b[i*cacheLine] = byte(i + 1)
		b[i*cacheLine+8] = 0xff // not the first word of its line: not read
	}
	if got := touchLines(b); got != 136 {
		t.Errorf("touchLines = %d, want 1+2+…+16 = 136", got)
	}
}

func BenchmarkMeasureBandwidth(b *testing.B) {
	for b.Loop() {
		bw, err := MeasureBandwidth(BandwidthBuffer, BandwidthTime)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(bw/1e9, "GB/s")
	}
}
