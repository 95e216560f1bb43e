package model

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Task is work split into parts: Run(part, parts) does the part'th of
// parts shares. A task is a pointer to a struct kept by its owner, so
// handing it to the pool allocates nothing.
type Task interface {
	Run(part, parts int)
}

// spinTime is how long an idle worker polls for the next task before it
// parks: long enough to bridge every serial step between the tasks of a
// token, a sampler's pass over the logits included. A parked worker costs
// the caller a futex wake and the task the worker's wake-up latency, tens
// of microseconds on a virtual machine whose idle vCPU the host halts; a
// count of polls (the earlier bound, about 20 µs here) let the worker
// fall asleep about twice per layer while generating.
const spinTime = 250 * time.Microsecond

// Pool is a fixed set of goroutines that live as long as the model and run
// each Task in parallel, the calling goroutine taking part 0. Between tasks
// the workers spin briefly, then park; the caller waits for the parts by
// spinning too, so a task costs no system call while the model is busy.
//
// Parts 1..n−1 are claimed, not assigned: a worker takes the next unclaimed
// part when it wakes, and the caller, done with part 0, takes whatever no
// worker has started. So a worker the system has not scheduled (the
// machine is shared, or busy) delays a task only if it stopped inside a
// part, never by not having started; the tasks' own work claiming (rows,
// heads) keeps that remainder small.
type Pool struct {
	n       int
	task    Task
	gen     atomic.Uint64 // incremented for each task
	claimed atomic.Int64  // parts 1.. handed out for the current task
	pending atomic.Int64  // claimed parts not yet done
	closed  atomic.Bool

	mu       sync.Mutex
	wake     *sync.Cond
	sleeping atomic.Int32
	once     sync.Once
}

// NewPool returns a pool of n workers (n < 1 means the number of CPUs).
func NewPool(n int) *Pool {
	p := newPool(n)
	for i := 1; i < p.n; i++ {
		go p.worker()
	}
	return p
}

// newPool returns a pool of n parts without starting its workers.
func newPool(n int) *Pool {
	if n < 1 {
		n = runtime.NumCPU()
	}
	p := &Pool{n: n}
	p.wake = sync.NewCond(&p.mu)
	return p
}

// Size returns the number of workers.
func (p *Pool) Size() int { return p.n }

func (p *Pool) worker() {
	var seen uint64
	for {
		g := p.await(seen)
		if p.closed.Load() {
			return
		}
		seen = g
		p.runClaimed()
	}
}

// runClaimed runs unclaimed parts of the current task until none is left.
// A part claimed after Run reset the counter belongs to the current task:
// the claim (an atomic operation) orders the read of p.task after Run's
// write of it.
func (p *Pool) runClaimed() {
	for {
		part := int(p.claimed.Add(1))
		if part >= p.n {
			return
		}
		p.task.Run(part, p.n)
		p.pending.Add(-1)
	}
}

// await returns the generation of the next task after seen, spinning
// first and then parking.
func (p *Pool) await(seen uint64) uint64 {
	start := time.Now()
	for i := 1; ; i++ {
		if g := p.gen.Load(); g != seen || p.closed.Load() {
			return g
		}
		if i&1023 == 0 {
			if time.Since(start) > spinTime {
				break
			}
			runtime.Gosched()
		}
	}
	p.mu.Lock()
	p.sleeping.Add(1)
	g := p.gen.Load()
	for g == seen && !p.closed.Load() {
		p.wake.Wait()
		g = p.gen.Load()
	}
	p.sleeping.Add(-1)
	p.mu.Unlock()
	return g
}

// Run runs the parts of t on the caller and the workers and returns when
// all are done. Calls must not overlap.
func (p *Pool) Run(t Task) {
	if p.n == 1 {
		t.Run(0, 1)
		return
	}
	p.task = t
	p.pending.Store(int64(p.n - 1))
	p.claimed.Store(0)
	p.gen.Add(1)
	if p.sleeping.Load() > 0 {
		p.mu.Lock()
		p.wake.Broadcast()
		p.mu.Unlock()
	}
	t.Run(0, p.n)
	p.runClaimed()
	for i := 0; p.pending.Load() != 0; i++ {
		if i&1023 == 1023 {
			runtime.Gosched()
		}
	}
	p.task = nil
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	p.once.Do(func() {
		p.closed.Store(true)
		p.mu.Lock()
		p.wake.Broadcast()
		p.mu.Unlock()
	})
}

// Split returns the half-open range of the part'th of parts shares of n
// items, with boundaries rounded to multiples of align where possible.
func Split(n, part, parts, align int) (lo, hi int) {
	if align < 1 {
		align = 1
	}
	units := (n + align - 1) / align
	lo = units * part / parts * align
	hi = units * (part + 1) / parts * align
	return min(lo, n), min(hi, n)
}
