package model

import (
	"runtime"
	"sync"
)

// A Task is work split into parts: Run(part, parts) does the part'th of
// parts shares. A task is a pointer to a struct kept by its owner, so
// handing it to the pool allocates nothing.
type Task interface {
	Run(part, parts int)
}

// Pool is a fixed set of goroutines that live as long as the model and run
// each Task in parallel, the calling goroutine taking part 0.
type Pool struct {
	n    int
	work []chan Task
	wg   sync.WaitGroup
	once sync.Once
}

// NewPool returns a pool of n workers (n < 1 means the number of CPUs).
func NewPool(n int) *Pool {
	if n < 1 {
		n = runtime.NumCPU()
	}
	p := &Pool{n: n, work: make([]chan Task, n)}
	for i := 1; i < n; i++ {
		ch := make(chan Task, 1)
		p.work[i] = ch
		go func() {
			for t := range ch {
				t.Run(i, n)
				p.wg.Done()
			}
		}()
	}
	return p
}

// Size returns the number of workers.
func (p *Pool) Size() int { return p.n }

// Run runs t on every worker and returns when all parts are done.
func (p *Pool) Run(t Task) {
	p.wg.Add(p.n - 1)
	for i := 1; i < p.n; i++ {
		p.work[i] <- t
	}
	t.Run(0, p.n)
	p.wg.Wait()
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	p.once.Do(func() {
		for i := 1; i < p.n; i++ {
			close(p.work[i])
		}
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
