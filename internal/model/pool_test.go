package model

import (
	"sync/atomic"
	"testing"
	"time"
)

type countTask struct {
	parts [8]atomic.Int64
	total atomic.Int64
}

func (c *countTask) Run(part, parts int) {
	c.parts[part].Add(1)
	c.total.Add(int64(parts))
}

func TestPoolRunsEveryPartOnce(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8} {
		p := NewPool(n)
		var c countTask
		const runs = 2000
		for i := range runs {
			if i == runs/2 {
				time.Sleep(20 * time.Millisecond) // let the workers park
			}
			p.Run(&c)
		}
		p.Close()
		for part := range n {
			if got := c.parts[part].Load(); got != runs {
				t.Errorf("pool of %d: part %d ran %d times, want %d", n, part, got, runs)
			}
		}
		if got := c.total.Load(); got != int64(runs*n*n) {
			t.Errorf("pool of %d: parts saw %d in total, want %d", n, got, runs*n*n)
		}
	}
}

// A worker that is not running (not scheduled, say) must not hold up a
// task it has not started: the caller runs the parts nobody claimed.
func TestPoolCallerRunsUnclaimedParts(t *testing.T) {
	for _, n := range []int{2, 3, 8} {
		p := newPool(n) // no workers at all
		var c countTask
		const runs = 10
		for range runs {
			p.Run(&c)
		}
		for part := range n {
			if got := c.parts[part].Load(); got != runs {
				t.Errorf("pool of %d without workers: part %d ran %d times, want %d", n, part, got, runs)
			}
		}
	}
}

func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	var c countTask
	for b.Loop() {
		p.Run(&c)
	}
}
