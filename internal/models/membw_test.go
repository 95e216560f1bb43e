package models

import (
	"math"
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
	if _, err := MeasureBandwidth(100, time.Millisecond); err == nil {
		t.Error("a 100-byte buffer was accepted")
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
